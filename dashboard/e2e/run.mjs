// `npm run e2e`: starts the demo server (the binary from $CONSOLEAI_BIN, serving dist/), then runs
// the browser tests in e2e/tests one file after another, then stops the server.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { checkPrerequisites, DASHBOARD_DIR } from "./support/paths.mjs";
import { startDemo } from "./support/server.mjs";

checkPrerequisites();

const files = ["token.test.mjs", "oidc.test.mjs"].map((f) => join("e2e", "tests", f));
const started = Date.now();
console.log("starting the demo server (generates and imports a demo organisation)…");
const demo = await startDemo();
console.log(`demo ready at ${demo.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

let child;
const stopAll = async () => {
  child?.kill("SIGTERM");
  await demo.stop();
};
process.on("SIGINT", () => void stopAll().then(() => process.exit(130)));

const { stop: _stop, ...shared } = demo;
child = spawn(process.execPath, ["--test", "--test-concurrency=1", "--test-reporter=spec", ...files], {
  cwd: DASHBOARD_DIR,
  stdio: "inherit",
  env: { ...process.env, CONSOLEAI_E2E: JSON.stringify(shared) },
});
const code = await new Promise((resolve) => child.once("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
await demo.stop();
console.log(`e2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s with status ${code}`);
process.exit(code);
