// A minimal OpenID Connect provider for the sign-in test: discovery, an /authorize that approves at
// once, a /token that insists on the PKCE verifier matching the S256 challenge, and the JWKS.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer } from "node:http";

const b64url = (buffer) => Buffer.from(buffer).toString("base64url");

export async function startIdentityProvider({ clientId, audience, claims }) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = `e2e-${randomBytes(4).toString("hex")}`;
  const jwk = { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" };
  const codes = new Map();
  const log = { authorizations: [], tokenRequests: [] };
  let issuer = "";

  const mint = (extra) => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
    const payload = b64url(JSON.stringify({ iss: issuer, aud: audience, iat: now, nbf: now, exp: now + 3600, ...claims, ...extra }));
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), privateKey);
    return `${header}.${payload}.${b64url(signature)}`;
  };

  const json = (res, status, body) => {
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Cache-Control": "no-store",
      "Access-Control-Allow-Origin": "*",
      "Access-Control-Allow-Headers": "Content-Type, Accept",
    });
    res.end(JSON.stringify(body));
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    if (req.method === "OPTIONS") return json(res, 204, {});
    if (req.method === "GET" && url.pathname === "/.well-known/openid-configuration") {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        grant_types_supported: ["authorization_code"],
        code_challenge_methods_supported: ["S256"],
        id_token_signing_alg_values_supported: ["RS256"],
        subject_types_supported: ["public"],
      });
    }
    if (req.method === "GET" && url.pathname === "/jwks") return json(res, 200, { keys: [jwk] });
    if (req.method === "GET" && url.pathname === "/authorize") {
      const p = Object.fromEntries(url.searchParams);
      log.authorizations.push(p);
      const problem =
        p.response_type !== "code"
          ? "unsupported_response_type"
          : p.client_id !== clientId
            ? "unauthorized_client"
            : p.code_challenge_method !== "S256" || !/^[A-Za-z0-9_-]{43}$/.test(p.code_challenge ?? "")
              ? "invalid_request"
              : !p.redirect_uri || !p.state
                ? "invalid_request"
                : null;
      if (problem) return json(res, 400, { error: problem });
      const code = b64url(randomBytes(24));
      codes.set(code, { challenge: p.code_challenge, redirectUri: p.redirect_uri, clientId: p.client_id });
      const back = new URL(p.redirect_uri);
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.state);
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }
    if (req.method === "POST" && url.pathname === "/token") {
      let body = "";
      for await (const chunk of req) body += chunk;
      const p = Object.fromEntries(new URLSearchParams(body));
      const grant = codes.get(p.code);
      codes.delete(p.code);
      const verifierMatches =
        grant && typeof p.code_verifier === "string" && b64url(createHash("sha256").update(p.code_verifier).digest()) === grant.challenge;
      const error =
        p.grant_type !== "authorization_code"
          ? "unsupported_grant_type"
          : !grant
            ? "invalid_grant"
            : p.client_id !== grant.clientId || p.redirect_uri !== grant.redirectUri
              ? "invalid_grant"
              : !verifierMatches
                ? "invalid_grant"
                : null;
      log.tokenRequests.push({ ok: !error, error, verifierMatches: Boolean(verifierMatches) });
      if (error) return json(res, 400, { error, error_description: "the code, client, redirect URI or PKCE verifier does not match" });
      return json(res, 200, {
        token_type: "Bearer",
        expires_in: 3600,
        access_token: mint({}),
        id_token: mint({ aud: clientId }),
      });
    }
    json(res, 404, { error: "not_found" });
  });

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    log,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
