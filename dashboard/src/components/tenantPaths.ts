export type TenantSection = "finops" | "approvals" | "report" | "inventory";

export function tenantPath(tenant: string, section: TenantSection = "finops"): string {
  const base = `/tenants/${encodeURIComponent(tenant)}`;
  return section === "finops" ? base : `${base}/${section}`;
}
