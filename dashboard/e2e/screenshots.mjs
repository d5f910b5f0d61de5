// Screenshots of every page at 1280×800 on the demo data, into ../docs/screenshots/<page>.png.
//   npm run screenshots                     (starts the demo itself)
//   npm run screenshots -- --url URL --token TOKEN --tenant OU
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { launchBrowser, newSession } from "./support/browser.mjs";
import { parseArgs } from "./support/args.mjs";
import { checkPrerequisites, DASHBOARD_DIR } from "./support/paths.mjs";
import { startDemo } from "./support/server.mjs";

const args = parseArgs(process.argv.slice(2));
const out = resolve(DASHBOARD_DIR, args.out ?? "../docs/screenshots");
mkdirSync(out, { recursive: true });

let { url, token, tenant } = args;
let adminToken = args["admin-token"] ?? token;
let stop = async () => {};
if (!url) {
  checkPrerequisites();
  const demo = await startDemo({ name: "screenshots-demo" });
  stop = demo.stop;
  url = demo.url;
  token = demo.tokens.manager;
  adminToken = demo.tokens.admin;
  tenant = demo.devopsTenant;
}

const pages = [
  { name: "summary", path: "/", token: adminToken },
  { name: "tenant-finops", path: `/tenants/${tenant}`, token },
  { name: "pending-approvals", path: `/tenants/${tenant}/approvals`, token, live: true },
  { name: "report", path: `/tenants/${tenant}/report`, token },
  { name: "inventory", path: `/tenants/${tenant}/inventory`, token },
  { name: "signin", path: "/signin" },
];

const browser = await launchBrowser();
try {
  for (const p of pages) {
    const context = await newSession(browser, { token: p.token });
    const page = await context.newPage();
    await page.goto(url + p.path);
    if (p.token) await page.locator('[data-drawn="true"]').first().waitFor({ timeout: 60_000 });
    else await page.getByLabel("Access token").waitFor();
    if (p.live) await page.locator('[data-live="live"]').waitFor();
    await page.mouse.move(0, 0);
    const file = resolve(out, `${p.name}.png`);
    await page.screenshot({ path: file });
    console.log(`wrote ${file}`);
    await context.close();
  }
} finally {
  await browser.close();
  await stop();
}
