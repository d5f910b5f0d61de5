import { formatMoney, formatShare } from "../format/money";
import { Delta } from "./Figures";

export interface BreakdownRow {
  key: string | null;
  currency: string;
  amount: string;
  previousAmount?: string;
  delta?: string;
  sharePercent?: string | null;
}

/** One breakdown of a month's cost: the group, its amount, the previous period and its share. */
export function BreakdownTable({
  caption,
  keyHeader,
  rows,
  limit,
  emptyKey = "(none)",
  testId,
}: {
  caption: string;
  keyHeader: string;
  rows: readonly BreakdownRow[];
  limit?: number;
  emptyKey?: string;
  testId?: string;
}) {
  const shown = limit ? rows.slice(0, limit) : rows;
  const withPrevious = rows.some((r) => r.previousAmount !== undefined);
  const withShare = rows.some((r) => r.sharePercent !== undefined);
  return (
    <div className="table-wrap" data-testid={testId}>
      <table>
        <caption>
          {caption}
          {limit && rows.length > limit && <span className="hint"> (largest {limit} of {rows.length})</span>}
        </caption>
        <thead>
          <tr>
            <th scope="col">{keyHeader}</th>
            <th scope="col" className="num">
              Cost
            </th>
            {withPrevious && (
              <th scope="col" className="num">
                Change
              </th>
            )}
            {withShare && (
              <th scope="col" className="num">
                Share
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 && (
            <tr>
              <td colSpan={2 + Number(withPrevious) + Number(withShare)}>No cost in this period.</td>
            </tr>
          )}
          {shown.map((r, i) => (
            <tr key={`${r.key ?? ""}-${r.currency}-${i}`}>
              <th scope="row">{r.key ?? <span className="muted">{emptyKey}</span>}</th>
              <td className="num">{formatMoney(r.amount, r.currency)}</td>
              {withPrevious && (
                <td className="num">{r.delta !== undefined ? <Delta amount={r.delta} currency={r.currency} /> : "—"}</td>
              )}
              {withShare && <td className="num">{formatShare(r.sharePercent)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
