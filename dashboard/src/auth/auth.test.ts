import { afterEach, describe, expect, it, vi } from "vitest";
import { base64UrlEncode, challengeOf, createVerifier } from "./pkce";
import { decodeClaims, extractToken, isExpired } from "./token";
import { authorizationUrl, beginSignIn, chooseBearer, completeSignIn, parseAuthConfig } from "./oidc";

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

function jwt(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => base64UrlEncode(new TextEncoder().encode(JSON.stringify(o)));
  return `${enc({ alg: "HS256", typ: "JWT" })}.${enc(claims)}.c2lnbmF0dXJl`;
}

const future = Math.floor(Date.now() / 1000) + 3600;
const token = jwt({ sub: "devops@example.com", exp: future, roles: ["devops"], tenants: ["ou-ab12-cd34ef56"] });

describe("PKCE", () => {
  it("matches the RFC 7636 appendix B example", async () => {
    expect(await challengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });
  it("makes verifiers of the allowed alphabet and length, each different", () => {
    const a = createVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(createVerifier()).not.toBe(a);
  });
});

describe("pasted tokens", () => {
  it("accepts what the demo prints and common variants", () => {
    for (const input of [
      `{"Authorization": "Bearer ${token}"}`,
      `Authorization: Bearer ${token}`,
      `Bearer ${token}`,
      `  ${token}\n`,
    ]) {
      expect(extractToken(input)).toEqual({ token });
    }
  });
  it("explains what is wrong", () => {
    expect(extractToken("")).toHaveProperty("error");
    expect(extractToken("{nope")).toHaveProperty("error");
    expect(extractToken('{"Other": "x"}')).toHaveProperty("error");
    expect(extractToken("not-a-token")).toHaveProperty("error");
    expect(extractToken(jwt({ sub: "x", exp: 1 }))).toEqual({ error: "That token has expired." });
  });
  it("reads claims, a role as a string or list", () => {
    expect(decodeClaims(token)).toEqual({
      sub: "devops@example.com",
      exp: future,
      roles: ["devops"],
      tenants: ["ou-ab12-cd34ef56"],
    });
    expect(decodeClaims(jwt({ sub: "a", roles: "admin" }))?.roles).toEqual(["admin"]);
    expect(decodeClaims("a.%%%.c")).toBeNull();
    expect(isExpired({ exp: 10, roles: [], tenants: [] }, 11)).toBe(true);
    expect(isExpired({ roles: [], tenants: [] })).toBe(false);
  });
});

describe("OIDC", () => {
  const config = { mode: "oidc", issuer: "https://idp.example/", clientId: "dash", scope: "openid" } as const;

  afterEach(() => vi.unstubAllGlobals());

  it("reads the server's auth config", () => {
    expect(parseAuthConfig({ mode: "token" })).toEqual({ mode: "token" });
    expect(parseAuthConfig(null)).toEqual({ mode: "token" });
    expect(parseAuthConfig({ mode: "oidc", issuer: "https://i", clientId: "c" })).toEqual({
      mode: "oidc",
      issuer: "https://i",
      clientId: "c",
      scope: "openid profile email",
      audience: undefined,
    });
  });

  it("builds the authorization request", () => {
    const url = new URL(
      authorizationUrl("https://idp.example/authorize?x=1", { ...config, audience: "api" }, {
        redirectUri: "https://dash/signin/callback",
        state: "s",
        challenge: "c",
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      x: "1",
      response_type: "code",
      client_id: "dash",
      redirect_uri: "https://dash/signin/callback",
      scope: "openid",
      state: "s",
      code_challenge: "c",
      code_challenge_method: "S256",
      audience: "api",
    });
  });

  it("prefers a JWT access token, else the ID token", () => {
    expect(chooseBearer({ access_token: token, id_token: "x.y.z" })).toBe(token);
    expect(chooseBearer({ access_token: "opaque", id_token: token })).toBe(token);
    expect(chooseBearer({ access_token: "opaque" })).toBeNull();
  });

  it("round-trips a sign-in: state checked, verifier sent, its challenge sent first", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    vi.stubGlobal("fetch", async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      if (url.endsWith("/.well-known/openid-configuration")) {
        return new Response(
          JSON.stringify({ authorization_endpoint: "https://idp.example/authorize", token_endpoint: "https://idp.example/token" }),
        );
      }
      return new Response(JSON.stringify({ access_token: "opaque", id_token: token }));
    });
    const storage = new MemoryStorage();
    const redirect = new URL(await beginSignIn(config, "/tenants/x", storage, "https://dash"));
    expect(calls[0]?.url).toBe("https://idp.example/.well-known/openid-configuration");
    const state = redirect.searchParams.get("state")!;
    const challenge = redirect.searchParams.get("code_challenge")!;

    await expect(completeSignIn(config, `?code=abc&state=wrong`, storage)).rejects.toThrow(/state/);

    const redirect2 = new URL(await beginSignIn(config, "/tenants/x", storage, "https://dash"));
    const result = await completeSignIn(config, `?code=abc&state=${redirect2.searchParams.get("state")}`, storage);
    expect(result).toEqual({ token, returnTo: "/tenants/x" });
    const body = new URLSearchParams(String(calls.at(-1)?.init?.body));
    expect(body.get("grant_type")).toBe("authorization_code");
    expect(body.get("redirect_uri")).toBe("https://dash/signin/callback");
    expect(await challengeOf(body.get("code_verifier")!)).toBe(redirect2.searchParams.get("code_challenge"));
    expect(state).not.toBe(redirect2.searchParams.get("state"));
    expect(challenge).not.toBe(redirect2.searchParams.get("code_challenge"));
    // The pending sign-in is used once.
    await expect(completeSignIn(config, `?code=abc&state=x`, storage)).rejects.toThrow(/No sign-in/);
  });

  it("reports the provider's refusal", async () => {
    await expect(completeSignIn(config, "?error=access_denied", new MemoryStorage())).rejects.toThrow(/access_denied/);
  });
});
