#!/usr/bin/env python3
"""What row-level security costs a request, on PostgreSQL.

Usage: python3 bench/row_security.py [--requests 300]
Needs: a release build (`cargo build --release`), PostgreSQL on 127.0.0.1:5432 (trust auth), psql.

One database, two servers side by side: one connected as the owner (a superuser: policies are
bypassed, though the per-request `set_config` still runs), one as a role that owns nothing (the
policies apply to every row read). The same TenantFinops page is requested from both, alternately,
with the answer cache off so every request reaches the database; medians and p95 are printed side
by side. The machine is shared and noisy: compare the ratio of one run.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "consoleai")
SERVER = "postgres://postgres@127.0.0.1:5432"
DB = "consoleai_bench_rls"
ROLE = "consoleai_bench_app"
SECRET = "bench-secret-bench-secret-bench-secret-00"


def psql(db, sql):
    subprocess.run(["psql", f"{SERVER}/{db}", "-qAtc", sql], check=True, capture_output=True, text=True)


def serve(url, port):
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=url, CONSOLEAI_BIND=f"127.0.0.1:{port}",
               CONSOLEAI_JWT_SECRET=SECRET, CONSOLEAI_CACHE_TTL_SECS="0", CONSOLEAI_LOG_FORMAT="text",
               RUST_LOG="warn", CONSOLEAI_RATE_LIMIT_POINTS="0")
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return process
        except Exception:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"server on {port} did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    work = tempfile.mkdtemp(prefix="consoleai-rls-")
    subprocess.run([BIN, "generate", "--out", work, "--tenants", "20", "--accounts-per-tenant", "5",
                    "--months", "3", "--resources-per-account", "6"], check=True, capture_output=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"{SERVER}/{DB}", CONSOLEAI_LOG_FORMAT="text")
    subprocess.run([BIN, "import", "org", os.path.join(work, "org.json")], env=env, check=True, capture_output=True)
    focus = sorted(os.path.join(work, f) for f in os.listdir(work) if f.startswith("focus-"))
    subprocess.run([BIN, "import", "focus", *focus], env=env, check=True, capture_output=True)
    tenant = json.load(open(os.path.join(work, "org.json")))
    ou = next(o["Id"] for o in tenant["OrganizationalUnits"]
              if any(t.get("Key") == "consoleai:tenant" for t in o.get("Tags", [])))
    subprocess.run(["psql", f"{SERVER}/{DB}", "-qc", f"DROP OWNED BY {ROLE}"], capture_output=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP ROLE IF EXISTS {ROLE}"], capture_output=True)
    psql(DB, f"CREATE ROLE {ROLE} LOGIN NOSUPERUSER NOBYPASSRLS")
    psql(DB, f"GRANT USAGE ON SCHEMA public TO {ROLE}; "
             f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {ROLE}; "
             f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {ROLE}")
    token = subprocess.run([BIN, "token", "--jwt-secret", SECRET, "--sub", "bench", "--role", "devops",
                            "--tenant", ou], check=True, capture_output=True, text=True).stdout.strip().split()[-1]
    document = open(os.path.join(ROOT, "clients", "dashboard", "TenantFinops.graphql")).read()
    body = json.dumps({"query": document, "variables": {"tenant": ou}}).encode()

    servers = {"owner (policies bypassed)": serve(f"{SERVER}/{DB}", 18181),
               "app role (policies apply)": serve(f"postgres://{ROLE}@127.0.0.1:5432/{DB}", 18182)}
    ports = {"owner (policies bypassed)": 18181, "app role (policies apply)": 18182}
    times = {name: [] for name in servers}
    try:
        for i in range(args.requests + 20):
            for name, port in ports.items():
                request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, headers={
                    "content-type": "application/json", "authorization": f"Bearer {token}"})
                started = time.perf_counter()
                answer = json.load(urllib.request.urlopen(request))
                elapsed = time.perf_counter() - started
                if answer.get("errors"):
                    sys.exit(f"{name}: {answer['errors']}")
                if i >= 20:  # warm-up
                    times[name].append(elapsed * 1000)
    finally:
        for process in servers.values():
            process.kill()
        shutil.rmtree(work)
    print(f"TenantFinops of one tenant, {args.requests} requests each, cache off, alternating:")
    print(f"{'server':<30} {'median ms':>10} {'p95 ms':>8} {'vs owner':>9}")
    base = statistics.median(times["owner (policies bypassed)"])
    for name, values in times.items():
        values.sort()
        median = statistics.median(values)
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{name:<30} {median:>10.2f} {p95:>8.2f} {median / base:>9.2f}")
    subprocess.run(["psql", f"{SERVER}/{DB}", "-qc", f"DROP OWNED BY {ROLE}"], capture_output=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE {DB}"], capture_output=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP ROLE IF EXISTS {ROLE}"], capture_output=True)


if __name__ == "__main__":
    main()
