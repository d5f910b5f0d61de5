// Exact arithmetic on the decimal strings the API sends for money (`Decimal` scalar).
// Amounts are never passed through a float for anything shown as a figure.

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;

export interface ScaledDecimal {
  /** The value times 10^scale. */
  units: bigint;
  scale: number;
}

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value.trim());
}

export function parseDecimal(value: string): ScaledDecimal {
  const match = DECIMAL.exec(value.trim());
  if (!match) throw new Error(`not a decimal: ${JSON.stringify(value)}`);
  const [, sign, int = "0", frac = ""] = match;
  const units = BigInt(int + frac) * (sign === "-" ? -1n : 1n);
  return { units, scale: frac.length };
}

function rescale(d: ScaledDecimal, scale: number): bigint {
  return d.units * 10n ** BigInt(scale - d.scale);
}

export function formatScaled({ units, scale }: ScaledDecimal): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, "0");
  const int = digits.slice(0, digits.length - scale);
  const frac = scale > 0 ? "." + digits.slice(digits.length - scale) : "";
  return (negative ? "-" : "") + int + frac;
}

/** The exact sum of decimal strings. */
export function sumDecimals(values: readonly string[]): string {
  if (values.length === 0) return "0";
  const parsed = values.map(parseDecimal);
  const scale = Math.max(...parsed.map((d) => d.scale));
  const units = parsed.reduce((acc, d) => acc + rescale(d, scale), 0n);
  return formatScaled({ units, scale });
}

/** -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const d = rescale(x, scale) - rescale(y, scale);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

export function signOf(value: string): -1 | 0 | 1 {
  const { units } = parseDecimal(value);
  return units < 0n ? -1 : units > 0n ? 1 : 0;
}

/** Rounds half away from zero to `digits` decimals, exactly. */
export function roundDecimal(value: string, digits: number): string {
  const d = parseDecimal(value);
  if (d.scale <= digits) return formatScaled({ units: rescale(d, digits), scale: digits });
  const divisor = 10n ** BigInt(d.scale - digits);
  const negative = d.units < 0n;
  const magnitude = negative ? -d.units : d.units;
  let q = magnitude / divisor;
  if ((magnitude % divisor) * 2n >= divisor) q += 1n;
  return formatScaled({ units: negative && q !== 0n ? -q : q, scale: digits });
}

/** For chart coordinates only (never for a figure shown as text). */
export function toChartNumber(value: string): number {
  return Number(value);
}
