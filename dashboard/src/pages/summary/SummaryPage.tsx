import { Link, useSearchParams } from "react-router";
import { SummaryDocument, type SummaryQuery } from "../../api/generated";
import { useQuery } from "../../api/useQuery";
import { PageTitle } from "../../components/PageTitle";
import { ErrorNotice, Loading } from "../../components/Status";
import { BudgetBadge, Delta, Stat } from "../../components/Figures";
import { Sparkline } from "../../components/charts/Sparkline";
import { tenantPath } from "../../components/tenantPaths";
import { formatDate } from "../../format/dates";
import { formatMoney, formatTotals } from "../../format/money";
import { totalsByCurrency } from "./totals";

type TenantRow = SummaryQuery["tenants"]["edges"][number]["node"];

export function SummaryPage() {
  const [params, setParams] = useSearchParams();
  const after = params.get("after");
  const { data, error, loading, reload } = useQuery(SummaryDocument, { first: 100, after });

  return (
    <>
      <PageTitle title="Summary" subtitle="Every tenant you can see, this month so far." />
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {loading && !data && <Loading label="Loading tenants" />}
      {data && (
        <SummaryBody data={data} drawn={!loading} onNext={(cursor) => setParams({ after: cursor })} paged={after !== null} />
      )}
    </>
  );
}

function SummaryBody({
  data,
  drawn,
  onNext,
  paged,
}: {
  data: SummaryQuery;
  drawn: boolean;
  onNext: (cursor: string) => void;
  paged: boolean;
}) {
  const tenants = data.tenants.edges.map((e) => e.node);
  const monthToDate = totalsByCurrency(tenants.flatMap((t) => t.monthToDate.totals));
  const savings = totalsByCurrency(tenants.map((t) => t.savingsAvailable));
  const pending = tenants.reduce((n, t) => n + t.pendingRequestCount, 0);
  const period = tenants[0]?.monthToDate;
  return (
    <div data-testid="summary" data-drawn={drawn ? "true" : undefined}>
      <dl className="stats">
        <Stat label={`Tenants${paged ? " on this page" : ""}`}>{data.tenants.totalCount}</Stat>
        <Stat label="Month to date" testId="summary-total">
          {formatTotals(monthToDate)}
        </Stat>
        <Stat label="Savings available (monthly)">{formatTotals(savings)}</Stat>
        <Stat label="Requests waiting">{pending}</Stat>
      </dl>
      <div className="table-wrap">
        <table className="summary-table">
          <caption>
            Tenants{period && <> — cost from {formatDate(period.from)} to {formatDate(period.to)}, against the same days last month</>}
          </caption>
          <thead>
            <tr>
              <th scope="col">Tenant</th>
              <th scope="col" className="num">
                Month to date
              </th>
              <th scope="col" className="num">
                Change
              </th>
              <th scope="col">Last 3 months</th>
              <th scope="col">Budget</th>
              <th scope="col" className="num">
                Savings available
              </th>
              <th scope="col" className="num">
                Anomalies (30 days)
              </th>
              <th scope="col" className="num">
                Pending requests
              </th>
            </tr>
          </thead>
          <tbody>
            {tenants.length === 0 && (
              <tr>
                <td colSpan={8}>No tenant is visible to you.</td>
              </tr>
            )}
            {tenants.map((t) => (
              <TenantSummaryRow key={t.id} tenant={t} />
            ))}
          </tbody>
        </table>
      </div>
      {data.tenants.pageInfo.hasNextPage && data.tenants.pageInfo.endCursor && (
        <p>
          <button type="button" onClick={() => onNext(data.tenants.pageInfo.endCursor!)}>
            Next tenants
          </button>
        </p>
      )}
    </div>
  );
}

function TenantSummaryRow({ tenant: t }: { tenant: TenantRow }) {
  const trend = t.monthlyTrend[0];
  return (
    <tr data-tenant={t.ouId}>
      <th scope="row">
        <Link to={tenantPath(t.ouId)}>{t.name}</Link>
        <div className="muted small">{t.ouId}</div>
      </th>
      <td className="num">{formatTotals(t.monthToDate.totals)}</td>
      <td className="num">
        {t.monthToDate.changes.map((c) => (
          <div key={c.currency}>
            <Delta amount={c.delta} currency={c.currency} percent={c.percent} />
          </div>
        ))}
      </td>
      <td>
        {trend && trend.points.length > 0 ? (
          <Sparkline points={trend.points} currency={trend.currency} label={`${t.name}, monthly cost`} />
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td>
        <BudgetBadge status={t.budgetStatus} />
        {t.monthlyBudget && <div className="small">{formatMoney(t.monthlyBudget.amount, t.monthlyBudget.currency)} / month</div>}
      </td>
      <td className="num">{formatMoney(t.savingsAvailable.amount, t.savingsAvailable.currency)}</td>
      <td className="num">{t.anomalyCount}</td>
      <td className="num">
        <Link to={tenantPath(t.ouId, "approvals")} aria-label={`${t.pendingRequestCount} pending requests of ${t.name}`}>
          {t.pendingRequestCount}
        </Link>
      </td>
    </tr>
  );
}
