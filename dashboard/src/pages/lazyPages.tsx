import { lazy, Suspense, type ComponentType, type LazyExoticComponent } from "react";
import { Loading } from "../components/Status";
import { CALLBACK_PATH } from "../auth/oidc";

// Every page is its own chunk, fetched when it is first shown; `preloadPageFor` starts fetching the
// page the browser opened on while the app starts (and asks /auth/config), so its GraphQL request is
// not held up by a second round trip.

const loaders = {
  summary: () => import("./summary/SummaryPage").then((m) => ({ default: m.SummaryPage })),
  finops: () => import("./finops/TenantFinopsPage").then((m) => ({ default: m.TenantFinopsPage })),
  approvals: () => import("./approvals/PendingApprovalsPage").then((m) => ({ default: m.PendingApprovalsPage })),
  report: () => import("./report/ReportPage").then((m) => ({ default: m.ReportPage })),
  inventory: () => import("./inventory/InventoryPage").then((m) => ({ default: m.InventoryPage })),
  signIn: () => import("./signin/SignInPage").then((m) => ({ default: m.SignInPage })),
  callback: () => import("./signin/CallbackPage").then((m) => ({ default: m.CallbackPage })),
  notFound: () => import("./NotFoundPage").then((m) => ({ default: m.NotFoundPage })),
} satisfies Record<string, () => Promise<{ default: ComponentType }>>;

type PageName = keyof typeof loaders;

/** The page a path shows (the routes of `App`), or null for none in particular. */
export function pageFor(pathname: string): PageName | null {
  if (pathname === "/") return "summary";
  if (pathname === CALLBACK_PATH) return "callback";
  if (pathname === "/signin") return "signIn";
  const m = /^\/tenants\/[^/]+(?:\/(approvals|report|inventory))?\/?$/.exec(pathname);
  if (m) return (m[1] as "approvals" | "report" | "inventory" | undefined) ?? "finops";
  return null;
}

export function preloadPageFor(pathname: string) {
  const page = pageFor(pathname);
  if (page) void loaders[page]();
}

const lazyPages = Object.fromEntries(Object.entries(loaders).map(([name, load]) => [name, lazy(load)])) as Record<
  PageName,
  LazyExoticComponent<ComponentType>
>;

/** A page, with a loading state (announced politely) while its code is fetched. */
export function Page({ name }: { name: PageName }) {
  const Component = lazyPages[name];
  return (
    <Suspense fallback={<Loading label="Loading page" />}>
      <Component />
    </Suspense>
  );
}
