// Starts the real consoleai server for the browser tests: `demo` (generates, imports and serves a
// demo organisation, printing tokens) and `serve` (another process on the same database).
import { spawn, execFile } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { DIST_DIR, OUTPUT_DIR, serverBinary } from "./paths.mjs";

export const DEMO_SECRET = "consoleai-demo-secret-for-local-use-only";

function logFile(name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  return createWriteStream(join(OUTPUT_DIR, `${name}.log`));
}

function bearerOf(line) {
  const m = /"Bearer ([^"]+)"/.exec(line);
  return m ? m[1] : null;
}

/**
 * Parses what `consoleai demo` prints: the address, then a token after each of the three labels.
 * Returns null until the whole banner has been read.
 */
export function parseDemoBanner(text) {
  if (!text.includes("Ctrl-C stops the server")) return null;
  const lines = text.split("\n");
  const address = /GraphiQL: (http:\/\/[^/\s]+)\/graphiql/.exec(text)?.[1];
  const after = (prefix) => {
    const i = lines.findIndex((l) => l.startsWith(prefix));
    return i < 0 ? null : { label: lines[i], token: bearerOf(lines[i + 1] ?? "") };
  };
  const devops = after("DevOps of ");
  const manager = after("Manager of ");
  const admin = after("Admin (all tenants)");
  if (!address || !devops?.token || !manager?.token || !admin?.token) {
    throw new Error(`cannot read the demo's banner:\n${text}`);
  }
  return {
    url: address,
    tokens: { devops: devops.token, manager: manager.token, admin: admin.token },
    devopsTenant: /DevOps of (\S+):/.exec(devops.label)[1],
    managerTenants: /Manager of (.+):/.exec(manager.label)[1].split(",").map((s) => s.trim()),
    printed: { devops: lines[lines.indexOf(devops.label) + 1] },
  };
}

function stopper(child) {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
}

/** Starts `consoleai demo` in a fresh temporary directory. */
export async function startDemo({ cacheTtlSecs, timeoutMs = 240_000, name = "demo" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "consoleai-e2e-"));
  const databaseUrl = `sqlite://${join(dir, "demo.db")}?mode=rwc`;
  const env = {
    ...process.env,
    CONSOLEAI_DATABASE_URL: databaseUrl,
    CONSOLEAI_BIND: "127.0.0.1:0",
    CONSOLEAI_DASHBOARD_DIR: DIST_DIR,
    CONSOLEAI_LOG_FORMAT: "text",
    RUST_LOG: process.env.RUST_LOG ?? "warn",
  };
  if (cacheTtlSecs !== undefined) env.CONSOLEAI_CACHE_TTL_SECS = String(cacheTtlSecs);
  const child = spawn(serverBinary(), ["demo", "--data-dir", join(dir, "demo-data")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = logFile(name);
  child.stderr.pipe(log);
  let stdout = "";
  const stop = stopper(child);
  const banner = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      log.write(chunk);
      try {
        const parsed = parseDemoBanner(stdout);
        if (parsed) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch (e) {
        clearTimeout(timer);
        reject(e);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with status ${code}; see e2e/output/${name}.log`));
    });
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { ...banner, dir, databaseUrl, stop };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForHttp(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts `consoleai serve` on an existing database, on a port of its own. */
export async function startServe({ databaseUrl, env: extra = {}, name = "serve" }) {
  const port = await freePort();
  const child = spawn(serverBinary(), ["serve"], {
    env: {
      ...process.env,
      CONSOLEAI_DATABASE_URL: databaseUrl,
      CONSOLEAI_BIND: `127.0.0.1:${port}`,
      CONSOLEAI_DASHBOARD_DIR: DIST_DIR,
      CONSOLEAI_LOG_FORMAT: "text",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
      ...extra,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = logFile(name);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const stop = stopper(child);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((_, reject) =>
    child.once("exit", (code) => reject(new Error(`consoleai serve exited with status ${code}; see e2e/output/${name}.log`))),
  );
  try {
    await Promise.race([waitForHttp(`${url}/healthz`), exited]);
  } catch (e) {
    await stop();
    throw e;
  }
  exited.catch(() => {});
  return { url, stop };
}

/** Mints an HS256 token with the demo's secret. */
export async function mintToken({ sub, role, tenants = [] }) {
  const args = ["token", "--jwt-secret", DEMO_SECRET, "--sub", sub, "--role", role];
  for (const t of tenants) args.push("--tenant", t);
  const { stdout } = await promisify(execFile)(serverBinary(), args);
  return stdout.trim();
}

/** One GraphQL call from the test itself (setting things up, or checking the server's view). */
export async function graphql(url, token, query, variables = {}) {
  const r = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
  return body.data;
}
