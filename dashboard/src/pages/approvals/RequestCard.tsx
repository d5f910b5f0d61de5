import { useId, useState } from "react";
import { formatInstant } from "../../format/dates";
import { formatMoney } from "../../format/money";
import { Delta } from "../../components/Figures";
import { describeChange, statusText, type Card } from "./requests";

export type Decision = "approve" | "reject" | "cancel";

export function RequestCard({
  request: r,
  busy,
  error,
  onDecide,
}: {
  request: Card;
  busy: boolean;
  error: string | null;
  onDecide?: (decision: Decision, comment: string) => void;
}) {
  const [comment, setComment] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const headingId = useId();
  const commentId = useId();
  const impact = r.costImpact;
  const open = r.status === "PENDING" || r.status === "AWAITING_ADMIN";

  const decide = (decision: Decision) => {
    if (decision === "reject" && comment.trim() === "") {
      setLocalError("Give a reason to reject.");
      return;
    }
    setLocalError(null);
    onDecide?.(decision, comment.trim());
  };
  const shownError = localError ?? error;

  return (
    <article className="request card" aria-labelledby={headingId} data-request-id={r.id} data-status={r.status}>
      <header>
        <h3 id={headingId}>{describeChange(r)}</h3>
        <span className={`badge status-${r.status.toLowerCase()}`}>{statusText(r.status)}</span>
        {r.needsAdminApproval && <span className="badge warn">Needs an admin too</span>}
      </header>
      <dl className="facts">
        <div>
          <dt>Monthly cost</dt>
          <dd>
            {formatMoney(impact.currentMonthlyCost.amount, impact.currentMonthlyCost.currency)} →{" "}
            {formatMoney(impact.proposedMonthlyCost.amount, impact.proposedMonthlyCost.currency)}
          </dd>
        </div>
        <div>
          <dt>Impact</dt>
          <dd>
            <Delta amount={impact.monthlyDelta.amount} currency={impact.monthlyDelta.currency} /> a month
            {impact.priceSource && <span className="muted small"> ({impact.priceSource === "OBSERVED" ? "own bill" : "list price"})</span>}
          </dd>
        </div>
        <div>
          <dt>Asked by</dt>
          <dd>
            {r.requester}
            {r.requesterRole && <span className="muted small"> ({r.requesterRole.toLowerCase()})</span>}, {formatInstant(r.createdAt)}
          </dd>
        </div>
        {r.justification && (
          <div>
            <dt>Why</dt>
            <dd>{r.justification}</dd>
          </div>
        )}
        <div>
          <dt>Version</dt>
          <dd>{r.version}</dd>
        </div>
      </dl>
      {r.decisions.length > 0 && (
        <ol className="decisions" aria-label="Decisions so far">
          {r.decisions.map((d, i) => (
            <li key={i}>
              {d.outcome === "APPROVED" ? "Approved" : "Rejected"} by {d.decider} ({d.step.toLowerCase()}), {formatInstant(d.decidedAt)}
              {d.comment && <>: “{d.comment}”</>}
            </li>
          ))}
        </ol>
      )}
      {open && onDecide && (r.viewerCanDecide || r.viewerCanCancel) && (
        <div className="actions">
          {r.viewerCanDecide && (
            <div className="field">
              <label htmlFor={commentId}>Comment (required to reject)</label>
              <input id={commentId} type="text" value={comment} onChange={(e) => setComment(e.target.value)} disabled={busy} />
            </div>
          )}
          <div className="buttons">
            {r.viewerCanDecide && (
              <>
                <button type="button" className="primary" onClick={() => decide("approve")} disabled={busy}>
                  Approve
                </button>
                <button type="button" className="danger" onClick={() => decide("reject")} disabled={busy}>
                  Reject
                </button>
              </>
            )}
            {r.viewerCanCancel && (
              <button type="button" onClick={() => decide("cancel")} disabled={busy}>
                Cancel request
              </button>
            )}
          </div>
        </div>
      )}
      {shownError && (
        <p role="alert" className="error">
          {shownError}
        </p>
      )}
    </article>
  );
}
