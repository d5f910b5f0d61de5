import { describe, expect, it } from "vitest";
import { readView, sortBy, toApiFilter, writeView } from "./params";

describe("inventory view in the URL", () => {
  it("defaults to cost, highest first, 25 a page", () => {
    const v = readView(new URLSearchParams());
    expect(v).toMatchObject({ field: "COST", direction: "DESC", size: 25, after: null });
    expect(toApiFilter(v.filter)).toBeNull();
  });
  it("round-trips and drops unknown values", () => {
    const v = readView(new URLSearchParams("kind=EBS_VOLUME&region=us-east-1&sort=NAME&size=50&after=abc&text=%20web%20"));
    expect(v.filter).toMatchObject({ kind: "EBS_VOLUME", region: "us-east-1", text: "web" });
    expect(v).toMatchObject({ field: "NAME", direction: "ASC", size: 50, after: "abc" });
    expect(readView(writeView(v))).toEqual(v);
    expect(readView(new URLSearchParams("kind=BOGUS&size=7&sort=X")).filter.kind).toBe("");
    expect(toApiFilter(v.filter)).toEqual({ kind: "EBS_VOLUME", region: "us-east-1", text: "web" });
  });
  it("flips direction on the same column and resets the page", () => {
    const v = readView(new URLSearchParams("after=x"));
    const byCost = sortBy(v, "COST");
    expect(byCost).toMatchObject({ field: "COST", direction: "ASC", after: null });
    expect(sortBy(byCost, "NAME")).toMatchObject({ field: "NAME", direction: "ASC" });
    expect(sortBy(v, "LAUNCHED_AT")).toMatchObject({ field: "LAUNCHED_AT", direction: "DESC" });
  });
});
