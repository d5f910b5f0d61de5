const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-11-05` → `Nov 5`. Dates from the API are calendar dates (no time zone). */
export function formatDay(date: string): string {
  const [, m, d] = date.split("-");
  return `${MONTHS[Number(m) - 1] ?? m} ${Number(d)}`;
}

/** `2026-11-05` or `2026-11` → `Nov 2026`. */
export function formatMonth(date: string): string {
  const [y, m] = date.split("-");
  return `${MONTHS[Number(m) - 1] ?? m} ${y}`;
}

/** `2026-11-05` → `Nov 5, 2026`. */
export function formatDate(date: string): string {
  const [y] = date.split("-");
  return `${formatDay(date)}, ${y}`;
}

/** An RFC 3339 instant in the reader's time zone, to the minute. */
export function formatInstant(instant: string): string {
  const t = new Date(instant);
  if (Number.isNaN(t.getTime())) return instant;
  return t.toLocaleString("en-US", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** The current month as `YYYY-MM` (UTC, as the server counts months). */
export function currentMonth(now: Date = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}`;
}

export function isMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

/** The `count` months up to and including `month` (`YYYY-MM`), newest first. */
export function recentMonths(month: string, count: number): string[] {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const total = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, "0")}`);
  }
  return out;
}

/** The month after `month` (`YYYY-MM`). */
export function nextMonthOf(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
}
