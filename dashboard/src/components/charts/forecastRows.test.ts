import { describe, expect, it } from "vitest";
import { monthlyForecastRows } from "./forecastRows";

describe("monthlyForecastRows", () => {
  const f = (mean: string, lower: string, upper: string) => ({ mean, lower, upper });
  it("sums the days of each month exactly and appends the forecast months", () => {
    const rows = monthlyForecastRows(
      [
        { date: "2026-10-30", amount: "0.1" },
        { date: "2026-10-31", amount: "0.2" },
        { date: "2026-11-01", amount: "5" },
      ],
      "2026-11",
      f("150", "140", "160"),
      f("155", "120", "190"),
      "2026-12",
    );
    expect(rows.map((r) => [r.month, r.actualExact, r.forecastExact, r.band])).toEqual([
      ["2026-10", "0.3", "0.3", [0.3, 0.3]],
      ["2026-11", "5", "150", [140, 160]],
      ["2026-12", undefined, "155", [120, 190]],
    ]);
  });
});
