// Reading the bearer token a person pastes, and what its (unverified) claims say. The server
// verifies every token; the dashboard only reads the claims to label the page and to know when
// the token runs out.

export interface TokenClaims {
  sub?: string;
  exp?: number;
  roles: string[];
  tenants: string[];
}

function base64UrlDecode(segment: string): string {
  const base64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function isJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/**
 * Accepts what the demo prints (`{"Authorization": "Bearer …"}`), a header line
 * (`Authorization: Bearer …`), `Bearer …`, or the bare token; returns the bare token or an error.
 */
export function extractToken(input: string): { token: string } | { error: string } {
  let text = input.trim();
  if (text === "") return { error: "Paste a token first." };
  if (text.startsWith("{")) {
    try {
      const parsed: unknown = JSON.parse(text);
      const header =
        parsed && typeof parsed === "object"
          ? Object.entries(parsed as Record<string, unknown>).find(([k]) => k.toLowerCase() === "authorization")?.[1]
          : undefined;
      if (typeof header !== "string") return { error: "That JSON has no Authorization header." };
      text = header.trim();
    } catch {
      return { error: "That looks like JSON but does not parse." };
    }
  }
  text = text.replace(/^authorization\s*:\s*/i, "").replace(/^bearer\s+/i, "").trim();
  if (!isJwt(text)) return { error: "That is not a JSON Web Token (three dot-separated parts)." };
  const claims = decodeClaims(text);
  if (!claims) return { error: "The token's claims cannot be read." };
  if (isExpired(claims)) return { error: "That token has expired." };
  return { token: text };
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

export function decodeClaims(token: string, rolesClaim = "roles", tenantsClaim = "tenants"): TokenClaims | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const json: unknown = JSON.parse(base64UrlDecode(payload));
    if (!json || typeof json !== "object") return null;
    const c = json as Record<string, unknown>;
    return {
      sub: typeof c.sub === "string" ? c.sub : undefined,
      exp: typeof c.exp === "number" ? c.exp : undefined,
      roles: stringList(c[rolesClaim] ?? c.role),
      tenants: stringList(c[tenantsClaim]),
    };
  } catch {
    return null;
  }
}

export function isExpired(claims: TokenClaims, nowSeconds = Date.now() / 1000): boolean {
  return claims.exp !== undefined && claims.exp <= nowSeconds;
}
