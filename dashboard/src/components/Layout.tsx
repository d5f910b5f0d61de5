import { useEffect, useId } from "react";
import { NavLink, Outlet, useMatch, useNavigate } from "react-router";
import { useAuth } from "../auth/AuthProvider";
import { tenantPath, type TenantSection } from "./tenantPaths";

const LAST_TENANT_KEY = "consoleai.tenant";

const SECTIONS: { section: TenantSection; label: string }[] = [
  { section: "finops", label: "Tenant FinOps" },
  { section: "approvals", label: "Pending approvals" },
  { section: "report", label: "Report" },
  { section: "inventory", label: "Inventory" },
];

function currentSection(path: string | undefined): TenantSection {
  const last = path?.split("/")[3];
  return last === "approvals" || last === "report" || last === "inventory" ? last : "finops";
}

export function Layout() {
  const { session, signOut } = useAuth();
  const match = useMatch("/tenants/:tenant/*");
  const navigate = useNavigate();
  const selectId = useId();
  const tenantInUrl = match?.params.tenant;
  useEffect(() => {
    if (tenantInUrl) sessionStorage.setItem(LAST_TENANT_KEY, tenantInUrl);
  }, [tenantInUrl]);
  const tenant = tenantInUrl ?? sessionStorage.getItem(LAST_TENANT_KEY) ?? session?.claims.tenants[0];
  const choices = [...new Set([...(session?.claims.tenants ?? []), ...(tenant ? [tenant] : [])])];
  const section = currentSection(match?.pathname);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">consoleai</span>
        <nav aria-label="Main">
          <ul>
            <li>
              <NavLink to="/" end>
                Summary
              </NavLink>
            </li>
            {tenant &&
              SECTIONS.map(({ section: s, label }) => (
                <li key={s}>
                  <NavLink to={tenantPath(tenant, s)} end>
                    {label}
                  </NavLink>
                </li>
              ))}
          </ul>
        </nav>
        <div className="who">
          {choices.length > 1 && (
            <span className="tenant-picker">
              <label htmlFor={selectId}>Tenant</label>
              <select
                id={selectId}
                value={tenant}
                onChange={(e) => void navigate(tenantPath(e.target.value, section))}
              >
                {choices.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </span>
          )}
          <span className="subject" title="Signed in as">
            {session?.claims.sub ?? "signed in"}
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
