import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatDate, formatDay } from "../../format/dates";
import { formatAxisMoney, formatMoney } from "../../format/money";
import { AXIS, GRID, PALETTE } from "./palette";
import { type TrendForecast, type TrendPoint, type TrendRow, trendRows } from "./trendRows";

function TrendTooltip({ active, payload, currency }: { active?: boolean; payload?: readonly { payload?: TrendRow }[]; currency: string }) {
  const row = payload?.[0]?.payload;
  if (!active || !row) return null;
  return (
    <div className="chart-tooltip">
      <strong>{formatDate(row.date)}</strong>
      <ul>
        {row.costExact !== undefined && (
          <li>
            <span className="swatch" style={{ background: PALETTE[0] }} aria-hidden="true" />
            Daily cost: {formatMoney(row.costExact, currency)}
          </li>
        )}
        {row.forecastExact !== undefined && row.lowerExact !== undefined && row.upperExact !== undefined && (
          <li>
            <span className="swatch" style={{ background: PALETTE[1] }} aria-hidden="true" />
            Forecast: {formatMoney(row.forecastExact, currency)} ({formatMoney(row.lowerExact, currency)} –{" "}
            {formatMoney(row.upperExact, currency)})
          </li>
        )}
      </ul>
    </div>
  );
}

/**
 * Daily cost as a line, with the exact amounts in its tooltip; with a `forecast`, the days after the
 * last actual one carry the forecast as a dashed line and its prediction interval as a band.
 */
export function TrendChart({
  points,
  currency,
  label,
  total,
  forecast,
  height = 300,
}: {
  points: readonly TrendPoint[];
  currency: string;
  label: string;
  total?: string;
  forecast?: TrendForecast;
  height?: number;
}) {
  const data = trendRows(points, forecast?.points ?? [], forecast?.throughMonth);
  const ahead = data.filter((r) => r.forecastExact !== undefined);
  const hasForecast = forecast !== undefined && ahead.length > 0;
  const first = points[0]?.date;
  const last = points.at(-1)?.date;
  const actualSummary =
    first && last
      ? `daily cost from ${formatDate(first)} to ${formatDate(last)}${total ? `, ${formatMoney(total, currency)} in all` : ""}`
      : "no cost recorded";
  const forecastSummary = hasForecast
    ? `; forecast per day from ${formatDate(ahead[0]!.date)} to ${formatDate(ahead.at(-1)!.date)}, dashed, with its ${forecast.level} % prediction interval as a band`
    : "";
  return (
    <div
      className="chart"
      role="img"
      aria-label={`${label}: ${actualSummary}${forecastSummary}.`}
      data-forecast-level={hasForecast ? forecast.level : undefined}
    >
      <ResponsiveContainer width="100%" height={height} initialDimension={{ width: 800, height }}>
        <ComposedChart data={data} accessibilityLayer={false} margin={{ top: 8, right: 28, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={GRID} vertical={false} />
          <XAxis
            dataKey="date"
            tickFormatter={formatDay}
            stroke={AXIS}
            tick={{ fill: AXIS, fontSize: 12 }}
            // A fixed step: Recharts then need not measure every label to space them.
            interval={Math.max(0, Math.ceil(data.length / 12) - 1)}
          />
          <YAxis
            stroke={AXIS}
            tick={{ fill: AXIS, fontSize: 12 }}
            tickFormatter={(v: number) => formatAxisMoney(v, currency)}
            width={64}
          />
          <Tooltip content={(props) => <TrendTooltip active={props.active} payload={props.payload as never} currency={currency} />} />
          {hasForecast && <Legend />}
          {hasForecast && (
            <Area
              dataKey="band"
              name={`Forecast interval (${forecast.level} %)`}
              stroke="none"
              fill={PALETTE[1]}
              fillOpacity={0.2}
              isAnimationActive={false}
            />
          )}
          <Line dataKey="cost" name="Daily cost" stroke={PALETTE[0]} strokeWidth={2} dot={false} isAnimationActive={false} />
          {hasForecast && (
            <Line
              dataKey="forecast"
              name="Forecast"
              stroke={PALETTE[1]}
              strokeDasharray="5 4"
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
