// Time from navigation to the Tenant FinOps page fully drawn (trend chart and tables rendered with
// data: the page then sets data-drawn="true" and the "finops-drawn" performance mark).
//
//   npm run measure -- --url URL --token TOKEN --tenant OU [--runs N] [--cold-url URL]
//   npm run measure -- --demo [--runs N]
//
// cold: a fresh browser context (empty HTTP cache and storage) each run, against --cold-url if
//       given (start that server with CONSOLEAI_CACHE_TTL_SECS=0 so its cost cache is cold), else --url.
// warm: in one context, a first navigation (fills the browser's cache and the server's), then the
//       measured second navigation.
// Both are measured from the start of page.goto to the attribute appearing (wall), and in the page
// from navigation start to the mark; the page's first contentful paint (the app's shell and the
// page's loading state) and its one GraphQL request (resource timing) are shown apart.
import { launchBrowser, newSession } from "./support/browser.mjs";
import { parseArgs } from "./support/args.mjs";
import { checkPrerequisites } from "./support/paths.mjs";
import { DEMO_SECRET, startDemo, startServe } from "./support/server.mjs";

const args = parseArgs(process.argv.slice(2));
const runs = Number(args.runs ?? 7);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");

let url = args.url;
let coldUrl = args["cold-url"];
let token = args.token;
let tenant = args.tenant;
const cleanups = [];

if (args.demo) {
  checkPrerequisites();
  console.error("starting the demo (warm server) and a second server with the cost cache off (cold)…");
  const demo = await startDemo({ name: "measure-demo" });
  cleanups.push(demo.stop);
  const cold = await startServe({
    databaseUrl: demo.databaseUrl,
    name: "measure-cold",
    env: { CONSOLEAI_CACHE_TTL_SECS: "0", CONSOLEAI_JWT_SECRET: DEMO_SECRET },
  });
  cleanups.push(cold.stop);
  url = demo.url;
  coldUrl = cold.url;
  token = demo.tokens.devops;
  tenant = demo.devopsTenant;
} else {
  checkPrerequisites({ needDist: false });
  if (!url || !token || !tenant) {
    console.error("usage: npm run measure -- --url URL --token TOKEN --tenant OU [--runs N] [--cold-url URL]\n       npm run measure -- --demo [--runs N]");
    process.exit(2);
  }
}
url = url.replace(/\/+$/, "");
coldUrl = (coldUrl ?? url).replace(/\/+$/, "");
const path = `/tenants/${encodeURIComponent(tenant)}`;

async function timedLoad(page, base) {
  const started = performance.now();
  await page.goto(base + path);
  await page.locator('[data-testid="finops"][data-drawn="true"]').waitFor({ timeout: 60_000 });
  const wall = performance.now() - started;
  const { inPage, paint, api } = await page.evaluate(() => ({
    inPage: performance.getEntriesByName("finops-drawn").at(-1)?.startTime ?? NaN,
    paint: performance.getEntriesByName("first-contentful-paint").at(-1)?.startTime ?? NaN,
    api:
      performance
        .getEntriesByType("resource")
        .filter((e) => new URL(e.name).pathname === "/graphql")
        .at(-1)?.duration ?? NaN,
  }));
  return { wall, inPage, paint, api };
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2, p95: at(0.95), min: sorted[0], max: sorted.at(-1) };
}

const browser = await launchBrowser();
const cold = [];
const warm = [];
try {
  // One throw-away load so Chromium's own start-up is not in the first figure.
  {
    const context = await newSession(browser, { token });
    await timedLoad(await context.newPage(), url);
    await context.close();
  }
  for (let i = 0; i < runs; i++) {
    const coldContext = await newSession(browser, { token });
    cold.push(await timedLoad(await coldContext.newPage(), coldUrl));
    await coldContext.close();

    const warmContext = await newSession(browser, { token });
    const page = await warmContext.newPage();
    await timedLoad(page, url);
    warm.push(await timedLoad(page, url));
    await warmContext.close();
  }
} finally {
  await browser.close();
  for (const stop of cleanups.reverse()) await stop();
}

const fmt = (n) => `${n.toFixed(0)} ms`;
const line = (name, samples) => {
  const w = stats(samples.map((s) => s.wall));
  const p = stats(samples.map((s) => s.inPage));
  const a = stats(samples.map((s) => s.api));
  const f = stats(samples.map((s) => s.paint));
  return [
    `${name}:`,
    `  wall, page.goto → drawn:          median ${fmt(w.median)}, p95 ${fmt(w.p95)} (min ${fmt(w.min)}, max ${fmt(w.max)})`,
    `  in page, navigation start → mark: median ${fmt(p.median)}, p95 ${fmt(p.p95)}`,
    `  first contentful paint:           median ${fmt(f.median)}, p95 ${fmt(f.p95)}`,
    `  of which the TenantFinops request: median ${fmt(a.median)}, p95 ${fmt(a.p95)}`,
  ].join("\n");
};
console.log(`Tenant FinOps page ${path}, ${runs} runs each`);
console.log(`cold  at ${coldUrl}; warm at ${url}`);
console.log(line("cold", cold));
console.log(line("warm", warm));
