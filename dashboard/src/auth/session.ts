// The signed-in person's token, kept for the tab's life (sessionStorage), never in a cookie.
import { decodeClaims, isExpired, type TokenClaims } from "./token";

const TOKEN_KEY = "consoleai.token";

export interface Session {
  token: string;
  claims: TokenClaims;
}

export function loadSession(storage: Storage = sessionStorage): Session | null {
  const token = storage.getItem(TOKEN_KEY);
  if (!token) return null;
  const claims = decodeClaims(token);
  if (!claims || isExpired(claims)) {
    storage.removeItem(TOKEN_KEY);
    return null;
  }
  return { token, claims };
}

export function saveToken(token: string, storage: Storage = sessionStorage): void {
  storage.setItem(TOKEN_KEY, token);
}

export function clearSession(storage: Storage = sessionStorage): void {
  storage.removeItem(TOKEN_KEY);
}
