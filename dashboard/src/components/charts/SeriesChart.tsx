import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { toChartNumber } from "../../format/decimal";
import { formatMonth } from "../../format/dates";
import { formatAxisMoney, formatMoney } from "../../format/money";
import { ChartTooltip } from "./ChartTooltip";
import { AXIS, GRID, PALETTE } from "./palette";

export interface Series {
  key: string | null;
  total: string;
  points: readonly { date: string; amount: string }[];
}

/** Monthly cost, one line per group (the largest `limit`), as the API orders them. */
export function SeriesChart({
  series,
  currency,
  label,
  limit = 6,
  height = 280,
}: {
  series: readonly Series[];
  currency: string;
  label: string;
  limit?: number;
  height?: number;
}) {
  const shown = series.slice(0, limit);
  const rows = new Map<string, Record<string, unknown>>();
  shown.forEach((s, i) => {
    for (const p of s.points) {
      const row = rows.get(p.date) ?? { date: p.date };
      row[`s${i}`] = toChartNumber(p.amount);
      row[`s${i}Exact`] = p.amount;
      rows.set(p.date, row);
    }
  });
  const data = [...rows.values()].sort((a, b) => String(a.date).localeCompare(String(b.date)));
  const summary = `${label}: ${shown.map((s) => `${s.key ?? "(none)"} ${formatMoney(s.total, currency)}`).join("; ")}.`;
  return (
    <div className="chart" role="img" aria-label={summary}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 800, height }}>
        <LineChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="date" padding={{ left: 32, right: 32 }} tickFormatter={formatMonth} stroke={AXIS} tick={{ fill: AXIS, fontSize: 12 }} />
          <YAxis stroke={AXIS} tick={{ fill: AXIS, fontSize: 12 }} tickFormatter={(v: number) => formatAxisMoney(v, currency)} width={64} />
          <Tooltip
            content={(props) => (
              <ChartTooltip
                active={props.active}
                payload={props.payload as never}
                currency={currency}
                title={(row) => formatMonth(String(row.date))}
              />
            )}
          />
          <Legend />
          {shown.map((s, i) => (
            <Line
              key={s.key ?? `none-${i}`}
              dataKey={`s${i}`}
              name={s.key ?? "(none)"}
              stroke={PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
