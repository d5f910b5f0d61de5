import { describe, expect, it } from "vitest";
import { pageFor } from "./lazyPages";

describe("pageFor", () => {
  it("names the page of each route", () => {
    expect(pageFor("/")).toBe("summary");
    expect(pageFor("/signin")).toBe("signIn");
    expect(pageFor("/signin/callback")).toBe("callback");
    expect(pageFor("/tenants/ou-ab12-cd34ef56")).toBe("finops");
    expect(pageFor("/tenants/ou-ab12-cd34ef56/")).toBe("finops");
    expect(pageFor("/tenants/VGVuYW50OjE=/approvals")).toBe("approvals");
    expect(pageFor("/tenants/x/report")).toBe("report");
    expect(pageFor("/tenants/x/inventory")).toBe("inventory");
    expect(pageFor("/tenants/x/other")).toBeNull();
    expect(pageFor("/nowhere")).toBeNull();
  });
});
