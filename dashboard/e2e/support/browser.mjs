// Headless Chromium (the system's, no download) driven by playwright-core, with the checks every
// page gets: no CSP violation, no uncaught error, and an axe-core accessibility audit.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./paths.mjs";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

/**
 * Launches Chromium with a fresh profile: Playwright gives every `launch` a new temporary
 * `--user-data-dir` of its own (and removes it on close); it refuses one in `args`.
 */
export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

const VIEWPORT = { width: 1280, height: 800 };

/** A browser context (its own storage and cache); with a token, already signed in. */
export async function newSession(browser, { token, acceptDownloads = false } = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, acceptDownloads });
  if (token) {
    await context.addInitScript((t) => {
      if (!window.sessionStorage.getItem("consoleai.token")) window.sessionStorage.setItem("consoleai.token", t);
    }, token);
  }
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return context;
}

/**
 * A page whose problems are collected: CSP violations (console "Refused to …" and the
 * `securitypolicyviolation` event), uncaught exceptions, console errors, and every GraphQL
 * request by operation.
 */
export async function watchedPage(context) {
  const page = await context.newPage();
  const problems = [];
  const graphqlOps = [];
  page.on("console", (msg) => {
    const text = msg.text();
    if (/Refused to|Content Security Policy/i.test(text)) problems.push(`CSP: ${text}`);
    else if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of (401|404)/.test(text)) {
      problems.push(`console error: ${text}`);
    }
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === "/graphql") {
      try {
        graphqlOps.push(JSON.parse(req.postData() ?? "{}").operationName ?? "(anonymous)");
      } catch {
        graphqlOps.push("(unreadable)");
      }
    }
  });
  const cspViolations = async () => {
    try {
      return await page.evaluate(() => window.__cspViolations ?? []);
    } catch {
      return [];
    }
  };
  return {
    page,
    graphqlOps,
    /** Every problem so far; the tests assert this is empty. */
    async problems() {
      return [...problems, ...(await cspViolations()).map((v) => `CSP: ${v}`)];
    },
    resetOps() {
      graphqlOps.length = 0;
    },
  };
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeViolations(page) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  // Evaluated through the DevTools protocol, not as an inline script, so the page's CSP stays on.
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } }),
  );
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
}
