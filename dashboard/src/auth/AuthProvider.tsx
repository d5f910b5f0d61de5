import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { setBearer, setUnauthenticatedHandler } from "../api/client";
import { beginSignIn, fetchAuthConfig, type AuthConfig } from "./oidc";
import { clearSession, loadSession, saveToken, type Session } from "./session";
import { decodeClaims } from "./token";
import { Loading } from "../components/Status";

interface AuthContextValue {
  /** Null until /auth/config has answered. */
  config: AuthConfig | null;
  session: Session | null;
  signIn: (token: string) => void;
  signOut: () => void;
}

const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [config, setConfig] = useState<AuthConfig | null>(null);
  const [session, setSession] = useState<Session | null>(() => loadSession());
  // The API client reads the bearer synchronously; keep it equal to the session.
  setBearer(session?.token ?? null);

  useEffect(() => {
    let live = true;
    void fetchAuthConfig().then((c) => live && setConfig(c));
    return () => {
      live = false;
    };
  }, []);

  const signIn = useCallback((token: string) => {
    const claims = decodeClaims(token);
    if (!claims) return;
    saveToken(token);
    setBearer(token);
    setSession({ token, claims });
  }, []);

  const signOut = useCallback(() => {
    clearSession();
    setBearer(null);
    setSession(null);
  }, []);

  useEffect(() => {
    setUnauthenticatedHandler(signOut);
    return () => setUnauthenticatedHandler(null);
  }, [signOut]);

  const value = useMemo(() => ({ config, session, signIn, signOut }), [config, session, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}

/** Pages behind sign-in: without a session, the paste-a-token page or the identity provider. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { config, session } = useAuth();
  const location = useLocation();
  const returnTo = location.pathname + location.search;
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (session || config?.mode !== "oidc") return;
    beginSignIn(config, returnTo).then(
      (url) => window.location.assign(url),
      (e: unknown) => setFailure(e instanceof Error ? e.message : String(e)),
    );
  }, [session, config, returnTo]);

  if (session) return <>{children}</>;
  if (config === null) return <Loading label="Starting" />;
  if (config.mode === "token") return <Navigate to={`/signin?returnTo=${encodeURIComponent(returnTo)}`} replace />;
  if (failure) return <Navigate to={`/signin?error=${encodeURIComponent(failure)}`} replace />;
  return <Loading label="Signing you in with your identity provider" />;
}
