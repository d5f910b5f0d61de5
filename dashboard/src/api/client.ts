// A small GraphQL-over-HTTP client: one POST per operation, the typed documents from
// `generated.ts`, errors surfaced with the server's `extensions.code`.
import type { DocumentTypeDecoration } from "@graphql-typed-document-node/core";

export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "BAD_USER_INPUT"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "NETWORK";

interface GraphQLErrorBody {
  message: string;
  extensions?: { code?: string };
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(message: string, code: ErrorCode, status: number) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
  }
}

const KNOWN: ReadonlySet<string> = new Set([
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "BAD_USER_INPUT",
  "RATE_LIMITED",
  "INTERNAL",
]);

export function errorFromBody(errors: readonly GraphQLErrorBody[], status: number): ApiError {
  const first = errors[0];
  const raw = first?.extensions?.code;
  const code: ErrorCode = raw && KNOWN.has(raw) ? (raw as ErrorCode) : status === 401 ? "UNAUTHENTICATED" : "INTERNAL";
  return new ApiError(first?.message ?? `The server answered ${status}.`, code, status);
}

/** Called whenever the server says the token is no good, so the app can sign the person out. */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

let bearer: string | null = null;
export function setBearer(token: string | null): void {
  bearer = token;
}
export function currentBearer(): string | null {
  return bearer;
}

export function operationName(document: { toString(): string }): string | undefined {
  return /\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/.exec(document.toString())?.[1];
}

export async function request<TResult, TVariables>(
  document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  let response: Response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify({ query: document.toString(), variables, operationName: operationName(document) }),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === "AbortError") throw e;
    throw new ApiError("The server cannot be reached.", "NETWORK", 0);
  }
  const body = (await response.json().catch(() => null)) as { data?: TResult | null; errors?: GraphQLErrorBody[] } | null;
  if (body?.errors?.length) {
    const error = errorFromBody(body.errors, response.status);
    if (error.code === "UNAUTHENTICATED") onUnauthenticated?.();
    throw error;
  }
  if (!response.ok || !body?.data) {
    if (response.status === 401) onUnauthenticated?.();
    throw new ApiError(`The server answered ${response.status}.`, response.status === 401 ? "UNAUTHENTICATED" : "INTERNAL", response.status);
  }
  return body.data;
}

/** What to tell a person about an error, in words. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "UNAUTHENTICATED":
        return "Your sign-in is no longer valid. Sign in again.";
      case "FORBIDDEN":
        return "Your role does not allow this.";
      case "NOT_FOUND":
        return "Not found, or not one of your tenants.";
      case "CONFLICT":
        return "Someone changed this in the meantime.";
      case "RATE_LIMITED":
        return "Too many requests for now. Wait a moment and try again.";
      case "NETWORK":
        return "The server cannot be reached. Check your connection and try again.";
      case "BAD_USER_INPUT":
        return error.message;
      default:
        return "The server could not answer. Try again later.";
    }
  }
  return error instanceof Error ? error.message : String(error);
}
