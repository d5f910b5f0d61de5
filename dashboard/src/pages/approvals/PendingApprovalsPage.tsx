import { useCallback, useEffect, useRef, useState } from "react";
import { useParams } from "react-router";
import {
  ApproveRequestDocument,
  CancelRequestDocument,
  PendingApprovalsDocument,
  RejectRequestDocument,
  WorkflowRequestUpdatedDocument,
} from "../../api/generated";
import { ApiError, describeError, request } from "../../api/client";
import { subscribe, type LiveStatus } from "../../api/subscription";
import { useQuery } from "../../api/useQuery";
import { PageTitle } from "../../components/PageTitle";
import { ErrorNotice, Loading, TenantNotFound } from "../../components/Status";
import { Stat } from "../../components/Figures";
import { formatMoney } from "../../format/money";
import { RequestCard, type Decision } from "./RequestCard";
import { applyUpdate, describeChange, statusText, type Card, type Lists } from "./requests";

const LIVE_TEXT: Record<LiveStatus, string> = {
  connecting: "Connecting to live updates…",
  live: "Live: changes appear as they happen",
  reconnecting: "Live updates interrupted — reconnecting…",
  closed: "Live updates stopped",
};

export function PendingApprovalsPage() {
  const tenantId = useParams().tenant ?? "";
  const { data, error, loading, reload } = useQuery(PendingApprovalsDocument, { tenant: tenantId });
  const [lists, setLists] = useState<Lists | null>(null);
  const [live, setLive] = useState<LiveStatus>("connecting");
  const [announcement, setAnnouncement] = useState("");
  const [conflict, setConflict] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [cardErrors, setCardErrors] = useState<Record<string, string>>({});
  const early = useRef<Card[]>([]);
  const tenant = data?.tenant;

  // A fresh answer of the page's query replaces the lists; events that came first are folded in.
  useEffect(() => {
    if (!tenant) {
      setLists(null);
      return;
    }
    let next: Lists = { open: tenant.open.edges.map((e) => e.node), decided: tenant.decided.edges.map((e) => e.node) };
    for (const update of early.current) next = applyUpdate(next, update);
    early.current = [];
    setLists(next);
  }, [tenant]);

  const fold = useCallback((update: Card) => {
    setLists((current) => {
      if (!current) {
        early.current.push(update);
        return current;
      }
      return applyUpdate(current, update);
    });
  }, []);

  useEffect(() => {
    if (!tenantId) return;
    return subscribe(
      WorkflowRequestUpdatedDocument,
      { tenant: tenantId },
      {
        next: ({ workflowRequestUpdated: update }) => {
          fold(update);
          setAnnouncement(`${describeChange(update)}: ${statusText(update.status).toLowerCase()}.`);
        },
        status: setLive,
        error: () => setLive("closed"),
      },
    );
  }, [tenantId, fold]);

  const decide = async (card: Card, decision: Decision, comment: string) => {
    setBusy(card.id);
    setCardErrors(({ [card.id]: _, ...rest }) => rest);
    setConflict(null);
    try {
      const vars = { id: card.id, version: card.version };
      const updated =
        decision === "approve"
          ? (await request(ApproveRequestDocument, { ...vars, comment: comment || null })).approveWorkflowRequest.request
          : decision === "reject"
            ? (await request(RejectRequestDocument, { ...vars, comment })).rejectWorkflowRequest.request
            : (await request(CancelRequestDocument, vars)).cancelWorkflowRequest.request;
      fold(updated);
      setAnnouncement(`${describeChange(updated)}: ${statusText(updated.status).toLowerCase()}.`);
    } catch (e) {
      if (e instanceof ApiError && e.code === "CONFLICT") {
        setConflict(
          `“${describeChange(card)}” changed since you loaded it (version ${card.version}); someone else decided or cancelled it. The list was reloaded — check it and decide again.`,
        );
        reload();
      } else {
        setCardErrors((errors) => ({ ...errors, [card.id]: describeError(e) }));
      }
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <PageTitle title={tenant ? `${tenant.name} — Pending approvals` : "Pending approvals"} subtitle={tenant?.ouId ?? tenantId}>
        <p className={`live live-${live}`} data-testid="live-status" data-live={live}>
          <span className="dot" aria-hidden="true" />
          {LIVE_TEXT[live]}
        </p>
      </PageTitle>
      <p role="status" className="visually-hidden" data-testid="announcement">
        {announcement}
      </p>
      {conflict && (
        <div role="alert" className="notice warn-notice" data-testid="conflict">
          <p>{conflict}</p>
        </div>
      )}
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {loading && !data && <Loading label="Loading requests" />}
      {data && !tenant && <TenantNotFound tenant={tenantId} />}
      {tenant && lists && (
        <div data-testid="approvals" data-drawn="true">
          <dl className="stats">
            <Stat label="Waiting for a decision">{lists.open.length}</Stat>
            <Stat label="Admin approval above">
              {formatMoney(tenant.approvalThreshold.amount, tenant.approvalThreshold.currency)} / month
            </Stat>
            <Stat label="Monthly budget">
              {tenant.monthlyBudget ? formatMoney(tenant.monthlyBudget.amount, tenant.monthlyBudget.currency) : "None set"}
            </Stat>
            <Stat label="You are">
              {data.viewer.subject} ({data.viewer.role.toLowerCase()})
            </Stat>
          </dl>
          <section aria-labelledby="open-title">
            <h2 id="open-title">Open requests</h2>
            {lists.open.length === 0 ? (
              <p>Nothing is waiting for a decision.</p>
            ) : (
              <div className="cards" data-testid="open-requests">
                {lists.open.map((r) => (
                  <RequestCard
                    key={r.id}
                    request={r}
                    busy={busy === r.id}
                    error={cardErrors[r.id] ?? null}
                    onDecide={(decision, comment) => void decide(r, decision, comment)}
                  />
                ))}
              </div>
            )}
          </section>
          <section aria-labelledby="decided-title">
            <h2 id="decided-title">Recently decided</h2>
            {lists.decided.length === 0 ? (
              <p>No decisions yet.</p>
            ) : (
              <div className="cards" data-testid="decided-requests">
                {lists.decided.map((r) => (
                  <RequestCard key={r.id} request={r} busy={false} error={null} />
                ))}
              </div>
            )}
          </section>
        </div>
      )}
    </>
  );
}
