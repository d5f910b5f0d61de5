import { useId, useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { beginSignIn } from "../../auth/oidc";
import { extractToken } from "../../auth/token";
import { Loading } from "../../components/Status";

/** Only same-site paths are followed after sign-in. */
export function safeReturnTo(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export function SignInPage() {
  const { config, session, signIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnTo = safeReturnTo(params.get("returnTo"));
  const [input, setInput] = useState("");
  const [error, setError] = useState<string | null>(params.get("error"));
  const [busy, setBusy] = useState(false);
  const fieldId = useId();
  const helpId = useId();
  const errorId = useId();

  if (session) return <Navigate to={returnTo} replace />;
  if (config === null) return <Loading label="Starting" />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = extractToken(input);
    if ("error" in result) {
      setError(result.error);
      return;
    }
    signIn(result.token);
    void navigate(returnTo, { replace: true });
  };

  const providerSignIn = () => {
    if (config.mode !== "oidc") return;
    setBusy(true);
    beginSignIn(config, returnTo).then(
      (url) => window.location.assign(url),
      (e: unknown) => {
        setBusy(false);
        setError(e instanceof Error ? e.message : String(e));
      },
    );
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to consoleai</h1>
      {config.mode === "oidc" ? (
        <section aria-labelledby="oidc-title" className="card">
          <h2 id="oidc-title">Your organisation's sign-in</h2>
          <p>You will be sent to your identity provider and back.</p>
          <button type="button" className="primary" onClick={providerSignIn} disabled={busy}>
            {busy ? "Redirecting…" : "Sign in"}
          </button>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
        </section>
      ) : (
        <form onSubmit={submit} className="card" noValidate>
          <label htmlFor={fieldId}>Access token</label>
          <p id={helpId} className="hint">
            Paste a token as the demo prints it — <code>{'{"Authorization": "Bearer …"}'}</code> — or just the token.
            It stays in this browser tab only.
          </p>
          <textarea
            id={fieldId}
            name="token"
            rows={5}
            value={input}
            onChange={(e) => setInput(e.target.value)}
            aria-describedby={error ? `${helpId} ${errorId}` : helpId}
            aria-invalid={error ? true : undefined}
            spellCheck={false}
            autoComplete="off"
          />
          {error && (
            <p id={errorId} role="alert" className="error">
              {error}
            </p>
          )}
          <button type="submit" className="primary">
            Sign in
          </button>
        </form>
      )}
    </main>
  );
}
