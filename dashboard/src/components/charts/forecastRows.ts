import { sumDecimals, toChartNumber } from "../../format/decimal";

export interface DailyPoint {
  date: string;
  amount: string;
}

export interface Interval {
  mean: string;
  lower: string;
  upper: string;
}

export interface MonthRow {
  month: string;
  /** Spent in the month (so far, for the current one): an exact sum of the daily amounts. */
  actualExact?: string;
  actual?: number;
  forecastExact?: string;
  forecast?: number;
  lowerExact?: string;
  upperExact?: string;
  band?: [number, number];
}

/**
 * Monthly rows for the forecast chart: the months of the daily trend with their exact totals, then
 * the current month's and next month's forecast with its interval. The last complete month carries
 * its actual as the forecast's starting point, so the dashed line and the band start from it.
 */
export function monthlyForecastRows(
  daily: readonly DailyPoint[],
  currentMonth: string,
  monthEnd: Interval,
  nextMonth: Interval,
  nextMonthKey: string,
): MonthRow[] {
  const byMonth = new Map<string, string[]>();
  for (const p of daily) {
    const month = p.date.slice(0, 7);
    const list = byMonth.get(month) ?? [];
    list.push(p.amount);
    byMonth.set(month, list);
  }
  const rows: MonthRow[] = [...byMonth.keys()].sort().map((month) => {
    const exact = sumDecimals(byMonth.get(month) ?? []);
    return { month, actualExact: exact, actual: toChartNumber(exact) };
  });
  const withForecast = (row: MonthRow, f: Interval): MonthRow => ({
    ...row,
    forecastExact: f.mean,
    forecast: toChartNumber(f.mean),
    lowerExact: f.lower,
    upperExact: f.upper,
    band: [toChartNumber(f.lower), toChartNumber(f.upper)],
  });
  const current = rows.findIndex((r) => r.month === currentMonth);
  const lastComplete = current > 0 ? rows[current - 1] : rows.at(-1);
  if (lastComplete?.actualExact && lastComplete.month < currentMonth) {
    Object.assign(lastComplete, {
      forecastExact: lastComplete.actualExact,
      forecast: lastComplete.actual,
      band: [lastComplete.actual, lastComplete.actual],
    });
  }
  if (current >= 0) rows[current] = withForecast(rows[current]!, monthEnd);
  else rows.push(withForecast({ month: currentMonth }, monthEnd));
  rows.push(withForecast({ month: nextMonthKey }, nextMonth));
  return rows;
}
