import { formatMoney } from "../../format/money";

interface Entry {
  name?: string | number;
  color?: string;
  payload?: Record<string, unknown>;
  dataKey?: unknown;
}

/** Tooltip body showing the exact amounts (the strings the API sent), not the plotted floats. */
export function ChartTooltip({
  active,
  payload,
  title,
  currency,
}: {
  active?: boolean;
  payload?: readonly Entry[];
  title: (row: Record<string, unknown>) => string;
  currency: string;
}) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <strong>{title(row)}</strong>
      <ul>
        {payload.map((entry) => {
          const key = String(entry.dataKey);
          const exact = row[`${key}Exact`];
          if (typeof exact !== "string") return null;
          return (
            <li key={key}>
              <span className="swatch" style={{ background: entry.color }} aria-hidden="true" />
              {entry.name}: {formatMoney(exact, currency)}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
