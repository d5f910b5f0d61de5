import { lazy, Suspense, type ComponentProps } from "react";
import type { ForecastChart as ForecastChartImpl } from "./ForecastChart";
import type { SeriesChart as SeriesChartImpl } from "./SeriesChart";
import type { TrendChart as TrendChartImpl } from "./TrendChart";

// Recharts is only reached through these dynamic imports, so it lands in chunks of its own that a
// page fetches while its GraphQL request is in flight (`preloadCharts` from an effect after the
// page's `useQuery`); the Summary (its sparklines are plain SVG), sign-in, Pending approvals and
// Inventory pages never fetch it. Until a chart's code is in, a placeholder of the chart's size
// (with the `chart` class, so `useDrawn` keeps waiting) holds its place and says it is loading.

const loaders = {
  trend: () => import("./TrendChart"),
  series: () => import("./SeriesChart"),
  forecast: () => import("./ForecastChart"),
};

/** Starts fetching the code of these charts (a module is fetched once, however often it is asked). */
export function preloadCharts(...charts: (keyof typeof loaders)[]) {
  for (const chart of charts) void loaders[chart]();
}

const TrendChartLazy = lazy(() => loaders.trend().then((m) => ({ default: m.TrendChart })));
const SeriesChartLazy = lazy(() => loaders.series().then((m) => ({ default: m.SeriesChart })));
const ForecastChartLazy = lazy(() => loaders.forecast().then((m) => ({ default: m.ForecastChart })));

function ChartPlaceholder({ height, label }: { height: number; label: string }) {
  return (
    <div className="chart chart-placeholder" role="status" aria-label={`${label}: loading chart`} style={{ height }}>
      <span className="spinner" aria-hidden="true" />
    </div>
  );
}

export function TrendChart(props: ComponentProps<typeof TrendChartImpl>) {
  return (
    <Suspense fallback={<ChartPlaceholder height={props.height ?? 300} label={props.label} />}>
      <TrendChartLazy {...props} />
    </Suspense>
  );
}

export function SeriesChart(props: ComponentProps<typeof SeriesChartImpl>) {
  return (
    <Suspense fallback={<ChartPlaceholder height={props.height ?? 280} label={props.label} />}>
      <SeriesChartLazy {...props} />
    </Suspense>
  );
}

export function ForecastChart(props: ComponentProps<typeof ForecastChartImpl>) {
  return (
    <Suspense fallback={<ChartPlaceholder height={props.height ?? 260} label={props.label} />}>
      <ForecastChartLazy {...props} />
    </Suspense>
  );
}
