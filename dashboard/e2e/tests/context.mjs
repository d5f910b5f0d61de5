// What the runner (e2e/run.mjs) hands every test file: the demo server's address, tokens and tenants.
import assert from "node:assert/strict";

export function demoContext() {
  const raw = process.env.CONSOLEAI_E2E;
  assert.ok(raw, "run the browser tests through `npm run e2e`, which starts the demo server");
  return JSON.parse(raw);
}

/** Opens a dashboard path and waits until the page says its data is drawn. */
export async function openPage(watched, url, path, { drawn = true, timeout = 30_000 } = {}) {
  watched.resetOps();
  await watched.page.goto(url + path);
  if (drawn) await watched.page.locator('[data-drawn="true"]').first().waitFor({ timeout });
}

export async function assertNoProblems(watched) {
  assert.deepEqual(await watched.problems(), [], "no CSP violation, uncaught error or console error");
}
