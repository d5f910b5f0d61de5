import { Route, Routes } from "react-router";
import { AuthProvider, RequireAuth } from "./auth/AuthProvider";
import { Layout } from "./components/Layout";
import { Page } from "./pages/lazyPages";
import { CALLBACK_PATH } from "./auth/oidc";

export function App() {
  return (
    <AuthProvider>
      <Routes>
        <Route path="/signin" element={<Page name="signIn" />} />
        <Route path={CALLBACK_PATH} element={<Page name="callback" />} />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          <Route index element={<Page name="summary" />} />
          <Route path="tenants/:tenant" element={<Page name="finops" />} />
          <Route path="tenants/:tenant/approvals" element={<Page name="approvals" />} />
          <Route path="tenants/:tenant/report" element={<Page name="report" />} />
          <Route path="tenants/:tenant/inventory" element={<Page name="inventory" />} />
          <Route path="*" element={<Page name="notFound" />} />
        </Route>
      </Routes>
    </AuthProvider>
  );
}
