import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const DASHBOARD_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const DIST_DIR = resolve(DASHBOARD_DIR, "dist");
export const OUTPUT_DIR = resolve(DASHBOARD_DIR, "e2e/output");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** The server binary: $CONSOLEAI_BIN, else the workspace's debug build. */
export function serverBinary() {
  return resolve(DASHBOARD_DIR, process.env.CONSOLEAI_BIN ?? "../target/debug/consoleai");
}

/** Stops with one clear line when something the tests need is missing. */
export function checkPrerequisites({ needDist = true } = {}) {
  const problems = [];
  if (!existsSync(CHROMIUM)) {
    problems.push(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  const bin = serverBinary();
  if (!existsSync(bin)) {
    problems.push(`The consoleai server binary is missing at ${bin}: build it with \`cargo build --bin consoleai\` or set CONSOLEAI_BIN.`);
  }
  if (needDist && !existsSync(resolve(DIST_DIR, "index.html"))) {
    problems.push(`The built dashboard is missing at ${DIST_DIR}: run \`npm run build\` first.`);
  }
  if (problems.length) {
    for (const p of problems) console.error(`error: ${p}`);
    process.exit(1);
  }
}
