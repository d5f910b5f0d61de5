import { signOf } from "../format/decimal";
import { formatPercent, formatSignedMoney } from "../format/money";

/** A change in money with its direction in words for screen readers (cost up is bad). */
export function Delta({ amount, currency, percent }: { amount: string; currency: string; percent?: string | null }) {
  const sign = signOf(amount);
  const tone = sign > 0 ? "up" : sign < 0 ? "down" : "flat";
  return (
    <span className={`delta ${tone}`}>
      <span className="visually-hidden">{sign > 0 ? "up " : sign < 0 ? "down " : "unchanged "}</span>
      {formatSignedMoney(amount, currency)}
      {percent !== undefined && <> ({formatPercent(percent)})</>}
    </span>
  );
}

/** A figure with its label, for the row of key numbers at the top of a page. */
export function Stat({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const STATUS_TEXT: Record<string, string> = {
  OK: "On track",
  AT_RISK: "At risk",
  EXCEEDED: "Exceeded",
};

export function BudgetBadge({ status }: { status: string | null }) {
  if (!status) return <span className="badge muted">No budget</span>;
  return <span className={`badge budget-${status.toLowerCase()}`}>{STATUS_TEXT[status] ?? status}</span>;
}
