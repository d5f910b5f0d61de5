import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMonth } from "../../format/dates";
import { formatAxisMoney, formatMoney } from "../../format/money";
import { AXIS, GRID, PALETTE } from "./palette";
import type { MonthRow } from "./forecastRows";

function ForecastTooltip({ active, payload, currency }: { active?: boolean; payload?: readonly { payload?: MonthRow }[]; currency: string }) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <strong>{formatMonth(row.month)}</strong>
      <ul>
        {row.actualExact && <li>Spent: {formatMoney(row.actualExact, currency)}</li>}
        {row.forecastExact && row.lowerExact && row.upperExact && (
          <li>
            Forecast: {formatMoney(row.forecastExact, currency)} ({formatMoney(row.lowerExact, currency)} –{" "}
            {formatMoney(row.upperExact, currency)})
          </li>
        )}
      </ul>
    </div>
  );
}

/** Monthly spend as a line, the forecast dashed with its prediction interval as a band. */
export function ForecastChart({
  rows,
  currency,
  level,
  label,
  height = 260,
}: {
  rows: readonly MonthRow[];
  currency: string;
  level: number;
  label: string;
  height?: number;
}) {
  const forecasts = rows.filter((r) => r.lowerExact && r.upperExact && r.forecastExact);
  const summary = `${label}: ${rows
    .filter((r) => r.actualExact)
    .map((r) => `${formatMonth(r.month)} spent ${formatMoney(r.actualExact!, currency)}`)
    .join(", ")}; ${forecasts
    .map((r) => `${formatMonth(r.month)} forecast ${formatMoney(r.forecastExact!, currency)} (${level} % interval ${formatMoney(r.lowerExact!, currency)} to ${formatMoney(r.upperExact!, currency)})`)
    .join(", ")}.`;
  return (
    <div className="chart" role="img" aria-label={summary}>
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 800, height }}>
        <ComposedChart data={[...rows]} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis dataKey="month" padding={{ left: 32, right: 32 }} tickFormatter={formatMonth} stroke={AXIS} tick={{ fill: AXIS, fontSize: 12 }} />
          <YAxis stroke={AXIS} tick={{ fill: AXIS, fontSize: 12 }} tickFormatter={(v: number) => formatAxisMoney(v, currency)} width={64} />
          <Tooltip content={(props) => <ForecastTooltip active={props.active} payload={props.payload as never} currency={currency} />} />
          <Legend />
          <Area
            dataKey="band"
            name={`Forecast interval (${level} %)`}
            stroke="none"
            fill={PALETTE[1]}
            fillOpacity={0.2}
            isAnimationActive={false}
          />
          <Line dataKey="actual" name="Spent" stroke={PALETTE[0]} strokeWidth={2} dot={{ r: 3 }} isAnimationActive={false} />
          <Line
            dataKey="forecast"
            name="Forecast"
            stroke={PALETTE[1]}
            strokeDasharray="5 4"
            strokeWidth={2}
            dot={{ r: 3 }}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
