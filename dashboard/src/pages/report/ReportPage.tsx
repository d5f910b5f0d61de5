import { useEffect, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { ReportDocument, type ReportQuery } from "../../api/generated";
import { useQuery } from "../../api/useQuery";
import { useAuth } from "../../auth/AuthProvider";
import { PageTitle } from "../../components/PageTitle";
import { ErrorNotice, Loading, TenantNotFound } from "../../components/Status";
import { BudgetBadge, Delta, Stat } from "../../components/Figures";
import { BreakdownTable } from "../../components/BreakdownTable";
import { ForecastChart, preloadCharts, TrendChart } from "../../components/charts/LazyCharts";
import { monthlyForecastRows } from "../../components/charts/forecastRows";
import { useDrawn } from "../../components/useDrawn";
import { currentMonth, formatDate, formatMonth, isMonth, nextMonthOf } from "../../format/dates";
import { MonthPicker } from "../../components/MonthPicker";
import { formatMoney, formatPercent, formatShare, formatTotals } from "../../format/money";
import { downloadReport, reportFileName } from "./download";

type Tenant = NonNullable<ReportQuery["tenant"]>;

const amounts = (v: { mean: { amount: string }; lower: { amount: string }; upper: { amount: string } }) => ({
  mean: v.mean.amount,
  lower: v.lower.amount,
  upper: v.upper.amount,
});

export function ReportPage() {
  const tenantId = useParams().tenant ?? "";
  const [params, setParams] = useSearchParams();
  const now = currentMonth();
  const asked = params.get("month");
  const month = asked && isMonth(asked) ? asked : now;
  const { data, error, loading, reload } = useQuery(ReportDocument, { tenant: tenantId, month });
  // After useQuery's effect has sent the request: the charts' code loads while the answer is computed.
  useEffect(() => preloadCharts("forecast", "trend"), []);
  const tenant = data?.tenant;
  const { ref, drawn } = useDrawn<HTMLDivElement>(Boolean(tenant), "report-drawn");

  return (
    <>
      <PageTitle title={tenant ? `${tenant.name} — Report` : "Report"} subtitle={tenant?.ouId ?? tenantId}>
        <MonthPicker value={month} latest={now} onChange={(m) => setParams({ month: m })} />
        {tenant && <DownloadButton tenant={tenant} month={month} />}
      </PageTitle>
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {loading && <Loading label={`Loading ${formatMonth(month)}`} />}
      {data && !tenant && <TenantNotFound tenant={tenantId} />}
      {tenant && !loading && (
        <div ref={ref} data-testid="report" data-drawn={drawn ? "true" : undefined}>
          <ReportPreview tenant={tenant} month={month} current={month === now} />
        </div>
      )}
    </>
  );
}

function DownloadButton({ tenant, month }: { tenant: Tenant; month: string }) {
  const { session } = useAuth();
  const [state, setState] = useState<{ busy: boolean; message: string | null; error: string | null }>({
    busy: false,
    message: null,
    error: null,
  });
  const fileName = reportFileName(tenant.ouId, month);
  const download = () => {
    if (!session) return;
    setState({ busy: true, message: null, error: null });
    downloadReport(tenant.reportUrl, session.token, fileName).then(
      ({ bytes }) => setState({ busy: false, error: null, message: `Downloaded ${fileName} (${Math.ceil(bytes / 1024)} kB).` }),
      (e: unknown) => setState({ busy: false, message: null, error: e instanceof Error ? e.message : String(e) }),
    );
  };
  return (
    <div className="download">
      <button type="button" className="primary" onClick={download} disabled={state.busy}>
        {state.busy ? "Preparing PDF…" : "Download PDF"}
      </button>
      <span role="status" className="small">
        {state.message}
      </span>
      {state.error && (
        <span role="alert" className="error small">
          {state.error}
        </span>
      )}
    </div>
  );
}

function ReportPreview({ tenant, month, current }: { tenant: Tenant; month: string; current: boolean }) {
  const cost = tenant.byService;
  const trend = tenant.costTrend.series[0];
  const currency = cost.totals[0]?.currency ?? "USD";
  const budget = tenant.budget;
  const forecast = tenant.forecast;
  return (
    <>
      <dl className="stats">
        <Stat label={`Total, ${formatMonth(month)}${current ? " so far" : ""}`} testId="report-total">
          {formatTotals(cost.totals)}
        </Stat>
        <Stat label="Previous month, same days">{formatTotals(cost.previousTotals)}</Stat>
        <Stat label="Change">
          {cost.changes.length === 0
            ? "—"
            : cost.changes.map((c) => <Delta key={c.currency} amount={c.delta} currency={c.currency} percent={c.percent} />)}
        </Stat>
        {current && (
          <Stat label={`Forecast for ${formatMonth(month)} (${forecast.level} % interval)`}>
            {formatMoney(forecast.monthEnd.mean.amount, forecast.monthToDate.currency)}
            <div className="small">
              {formatMoney(forecast.monthEnd.lower.amount, forecast.monthToDate.currency)} –{" "}
              {formatMoney(forecast.monthEnd.upper.amount, forecast.monthToDate.currency)}
            </div>
          </Stat>
        )}
        {current && (
          <Stat label="Next month forecast">
            {formatMoney(forecast.nextMonth.mean.amount, forecast.monthToDate.currency)}
            <div className="small">
              {formatMoney(forecast.nextMonth.lower.amount, forecast.monthToDate.currency)} –{" "}
              {formatMoney(forecast.nextMonth.upper.amount, forecast.monthToDate.currency)}
            </div>
          </Stat>
        )}
        <Stat label="Budget this month">
          {budget ? (
            <>
              {formatMoney(budget.amount.amount, budget.amount.currency)} <BudgetBadge status={budget.status} />
              <div className="small">
                {formatShare(budget.percentUsed)} used, {formatShare(budget.percentForecast)} forecast
              </div>
            </>
          ) : (
            "None set"
          )}
        </Stat>
      </dl>

      {current && (
        <section aria-labelledby="report-forecast-title" className="panel">
          <h2 id="report-forecast-title">Monthly spend and forecast</h2>
          <p className="hint">
            {forecast.method}; the band is the {forecast.level} % prediction interval.
          </p>
          <ForecastChart
            rows={monthlyForecastRows(trend?.points ?? [], month, amounts(forecast.monthEnd), amounts(forecast.nextMonth), nextMonthOf(month))}
            currency={forecast.monthToDate.currency}
            level={forecast.level}
            label="Monthly spend and forecast"
          />
        </section>
      )}

      <section aria-labelledby="report-trend-title" className="panel">
        <h2 id="report-trend-title">Daily cost, 3 months</h2>
        <p className="hint">
          {formatDate(tenant.costTrend.from)} – {formatDate(tenant.costTrend.to)}
        </p>
        <TrendChart points={trend?.points ?? []} currency={trend?.currency ?? currency} total={trend?.total} label="Daily cost, 3 months" height={240} />
      </section>

      <div className="grid-2">
        <BreakdownTable caption="By service" keyHeader="Service" rows={cost.breakdown} limit={10} />
        <BreakdownTable caption="By account" keyHeader="Account" rows={tenant.byAccount.breakdown} limit={10} />
      </div>

      <div className="grid-2">
        <section aria-labelledby="anomalies-title">
          <h2 id="anomalies-title">Anomalies, last 30 days</h2>
          {tenant.anomalies.length === 0 ? (
            <p>No day left the expected spend.</p>
          ) : (
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Anomalies</caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" className="num">
                      Actual
                    </th>
                    <th scope="col" className="num">
                      Expected
                    </th>
                    <th scope="col" className="num">
                      Impact
                    </th>
                    <th scope="col">Main cause</th>
                  </tr>
                </thead>
                <tbody>
                  {tenant.anomalies.map((a) => (
                    <tr key={a.date}>
                      <th scope="row">{formatDate(a.date)}</th>
                      <td className="num">{formatMoney(a.actual.amount, a.impact.currency)}</td>
                      <td className="num">{formatMoney(a.expected.amount, a.impact.currency)}</td>
                      <td className="num">
                        <Delta amount={a.impact.amount} currency={a.impact.currency} /> ({formatPercent(a.impactPercent)})
                      </td>
                      <td>{a.rootCauses[0] ? `${a.rootCauses[0].key} (${a.rootCauses[0].dimension.toLowerCase()})` : "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section aria-labelledby="recs-title">
          <h2 id="recs-title">Top recommendations</h2>
          <p>
            Savings available:{" "}
            <strong>
              {formatMoney(
                tenant.rightsizing.totalEstimatedMonthlySavings.amount,
                tenant.rightsizing.totalEstimatedMonthlySavings.currency,
              )}
            </strong>{" "}
            a month
          </p>
          <ul className="plain">
            {tenant.rightsizing.edges
              .filter(({ node: r }) => r.finding !== "OPTIMIZED")
              .map(({ node: r }, i) => (
                <li key={i}>
                  {r.resource.name ?? r.resource.resourceId}: {r.currentType} →{" "}
                  {r.recommendedType ?? (r.finding === "IDLE" ? "stop or delete" : "keep")} (
                  {formatMoney(r.estimatedMonthlySavings.amount, tenant.rightsizing.totalEstimatedMonthlySavings.currency)} a month)
                </li>
              ))}
          </ul>
        </section>
      </div>
    </>
  );
}
