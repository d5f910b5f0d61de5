import { describe, expect, it } from "vitest";
import { reportFileName, sameOriginUrl } from "./download";

describe("report download", () => {
  it("only follows addresses on this site", () => {
    expect(sameOriginUrl("/reports/ou-a/2026-11.pdf", "https://dash.example")?.href).toBe(
      "https://dash.example/reports/ou-a/2026-11.pdf",
    );
    expect(sameOriginUrl("https://dash.example/reports/x.pdf", "https://dash.example")).not.toBeNull();
    expect(sameOriginUrl("https://evil.example/reports/x.pdf", "https://dash.example")).toBeNull();
    expect(sameOriginUrl("//evil.example/x.pdf", "https://dash.example")).toBeNull();
  });
  it("names the file", () => {
    expect(reportFileName("ou-ab12-cd34ef56", "2026-11")).toBe("consoleai-ou-ab12-cd34ef56-2026-11.pdf");
    expect(reportFileName("a/b", "2026-11")).toBe("consoleai-a_b-2026-11.pdf");
  });
});
