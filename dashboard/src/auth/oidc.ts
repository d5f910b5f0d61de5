// OpenID Connect sign-in: authorization code with PKCE against the identity provider the server
// names at /auth/config. The code verifier and state live in sessionStorage between the redirect
// out and the redirect back.
import { isJwt } from "./token";
import { challengeOf, createVerifier, randomToken } from "./pkce";

export type AuthConfig =
  | { mode: "token" }
  | { mode: "oidc"; issuer: string; clientId: string; scope: string; audience?: string };

export interface ProviderMetadata {
  authorization_endpoint: string;
  token_endpoint: string;
}

export interface PendingSignIn {
  state: string;
  verifier: string;
  returnTo: string;
  redirectUri: string;
}

export const CALLBACK_PATH = "/signin/callback";
const PENDING_KEY = "consoleai.oidc.pending";

export function parseAuthConfig(json: unknown): AuthConfig {
  if (json && typeof json === "object") {
    const c = json as Record<string, unknown>;
    if (c.mode === "oidc" && typeof c.issuer === "string" && typeof c.clientId === "string") {
      return {
        mode: "oidc",
        issuer: c.issuer,
        clientId: c.clientId,
        scope: typeof c.scope === "string" && c.scope !== "" ? c.scope : "openid profile email",
        audience: typeof c.audience === "string" && c.audience !== "" ? c.audience : undefined,
      };
    }
  }
  return { mode: "token" };
}

export async function fetchAuthConfig(): Promise<AuthConfig> {
  try {
    const response = await fetch("/auth/config", { headers: { Accept: "application/json" } });
    if (!response.ok) return { mode: "token" };
    return parseAuthConfig(await response.json());
  } catch {
    return { mode: "token" };
  }
}

export function discoveryUrl(issuer: string): string {
  return issuer.replace(/\/+$/, "") + "/.well-known/openid-configuration";
}

export async function discover(issuer: string): Promise<ProviderMetadata> {
  const response = await fetch(discoveryUrl(issuer), { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`The identity provider's discovery document answered ${response.status}.`);
  const json = (await response.json()) as Partial<ProviderMetadata>;
  if (typeof json.authorization_endpoint !== "string" || typeof json.token_endpoint !== "string") {
    throw new Error("The identity provider's discovery document lacks its endpoints.");
  }
  return { authorization_endpoint: json.authorization_endpoint, token_endpoint: json.token_endpoint };
}

export function authorizationUrl(
  endpoint: string,
  config: Extract<AuthConfig, { mode: "oidc" }>,
  params: { redirectUri: string; state: string; challenge: string },
): string {
  const url = new URL(endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("redirect_uri", params.redirectUri);
  url.searchParams.set("scope", config.scope);
  url.searchParams.set("state", params.state);
  url.searchParams.set("code_challenge", params.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  if (config.audience) url.searchParams.set("audience", config.audience);
  return url.toString();
}

/** Prepares the PKCE pair and state, remembers them, and returns where to send the browser. */
export async function beginSignIn(
  config: Extract<AuthConfig, { mode: "oidc" }>,
  returnTo: string,
  storage: Storage = sessionStorage,
  origin: string = location.origin,
): Promise<string> {
  const metadata = await discover(config.issuer);
  const verifier = createVerifier();
  const pending: PendingSignIn = {
    state: randomToken(16),
    verifier,
    returnTo,
    redirectUri: origin + CALLBACK_PATH,
  };
  storage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizationUrl(metadata.authorization_endpoint, config, {
    redirectUri: pending.redirectUri,
    state: pending.state,
    challenge: await challengeOf(verifier),
  });
}

/** The bearer to use: the access token when it is a JWT (the API verifies JWTs), else the ID token. */
export function chooseBearer(tokens: { access_token?: unknown; id_token?: unknown }): string | null {
  if (typeof tokens.access_token === "string" && isJwt(tokens.access_token)) return tokens.access_token;
  if (typeof tokens.id_token === "string" && isJwt(tokens.id_token)) return tokens.id_token;
  return null;
}

/** Handles the redirect back: checks the state, redeems the code with the verifier. */
export async function completeSignIn(
  config: Extract<AuthConfig, { mode: "oidc" }>,
  search: string,
  storage: Storage = sessionStorage,
): Promise<{ token: string; returnTo: string }> {
  const params = new URLSearchParams(search);
  const raw = storage.getItem(PENDING_KEY);
  storage.removeItem(PENDING_KEY);
  const error = params.get("error");
  if (error) throw new Error(`The identity provider refused: ${params.get("error_description") ?? error}.`);
  if (!raw) throw new Error("No sign-in was in progress in this tab. Start again.");
  const pending = JSON.parse(raw) as PendingSignIn;
  const code = params.get("code");
  if (!code) throw new Error("The identity provider sent no authorization code.");
  if (params.get("state") !== pending.state) throw new Error("The sign-in answer does not match the request (state). Start again.");
  const metadata = await discover(config.issuer);
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code,
    redirect_uri: pending.redirectUri,
    client_id: config.clientId,
    code_verifier: pending.verifier,
  });
  const response = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body,
  });
  const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const reason = typeof json.error_description === "string" ? json.error_description : json.error;
    throw new Error(`The identity provider did not issue a token (${String(reason ?? response.status)}).`);
  }
  const token = chooseBearer(json);
  if (!token) throw new Error("The identity provider's answer holds no usable token.");
  return { token, returnTo: pending.returnTo || "/" };
}
