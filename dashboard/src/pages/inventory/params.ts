import type { InventoryFilter, InventoryOrderField, OrderDirection, ResourceKind } from "../../api/generated";

export const KINDS: { value: ResourceKind; label: string }[] = [
  { value: "EC_2_INSTANCE", label: "EC2 instance" },
  { value: "EBS_VOLUME", label: "EBS volume" },
  { value: "RDS_INSTANCE", label: "RDS instance" },
];

export const FILTER_FIELDS = ["kind", "state", "region", "account", "tag", "text"] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
export type FilterValues = Record<FilterField, string>;

export const PAGE_SIZES = [10, 25, 50, 100] as const;

export interface InventoryView {
  filter: FilterValues;
  field: InventoryOrderField;
  direction: OrderDirection;
  size: number;
  after: string | null;
}

const FIELDS: readonly InventoryOrderField[] = ["COST", "NAME", "LAUNCHED_AT"];

/** Reads the page's state from its URL (so a view can be bookmarked and shared). */
export function readView(params: URLSearchParams): InventoryView {
  const filter = Object.fromEntries(FILTER_FIELDS.map((f) => [f, params.get(f)?.trim() ?? ""])) as FilterValues;
  if (!KINDS.some((k) => k.value === filter.kind)) filter.kind = "";
  const field = FIELDS.find((f) => f === params.get("sort")) ?? "COST";
  const dir = params.get("dir");
  const direction: OrderDirection = dir === "ASC" || dir === "DESC" ? dir : field === "NAME" ? "ASC" : "DESC";
  const size = Number(params.get("size"));
  return {
    filter,
    field,
    direction,
    size: (PAGE_SIZES as readonly number[]).includes(size) ? size : 25,
    after: params.get("after") || null,
  };
}

export function writeView(view: InventoryView): URLSearchParams {
  const params = new URLSearchParams();
  for (const f of FILTER_FIELDS) if (view.filter[f]) params.set(f, view.filter[f]);
  if (view.field !== "COST") params.set("sort", view.field);
  params.set("dir", view.direction);
  if (view.size !== 25) params.set("size", String(view.size));
  if (view.after) params.set("after", view.after);
  return params;
}

/** The API's filter: only the given conditions. */
export function toApiFilter(filter: FilterValues): InventoryFilter | null {
  const out: InventoryFilter = {};
  if (filter.kind) out.kind = filter.kind as ResourceKind;
  if (filter.state) out.state = filter.state;
  if (filter.region) out.region = filter.region;
  if (filter.account) out.account = filter.account;
  if (filter.tag) out.tag = filter.tag;
  if (filter.text) out.text = filter.text;
  return Object.keys(out).length ? out : null;
}

/** Clicking a column: the same column flips direction, another starts at its natural order. */
export function sortBy(view: InventoryView, field: InventoryOrderField): InventoryView {
  const direction: OrderDirection =
    view.field === field ? (view.direction === "ASC" ? "DESC" : "ASC") : field === "NAME" ? "ASC" : "DESC";
  return { ...view, field, direction, after: null };
}
