import { describe, expect, it } from "vitest";
import { monthAfter, trendRows } from "./trendRows";

describe("trendRows", () => {
  const actual = [
    { date: "2026-11-28", amount: "10.5" },
    { date: "2026-11-29", amount: "12" },
  ];
  const f = (date: string, mean: string, lower: string, upper: string) => ({ date, mean, lower, upper });

  it("keeps the actual days alone without a forecast", () => {
    expect(trendRows(actual)).toEqual([
      { date: "2026-11-28", cost: 10.5, costExact: "10.5" },
      { date: "2026-11-29", cost: 12, costExact: "12" },
    ]);
  });

  it("appends the forecast after the last actual day, starting the band from it", () => {
    const rows = trendRows(actual, [f("2026-12-01", "14", "9", "19"), f("2026-11-30", "13", "10", "16")]);
    expect(rows.map((r) => [r.date, r.costExact, r.forecast, r.forecastExact, r.band])).toEqual([
      ["2026-11-28", "10.5", undefined, undefined, undefined],
      ["2026-11-29", "12", 12, undefined, [12, 12]],
      ["2026-11-30", undefined, 13, "13", [10, 16]],
      ["2026-12-01", undefined, 14, "14", [9, 19]],
    ]);
    expect(rows[2]).toMatchObject({ lowerExact: "10", upperExact: "16" });
  });

  it("drops forecast days already covered and those past the horizon", () => {
    const rows = trendRows(
      actual,
      [f("2026-11-29", "1", "1", "1"), f("2026-12-31", "2", "1", "3"), f("2027-01-01", "2", "1", "3")],
      monthAfter("2026-11-29"),
    );
    expect(rows.map((r) => r.date)).toEqual(["2026-11-28", "2026-11-29", "2026-12-31"]);
  });

  it("draws a forecast with no actual days", () => {
    expect(trendRows([], [f("2026-12-01", "2", "1", "3")])).toEqual([
      { date: "2026-12-01", forecast: 2, forecastExact: "2", lowerExact: "1", upperExact: "3", band: [1, 3] },
    ]);
  });
});

describe("monthAfter", () => {
  it("rolls over the year", () => {
    expect(monthAfter("2026-12-31")).toBe("2027-01");
    expect(monthAfter("2026-11-29")).toBe("2026-12");
  });
});
