import { useId, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import {
  InventoryDocument,
  OpenRequestFromRecommendationDocument,
  type InventoryOrderField,
  type InventoryQuery,
} from "../../api/generated";
import { describeError, request } from "../../api/client";
import { useQuery } from "../../api/useQuery";
import { PageTitle } from "../../components/PageTitle";
import { ErrorNotice, Loading, TenantNotFound } from "../../components/Status";
import { tenantPath } from "../../components/tenantPaths";
import { formatDate } from "../../format/dates";
import { formatMoney, formatShare, formatTotals } from "../../format/money";
import { FilterForm } from "./FilterForm";
import { KINDS, PAGE_SIZES, readView, sortBy, toApiFilter, writeView, type InventoryView } from "./params";

type Tenant = NonNullable<InventoryQuery["tenant"]>;
type Resource = Tenant["inventory"]["edges"][number]["node"];

const FINDING_TEXT: Record<string, string> = {
  OVER_PROVISIONED: "Over-provisioned",
  UNDER_PROVISIONED: "Under-provisioned",
  OPTIMIZED: "Optimized",
  IDLE: "Idle",
};
const RISK_TEXT = ["none", "very low", "low", "medium", "high", "very high"];

export function InventoryPage() {
  const tenantId = useParams().tenant ?? "";
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => readView(params), [params]);
  const [previous, setPrevious] = useState<(string | null)[]>([]);
  const variables = {
    tenant: tenantId,
    first: view.size,
    after: view.after,
    filter: toApiFilter(view.filter),
    orderBy: { field: view.field, direction: view.direction },
  };
  const { data, error, loading, reload } = useQuery(InventoryDocument, variables);
  const tenant = data?.tenant;
  const sizeId = useId();

  const go = (next: InventoryView, keepHistory = false) => {
    if (!keepHistory) setPrevious([]);
    setParams(writeView(next));
  };

  return (
    <>
      <PageTitle title={tenant ? `${tenant.name} — Inventory` : "Inventory"} subtitle={tenantId} />
      <FilterForm value={view.filter} onApply={(filter) => go({ ...view, filter, after: null })} />
      {error ? <ErrorNotice error={error} onRetry={reload} /> : null}
      {loading && <Loading label="Loading resources" />}
      {data && !tenant && <TenantNotFound tenant={tenantId} />}
      {tenant && (
        <div data-testid="inventory" data-drawn={loading ? undefined : "true"} aria-busy={loading}>
          <Recommendations tenant={tenant} />
          <ResourceTable
            tenant={tenant}
            tenantId={tenantId}
            view={view}
            onSort={(field) => go(sortBy(view, field))}
          />
          <nav className="pager" aria-label="Pages of resources">
            <span>
              {tenant.inventory.totalCount} resource{tenant.inventory.totalCount === 1 ? "" : "s"}
            </span>
            <button
              type="button"
              disabled={previous.length === 0}
              onClick={() => {
                const before = previous.at(-1) ?? null;
                setPrevious(previous.slice(0, -1));
                go({ ...view, after: before }, true);
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!tenant.inventory.pageInfo.hasNextPage}
              onClick={() => {
                setPrevious([...previous, view.after]);
                go({ ...view, after: tenant.inventory.pageInfo.endCursor }, true);
              }}
            >
              Next page
            </button>
            <span className="field inline">
              <label htmlFor={sizeId}>Per page</label>
              <select id={sizeId} value={view.size} onChange={(e) => go({ ...view, size: Number(e.target.value), after: null })}>
                {PAGE_SIZES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </span>
          </nav>
        </div>
      )}
    </>
  );
}

function Recommendations({ tenant }: { tenant: Tenant }) {
  const r = tenant.rightsizing;
  return (
    <section aria-labelledby="rs-title" className="panel">
      <h2 id="rs-title">Rightsizing</h2>
      <p>
        {r.totalCount} recommendation{r.totalCount === 1 ? "" : "s"}, saving{" "}
        <strong data-testid="savings-total">{formatMoney(r.totalEstimatedMonthlySavings.amount, r.totalEstimatedMonthlySavings.currency)}</strong> a
        month in all. The largest:
      </p>
      <ol className="plain compact small">
        {r.edges.slice(0, 3).map(({ node }) => (
          <li key={node.id}>
            <strong>{node.resource.name ?? node.resource.resourceId}</strong> — {FINDING_TEXT[node.finding]}: {node.currentType} →{" "}
            {node.recommendedType ?? "stop or delete"}, saves {formatMoney(node.estimatedMonthlySavings.amount, r.totalEstimatedMonthlySavings.currency)} a
            month ({formatShare(node.savingsPercent)}). <span className="muted">{node.reason}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

function SortHeader({
  field,
  label,
  view,
  onSort,
  numeric,
}: {
  field: InventoryOrderField;
  label: string;
  view: InventoryView;
  onSort: (field: InventoryOrderField) => void;
  numeric?: boolean;
}) {
  const active = view.field === field;
  const sort = active ? (view.direction === "ASC" ? "ascending" : "descending") : "none";
  return (
    <th scope="col" aria-sort={sort} className={numeric ? "num" : undefined}>
      <button type="button" className="sort" onClick={() => onSort(field)}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (view.direction === "ASC" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

function ResourceTable({
  tenant,
  tenantId,
  view,
  onSort,
}: {
  tenant: Tenant;
  tenantId: string;
  view: InventoryView;
  onSort: (field: InventoryOrderField) => void;
}) {
  const rows = tenant.inventory.edges.map((e) => e.node);
  return (
    <div className="table-wrap">
      <table className="inventory-table">
        <caption>Resources with their cost of the last 30 days, utilisation and recommendation</caption>
        <thead>
          <tr>
            <SortHeader field="NAME" label="Resource" view={view} onSort={onSort} />
            <th scope="col">Kind / type</th>
            <th scope="col">State</th>
            <th scope="col">Where</th>
            <SortHeader field="LAUNCHED_AT" label="Launched" view={view} onSort={onSort} />
            <SortHeader field="COST" label="Cost, 30 days" view={view} onSort={onSort} numeric />
            <th scope="col">Utilisation (p95 / max)</th>
            <th scope="col">Recommendation</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={8}>No resource matches.</td>
            </tr>
          )}
          {rows.map((r) => (
            <ResourceRow key={r.id} resource={r} tenantId={tenantId} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ResourceRow({ resource: r, tenantId }: { resource: Resource; tenantId: string }) {
  return (
    <tr data-resource-id={r.resourceId}>
      <th scope="row">
        {r.name ?? <span className="muted">(no name)</span>}
        <div className="muted small mono">{r.resourceId}</div>
      </th>
      <td>
        {KINDS.find((k) => k.value === r.kind)?.label ?? r.kind}
        <div className="small mono">{r.type}</div>
      </td>
      <td>{r.state}</td>
      <td>
        {r.region}
        <div className="small mono">{r.accountId}</div>
      </td>
      <td>{r.launchedAt ? formatDate(r.launchedAt.slice(0, 10)) : "—"}</td>
      <td className="num">{formatTotals(r.cost30d)}</td>
      <td>
        {r.utilization.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <ul className="plain compact">
            {r.utilization.map((u) => (
              <li key={u.metric}>
                {u.metric}: {u.metric === "cpu" || u.metric === "memory" ? `${formatShare(u.p95)} / ${formatShare(u.max)}` : `${u.p95} / ${u.max}`}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td>{r.recommendation ? <RecommendationCell resource={r} tenantId={tenantId} /> : <span className="muted">—</span>}</td>
    </tr>
  );
}

function RecommendationCell({ resource, tenantId }: { resource: Resource; tenantId: string }) {
  const rec = resource.recommendation!;
  const key = useRef(`rec-${rec.id}-${crypto.randomUUID()}`);
  const [state, setState] = useState<{ busy: boolean; opened: string | null; error: string | null }>({
    busy: false,
    opened: null,
    error: null,
  });
  const actionable = rec.finding !== "OPTIMIZED";
  const open = () => {
    setState({ busy: true, opened: null, error: null });
    request(OpenRequestFromRecommendationDocument, { recommendation: rec.id, idempotencyKey: key.current }).then(
      ({ requestFromRecommendation: { request: created } }) =>
        setState({ busy: false, opened: `${created.kind.toLowerCase()} request opened (${created.status.toLowerCase()})`, error: null }),
      (e: unknown) => setState({ busy: false, opened: null, error: describeError(e) }),
    );
  };
  return (
    <div className="recommendation">
      <span className={`badge finding-${rec.finding.toLowerCase()}`}>{FINDING_TEXT[rec.finding] ?? rec.finding}</span>
      {actionable && (
        <div className="small">
          {rec.recommendedType ? `→ ${rec.recommendedType}` : "stop or delete"}, saves{" "}
          {formatMoney(rec.estimatedMonthlySavings.amount, rec.estimatedMonthlySavings.currency)}/month, risk{" "}
          {RISK_TEXT[rec.performanceRisk] ?? rec.performanceRisk}
        </div>
      )}
      {actionable && !state.opened && (
        <button
          type="button"
          className="small-button"
          onClick={open}
          disabled={state.busy}
          aria-label={`Open request for ${resource.name ?? resource.resourceId} (${FINDING_TEXT[rec.finding] ?? rec.finding})`}
        >
          {state.busy ? "Opening…" : "Open request"}
        </button>
      )}
      {state.opened && (
        <p role="status" className="small ok">
          {state.opened} — <Link to={tenantPath(tenantId, "approvals")}>see Pending approvals</Link>
        </p>
      )}
      {state.error && (
        <p role="alert" className="small error">
          {state.error}
        </p>
      )}
    </div>
  );
}
