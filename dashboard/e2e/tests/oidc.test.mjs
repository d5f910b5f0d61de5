// Production sign-in: authorization code with PKCE against an identity provider, the API verifying
// the provider's RS256 tokens through its JWKS. A second server process (`serve`) runs on the demo's
// database with the OIDC settings.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { launchBrowser, newSession, watchedPage, axeViolations } from "../support/browser.mjs";
import { startIdentityProvider } from "../support/idp.mjs";
import { startServe } from "../support/server.mjs";
import { assertNoProblems, demoContext } from "./context.mjs";

const demo = demoContext();
const CLIENT_ID = "consoleai-dashboard";
const AUDIENCE = "consoleai-api";
let idp;
let server;
let browser;

before(async () => {
  idp = await startIdentityProvider({
    clientId: CLIENT_ID,
    audience: AUDIENCE,
    claims: { sub: "oidc-manager@example.com", roles: ["manager"], tenants: demo.managerTenants },
  });
  server = await startServe({
    databaseUrl: demo.databaseUrl,
    name: "serve-oidc",
    env: {
      CONSOLEAI_JWT_ALGORITHMS: "RS256",
      CONSOLEAI_JWT_JWKS_URL: `${idp.issuer}/jwks`,
      CONSOLEAI_JWT_ISSUER: idp.issuer,
      CONSOLEAI_JWT_AUDIENCE: AUDIENCE,
      CONSOLEAI_OIDC_ISSUER: idp.issuer,
      CONSOLEAI_OIDC_CLIENT_ID: CLIENT_ID,
      CONSOLEAI_OIDC_SCOPE: "openid profile email",
    },
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.stop();
});

describe("OIDC sign-in", () => {
  it("the server tells the dashboard where to sign in", async () => {
    const config = await (await fetch(`${server.url}/auth/config`)).json();
    assert.equal(config.mode, "oidc");
    assert.equal(config.issuer, idp.issuer);
    assert.equal(config.clientId, CLIENT_ID);
  });

  it("sends the visitor to the provider and back, signed in, with the PKCE verifier checked", async () => {
    const context = await newSession(browser);
    const s = await watchedPage(context);
    try {
      const visited = [];
      s.page.on("request", (r) => r.isNavigationRequest() && r.frame() === s.page.mainFrame() && visited.push(r.url()));
      await s.page.goto(`${server.url}/`);
      await s.page.locator('[data-testid="summary"]').waitFor({ timeout: 30_000 });
      assert.ok(visited.some((u) => u.startsWith(`${idp.issuer}/authorize`)), "went through the provider");
      assert.ok(visited.some((u) => u.startsWith(`${server.url}/signin/callback?code=`)), "came back with a code");
      assert.equal(new URL(s.page.url()).pathname, "/");

      const [authorization] = idp.log.authorizations;
      assert.equal(authorization.code_challenge_method, "S256");
      assert.equal(authorization.redirect_uri, `${server.url}/signin/callback`);
      assert.deepEqual(idp.log.tokenRequests, [{ ok: true, error: null, verifierMatches: true }]);

      const shown = await s.page.locator("tbody tr[data-tenant]").evaluateAll((rows) => rows.map((r) => r.dataset.tenant));
      assert.deepEqual(shown.sort(), [...demo.managerTenants].sort());
      assert.match(await s.page.getByTestId("summary-total").innerText(), /\$\d/);
      assert.match(await s.page.locator(".subject").innerText(), /oidc-manager@example\.com/);
      assert.deepEqual(await axeViolations(s.page), []);
      await assertNoProblems(s);
    } finally {
      await context.close();
    }
  });

  it("the provider refuses a code redeemed without the right verifier", async () => {
    const authorize = new URL(`${idp.issuer}/authorize`);
    Object.entries({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: `${server.url}/signin/callback`,
      state: "s",
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
    }).forEach(([k, v]) => authorize.searchParams.set(k, v));
    const redirect = await fetch(authorize, { redirect: "manual" });
    const code = new URL(redirect.headers.get("location")).searchParams.get("code");
    const refused = await fetch(`${idp.issuer}/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        client_id: CLIENT_ID,
        redirect_uri: `${server.url}/signin/callback`,
        code_verifier: "not-the-verifier-of-that-challenge-xxxxxxxxxxxx",
      }),
    });
    assert.equal(refused.status, 400);
  });
});
