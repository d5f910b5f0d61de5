import { toChartNumber } from "../../format/decimal";
import { nextMonthOf } from "../../format/dates";

export interface TrendPoint {
  date: string;
  amount: string;
}

export interface DailyForecastPoint {
  date: string;
  mean: string;
  lower: string;
  upper: string;
}

/** The daily forecast drawn after the actual days: its points and the interval's coverage. */
export interface TrendForecast {
  level: number;
  points: readonly DailyForecastPoint[];
  /** The last month (`YYYY-MM`) to draw; later points are left out. */
  throughMonth?: string;
}

/** One day of the daily chart: an actual amount, or a forecast with its interval. */
export interface TrendRow {
  date: string;
  cost?: number;
  costExact?: string;
  /** The forecast's expected value; on the last actual day, that day's cost (where the dashed line starts). */
  forecast?: number;
  forecastExact?: string;
  lowerExact?: string;
  upperExact?: string;
  /** The prediction interval [lower, upper]; on the last actual day, a point at that day's cost. */
  band?: [number, number];
}

/**
 * The rows of the daily chart: every actual day, then every forecast day after the last actual one.
 * The last actual day also carries its cost as the forecast and as a zero-width band, so the dashed
 * line and the band start from the drawn line instead of floating beside it. Forecast days on or
 * before the last actual day are dropped, and so are days after `throughMonth` (`YYYY-MM`) when given.
 */
export function trendRows(
  points: readonly TrendPoint[],
  forecast: readonly DailyForecastPoint[] = [],
  throughMonth?: string,
): TrendRow[] {
  const rows: TrendRow[] = points.map((p) => ({ date: p.date, cost: toChartNumber(p.amount), costExact: p.amount }));
  const lastDate = rows.at(-1)?.date;
  const ahead = forecast.filter(
    (f) => (!lastDate || f.date > lastDate) && (!throughMonth || f.date.slice(0, 7) <= throughMonth),
  );
  if (ahead.length === 0) return rows;
  const last = rows.at(-1);
  if (last?.cost !== undefined) {
    last.forecast = last.cost;
    last.band = [last.cost, last.cost];
  }
  for (const f of [...ahead].sort((a, b) => a.date.localeCompare(b.date))) {
    rows.push({
      date: f.date,
      forecast: toChartNumber(f.mean),
      forecastExact: f.mean,
      lowerExact: f.lower,
      upperExact: f.upper,
      band: [toChartNumber(f.lower), toChartNumber(f.upper)],
    });
  }
  return rows;
}

/** The month after the one `date` (`YYYY-MM-DD`) falls in: how far a THROUGH_NEXT_MONTH forecast reaches. */
export function monthAfter(date: string): string {
  return nextMonthOf(date.slice(0, 7));
}
