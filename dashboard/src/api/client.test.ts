import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, describeError, errorFromBody, operationName, request, setBearer, setUnauthenticatedHandler } from "./client";

const doc = Object.assign(new String("query Summary($first: Int) { viewer { subject } }"), {}) as unknown as {
  toString(): string;
  __apiType?: (v: { first?: number }) => { viewer: { subject: string } };
};

describe("GraphQL client", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    setBearer(null);
    setUnauthenticatedHandler(null);
  });

  it("names the operation", () => {
    expect(operationName(doc)).toBe("Summary");
    expect(operationName({ toString: () => "mutation ApproveRequest { x }" })).toBe("ApproveRequest");
  });

  it("reads the server's error codes", () => {
    expect(errorFromBody([{ message: "stale", extensions: { code: "CONFLICT" } }], 200).code).toBe("CONFLICT");
    expect(errorFromBody([{ message: "?" }], 401).code).toBe("UNAUTHENTICATED");
    expect(errorFromBody([{ message: "?", extensions: { code: "WEIRD" } }], 500).code).toBe("INTERNAL");
    expect(describeError(new ApiError("x", "RATE_LIMITED", 429))).toMatch(/Too many/);
  });

  it("sends the bearer and the operation, returns data", async () => {
    const calls: RequestInit[] = [];
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit) => {
      calls.push(init);
      return new Response(JSON.stringify({ data: { viewer: { subject: "me" } } }));
    });
    setBearer("t0k");
    await expect(request(doc as never, { first: 1 })).resolves.toEqual({ viewer: { subject: "me" } });
    expect((calls[0]?.headers as Record<string, string>).Authorization).toBe("Bearer t0k");
    expect(JSON.parse(String(calls[0]?.body))).toMatchObject({ operationName: "Summary", variables: { first: 1 } });
  });

  it("signs out on UNAUTHENTICATED", async () => {
    vi.stubGlobal("fetch", async () =>
      new Response(JSON.stringify({ errors: [{ message: "no", extensions: { code: "UNAUTHENTICATED" } }] }), { status: 401 }),
    );
    const signOut = vi.fn();
    setUnauthenticatedHandler(signOut);
    await expect(request(doc as never, {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(signOut).toHaveBeenCalledOnce();
  });

  it("says when the server cannot be reached", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("failed to fetch");
    });
    await expect(request(doc as never, {})).rejects.toMatchObject({ code: "NETWORK" });
  });
});
