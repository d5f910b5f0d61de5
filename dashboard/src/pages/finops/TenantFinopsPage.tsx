import { useEffect } from "react";
import { useParams, useSearchParams } from "react-router";
import { TenantFinopsDocument, type TenantFinopsQuery } from "../../api/generated";
import { useQuery } from "../../api/useQuery";
import { PageTitle } from "../../components/PageTitle";
import { ErrorNotice, Loading, TenantNotFound } from "../../components/Status";
import { Delta, Stat } from "../../components/Figures";
import { BreakdownTable } from "../../components/BreakdownTable";
import { preloadCharts, SeriesChart, TrendChart } from "../../components/charts/LazyCharts";
import { monthAfter, type TrendForecast } from "../../components/charts/trendRows";
import { useDrawn } from "../../components/useDrawn";
import { currentMonth, formatDate, formatDay, formatMonth, isMonth } from "../../format/dates";
import { MonthPicker } from "../../components/MonthPicker";
import { formatMoney, formatTotals } from "../../format/money";

type Tenant = NonNullable<TenantFinopsQuery["tenant"]>;

export function TenantFinopsPage() {
  const tenantId = useParams().tenant ?? "";
  const [params, setParams] = useSearchParams();
  const now = currentMonth();
  const month = params.get("month");
  // The current month is asked as the default period (to date), so its answer is the cached one.
  const period = month && isMonth(month) && month !== now ? month : null;
  const { data, error, loading, reload } = useQuery(TenantFinopsDocument, { tenant: tenantId, period });
  // After useQuery's effect has sent the request: the charts' code loads while the answer is computed.
  useEffect(() => preloadCharts("trend", "series"), []);
  const tenant = data?.tenant;
  const { ref, drawn } = useDrawn<HTMLDivElement>(Boolean(tenant) && !loading, "finops-drawn");

  return (
    <>
      <PageTitle title={tenant ? `${tenant.name} — FinOps` : "Tenant FinOps"} subtitle={tenant?.ouId ?? tenantId}>
        <MonthPicker value={period ?? now} latest={now} onChange={(m) => setParams(m === now ? {} : { month: m })} />
      </PageTitle>
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {loading && !data && <Loading label="Loading cost" />}
      {data && !tenant && <TenantNotFound tenant={tenantId} />}
      {tenant && (
        <div ref={ref} data-testid="finops" data-drawn={drawn ? "true" : undefined}>
          <FinopsBody tenant={tenant} />
        </div>
      )}
    </>
  );
}

function FinopsBody({ tenant }: { tenant: Tenant }) {
  const cost = tenant.cost;
  const daily = tenant.costTrend.series[0];
  const currency = cost.totals[0]?.currency ?? daily?.currency ?? "USD";
  const forecast = dailyForecast(tenant, daily?.currency ?? currency);
  return (
    <>
      <dl className="stats">
        <Stat label={`${formatMonth(cost.period)} (${formatDay(cost.from)} – ${formatDay(cost.to)})`} testId="finops-total">
          {formatTotals(cost.totals)}
        </Stat>
        <Stat label={`Same days of the month before (${formatDay(cost.previousFrom)} – ${formatDay(cost.previousTo)})`}>
          {formatTotals(cost.previousTotals)}
        </Stat>
        <Stat label="Change">
          {cost.changes.length === 0
            ? "—"
            : cost.changes.map((c) => <Delta key={c.currency} amount={c.delta} currency={c.currency} percent={c.percent} />)}
        </Stat>
      </dl>

      <section aria-labelledby="trend-title" className="panel">
        <h2 id="trend-title">Daily cost, last 3 months, and forecast</h2>
        <p className="hint">
          {formatDate(tenant.costTrend.from)} – {formatDate(tenant.costTrend.to)}
          {daily && <> · {formatMoney(daily.total, daily.currency)} in all</>}
        </p>
        <TrendChart
          points={daily?.points ?? []}
          currency={daily?.currency ?? currency}
          total={daily?.total}
          forecast={forecast?.chart}
          label="Daily cost, last 3 months, and forecast"
        />
        {forecast ? (
          <p className="hint" data-testid="finops-forecast">
            Forecast per day from {formatDate(forecast.from)} to {formatDate(forecast.to)} (dashed; method{" "}
            <code>{tenant.forecast.method}</code>); the shaded band is the {forecast.chart.level} % prediction interval.
          </p>
        ) : (
          <p className="hint">No daily forecast for this tenant yet.</p>
        )}
      </section>

      <section aria-labelledby="services-trend-title" className="panel">
        <h2 id="services-trend-title">Monthly cost of the largest services</h2>
        <SeriesChart
          series={tenant.trendByService.series}
          currency={tenant.trendByService.series[0]?.currency ?? currency}
          label="Monthly cost of the largest services"
        />
      </section>

      <section aria-labelledby="breakdown-title">
        <h2 id="breakdown-title">Where this month's cost comes from</h2>
        <div className="grid-2">
          <BreakdownTable caption="By service" keyHeader="Service" rows={cost.breakdown} limit={10} testId="by-service" />
          <BreakdownTable caption="By account" keyHeader="Account" rows={tenant.byAccount.breakdown} limit={10} testId="by-account" />
          <BreakdownTable caption="By region" keyHeader="Region" rows={tenant.byRegion.breakdown} testId="by-region" />
          <BreakdownTable
            caption="By environment tag"
            keyHeader="environment"
            rows={tenant.byTag.breakdown}
            emptyKey="(untagged)"
            testId="by-tag"
          />
        </div>
      </section>
    </>
  );
}

/**
 * The daily forecast to draw after the actual days, through next month (the server's horizon), or
 * null when it has no point there or is in another currency than the drawn trend.
 */
function dailyForecast(tenant: Tenant, currency: string): { chart: TrendForecast; from: string; to: string } | null {
  const throughMonth = monthAfter(tenant.costTrend.to);
  const points = tenant.forecast.points
    .filter((p) => p.mean.currency === currency && p.date > tenant.costTrend.to && p.date.slice(0, 7) <= throughMonth)
    .map((p) => ({ date: p.date, mean: p.mean.amount, lower: p.lower.amount, upper: p.upper.amount }));
  const from = points[0]?.date;
  const to = points.at(-1)?.date;
  if (!from || !to) return null;
  return { chart: { level: tenant.forecast.level, points, throughMonth }, from, to };
}
