import { toChartNumber } from "../../format/decimal";
import { formatMonth } from "../../format/dates";
import { formatMoney } from "../../format/money";
import { PALETTE } from "./palette";
import { sparklinePath } from "./sparklinePath";

export interface SparkPoint {
  date: string;
  amount: string;
}

const WIDTH = 120;
const HEIGHT = 32;
const PAD = 4;

/**
 * A tenant's last months at a glance; the label reads the figures out. A plain SVG line (no axes,
 * no tooltip), so the Summary page draws its sparklines without fetching the charting library.
 */
export function Sparkline({ points, currency, label }: { points: readonly SparkPoint[]; currency: string; label: string }) {
  const spoken = points.map((p) => `${formatMonth(p.date)} ${formatMoney(p.amount, currency)}`).join(", ");
  const d = sparklinePath(
    points.map((p) => toChartNumber(p.amount)),
    WIDTH,
    HEIGHT,
    PAD,
  );
  return (
    <div className="sparkline" role="img" aria-label={`${label}: ${spoken || "no data"}`}>
      <svg width={WIDTH} height={HEIGHT} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} aria-hidden="true" focusable="false">
        {d && (
          <path
            className="sparkline-line"
            d={d}
            fill="none"
            stroke={PALETTE[0]}
            strokeWidth={2}
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        )}
      </svg>
    </div>
  );
}
