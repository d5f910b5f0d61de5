import { useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useAuth } from "../../auth/AuthProvider";
import { completeSignIn } from "../../auth/oidc";
import { Loading } from "../../components/Status";
import { safeReturnTo } from "./SignInPage";

/** Where the identity provider sends the browser back with the authorization code. */
export function CallbackPage() {
  const { config, signIn } = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  useEffect(() => {
    if (!config || started.current) return;
    started.current = true;
    if (config.mode !== "oidc") {
      setError("This server does not use an identity provider.");
      return;
    }
    completeSignIn(config, window.location.search).then(
      ({ token, returnTo }) => {
        signIn(token);
        void navigate(safeReturnTo(returnTo), { replace: true });
      },
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
  }, [config, signIn, navigate]);

  if (!error) return <Loading label="Completing sign-in" />;
  return (
    <main id="main" className="signin">
      <h1>Sign-in did not complete</h1>
      <p role="alert" className="error">
        {error}
      </p>
      <p>
        <Link to="/signin">Try again</Link>
      </p>
    </main>
  );
}
