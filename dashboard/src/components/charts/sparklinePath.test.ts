import { describe, expect, it } from "vitest";
import { sparklinePath } from "./sparklinePath";

describe("sparklinePath", () => {
  it("spans the width and scales between the series' own extremes", () => {
    expect(sparklinePath([10, 30, 20], 120, 32, 4)).toBe("M4,28L60,4L116,16");
  });
  it("runs a flat series through the middle", () => {
    expect(sparklinePath([5, 5], 120, 32, 4)).toBe("M4,16L116,16");
  });
  it("draws one value as a short stroke, and nothing for none", () => {
    expect(sparklinePath([7], 120, 32, 4)).toBe("M57,16H63");
    expect(sparklinePath([], 120, 32, 4)).toBe("");
  });
});
