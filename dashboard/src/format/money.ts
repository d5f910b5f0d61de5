import { roundDecimal, signOf } from "./decimal";

export interface MoneyLike {
  amount: string;
  currency?: string | null;
}

const LOCALE = "en-US";
const formatters = new Map<string, Intl.NumberFormat>();

function currencyFormatter(currency: string, digits: number): Intl.NumberFormat {
  const key = `${currency}:${digits}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(LOCALE, {
        style: "currency",
        currency,
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
    } catch {
      // An unknown currency code: show the code after the number.
      f = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    }
    formatters.set(key, f);
  }
  return f;
}

/**
 * Formats an exact decimal string as money, rounding half away from zero in decimal (the string
 * is handed to Intl as a string, which formats it exactly, never through a float).
 */
export function formatMoney(amount: string, currency = "USD", digits = 2): string {
  const rounded = roundDecimal(amount, digits);
  const f = currencyFormatter(currency, digits);
  const text = f.format(rounded as Intl.StringNumericLiteral);
  return f.resolvedOptions().style === "currency" ? text : `${text} ${currency}`;
}

/** Money with an explicit sign: `+$1,234.00`, `−$5.00`, `$0.00`. */
export function formatSignedMoney(amount: string, currency = "USD", digits = 2): string {
  const sign = signOf(roundDecimal(amount, digits));
  const magnitude = amount.trim().replace(/^[+-]/, "");
  const text = formatMoney(magnitude, currency, digits);
  return sign > 0 ? `+${text}` : sign < 0 ? `−${text}` : text;
}

/** Several totals (one per currency), e.g. `$1,000.00 + €20.00`; `$0.00` for none. */
export function formatTotals(totals: readonly MoneyLike[], fallbackCurrency = "USD"): string {
  if (totals.length === 0) return formatMoney("0", fallbackCurrency);
  return totals.map((m) => formatMoney(m.amount, m.currency ?? fallbackCurrency)).join(" + ");
}

/** `+12.5 %`, `−3.25 %`, or an em dash when there is no percentage (nothing to compare with). */
export function formatPercent(percent: string | null | undefined, digits = 1): string {
  if (percent === null || percent === undefined) return "—";
  const rounded = roundDecimal(percent, digits);
  const sign = signOf(rounded);
  const magnitude = rounded.replace(/^-/, "");
  return `${sign > 0 ? "+" : sign < 0 ? "−" : ""}${magnitude} %`;
}

/** A share or utilisation percentage without sign: `42.5 %`. */
export function formatShare(percent: string | null | undefined, digits = 1): string {
  if (percent === null || percent === undefined) return "—";
  return `${roundDecimal(percent, digits)} %`;
}

/** Short axis labels for charts (numbers there are coordinates, not figures): `$12.3k`. */
export function formatAxisMoney(value: number, currency = "USD"): string {
  const f = new Intl.NumberFormat(LOCALE, {
    style: "currency",
    currency,
    notation: "compact",
    maximumFractionDigits: 1,
  });
  return f.format(value);
}
