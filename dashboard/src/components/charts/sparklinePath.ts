/**
 * The SVG path of a sparkline: the values from left to right across `width`, scaled between their
 * own minimum and maximum to the height (a flat series runs through the middle), `pad` pixels in
 * from every edge so the stroke is not clipped. Empty for no values.
 */
export function sparklinePath(values: readonly number[], width: number, height: number, pad: number): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const innerW = width - 2 * pad;
  const innerH = height - 2 * pad;
  const x = (i: number) => (values.length === 1 ? width / 2 : pad + (i * innerW) / (values.length - 1));
  const y = (v: number) => (max === min ? height / 2 : pad + ((max - v) * innerH) / (max - min));
  const round = (n: number) => Math.round(n * 100) / 100;
  const points = values.map((v, i) => `${round(x(i))},${round(y(v))}`);
  // A single value is drawn as a short level stroke, so it still shows.
  if (values.length === 1) return `M${round(x(0) - 3)},${round(y(values[0]!))}H${round(x(0) + 3)}`;
  return `M${points.join("L")}`;
}
