import { describe, expect, it } from "vitest";
import { totalsByCurrency } from "./totals";

describe("totalsByCurrency", () => {
  it("adds per currency without float error", () => {
    expect(
      totalsByCurrency([
        { amount: "0.1", currency: "USD" },
        { amount: "10", currency: "EUR" },
        { amount: "0.2", currency: "USD" },
      ]),
    ).toEqual([
      { amount: "0.3", currency: "USD" },
      { amount: "10", currency: "EUR" },
    ]);
    expect(totalsByCurrency([])).toEqual([]);
  });
});
