import { describe, expect, it } from "vitest";
import { compareDecimals, parseDecimal, roundDecimal, signOf, sumDecimals } from "./decimal";
import { formatMoney, formatPercent, formatShare, formatSignedMoney, formatTotals } from "./money";
import { currentMonth, formatDay, formatMonth, isMonth } from "./dates";

describe("decimal", () => {
  it("parses and rejects", () => {
    expect(parseDecimal("-12.340")).toEqual({ units: -12340n, scale: 3 });
    expect(() => parseDecimal("1e5")).toThrow();
    expect(() => parseDecimal("abc")).toThrow();
  });
  it("sums exactly where floats would not", () => {
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(sumDecimals(["12345678901234567.89", "0.01"])).toBe("12345678901234567.90");
    expect(sumDecimals(["-5", "2.5"])).toBe("-2.5");
    expect(sumDecimals([])).toBe("0");
  });
  it("rounds half away from zero", () => {
    expect(roundDecimal("1.005", 2)).toBe("1.01");
    expect(roundDecimal("-1.005", 2)).toBe("-1.01");
    expect(roundDecimal("-0.004", 2)).toBe("0.00");
    expect(roundDecimal("7", 2)).toBe("7.00");
    expect(roundDecimal("2.4999", 0)).toBe("2");
  });
  it("compares and signs", () => {
    expect(compareDecimals("10.0", "9.99")).toBe(1);
    expect(compareDecimals("-1", "-1.00")).toBe(0);
    expect(signOf("-0.00")).toBe(0);
    expect(signOf("-0.01")).toBe(-1);
  });
});

describe("money", () => {
  it("formats currency amounts from strings", () => {
    expect(formatMoney("1234567.885")).toBe("$1,234,567.89");
    expect(formatMoney("0")).toBe("$0.00");
    expect(formatMoney("-12.5", "USD")).toBe("-$12.50");
    expect(formatMoney("10", "EUR")).toBe("€10.00");
    expect(formatMoney("99999999999999999.99")).toBe("$99,999,999,999,999,999.99");
  });
  it("formats signed deltas", () => {
    expect(formatSignedMoney("12.3")).toBe("+$12.30");
    expect(formatSignedMoney("-12.3")).toBe("−$12.30");
    expect(formatSignedMoney("0.001")).toBe("$0.00");
  });
  it("joins totals per currency", () => {
    expect(formatTotals([])).toBe("$0.00");
    expect(formatTotals([{ amount: "1", currency: "USD" }, { amount: "2", currency: "EUR" }])).toBe("$1.00 + €2.00");
  });
  it("formats percentages", () => {
    expect(formatPercent("12.345")).toBe("+12.3 %");
    expect(formatPercent("-0.04")).toBe("0.0 %");
    expect(formatPercent("-3.25", 2)).toBe("−3.25 %");
    expect(formatPercent(null)).toBe("—");
    expect(formatShare("42.25")).toBe("42.3 %");
  });
});

describe("dates", () => {
  it("formats calendar dates without time zones", () => {
    expect(formatDay("2026-11-05")).toBe("Nov 5");
    expect(formatMonth("2026-09-01")).toBe("Sep 2026");
    expect(formatMonth("2026-09")).toBe("Sep 2026");
  });
  it("knows the current month and valid months", () => {
    expect(currentMonth(new Date(Date.UTC(2026, 0, 31, 23)))).toBe("2026-01");
    expect(isMonth("2026-12")).toBe(true);
    expect(isMonth("2026-13")).toBe(false);
  });
});

import { recentMonths } from "./dates";
describe("recentMonths", () => {
  it("walks back across years", () => {
    expect(recentMonths("2026-02", 3)).toEqual(["2026-02", "2026-01", "2025-12"]);
  });
});

import { nextMonthOf } from "./dates";
describe("nextMonthOf", () => {
  it("rolls over the year", () => {
    expect(nextMonthOf("2026-12")).toBe("2027-01");
    expect(nextMonthOf("2026-09")).toBe("2026-10");
  });
});
