#!/usr/bin/env python3
"""The dashboard's requests at company scale, on PostgreSQL: latency percentiles and throughput of
the real `clients/dashboard/*.graphql` documents at several concurrencies, with the answer cache
cold (off) and warm, side by side with the database floor (pgbench running the statements a
tenant page needs, on the same data, in the same run).

Usage: python3 bench/dashboard.py [--tenants 100] [--accounts-per-tenant 10]
                                  [--resources-per-account 50] [--seconds 10] [--keep] [--reuse]
  --keep   leave the benchmark database in place at the end
  --reuse  use the database a previous --keep run left (skips generating and importing)
Needs: a release build (`cargo build --release`), PostgreSQL on 127.0.0.1:5432 (trust auth), psql,
pgbench. The load driver is this script (one thread and one keep-alive connection per concurrent
client), on the same machine: compare the ratios of one run, not absolute figures across runs.
"""
import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "consoleai")
SERVER = "postgres://postgres@127.0.0.1:5432"
DB = "consoleai_bench_dashboard"
SECRET = "bench-secret-bench-secret-bench-secret-00"
PORT = 18383


def run(cmd, env=None):
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd[:4])} failed: {out.stderr.strip()[-2000:]}")
    return out.stdout


def token(role, tenants=()):
    args = [BIN, "token", "--jwt-secret", SECRET, "--sub", f"bench-{role}", "--role", role, "--ttl", "7200"]
    for t in tenants:
        args += ["--tenant", t]
    return run(args).strip().split()[-1]


def document(name):
    return open(os.path.join(ROOT, "clients", "dashboard", name)).read()


def serve(cache_ttl):
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"{SERVER}/{DB}", CONSOLEAI_BIND=f"127.0.0.1:{PORT}",
               CONSOLEAI_JWT_SECRET=SECRET, CONSOLEAI_CACHE_TTL_SECS=str(cache_ttl),
               CONSOLEAI_LOG_FORMAT="text", RUST_LOG="warn", CONSOLEAI_RATE_LIMIT_POINTS="0",
               CONSOLEAI_DATABASE_MAX_CONNECTIONS="16")
    process = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/readyz", timeout=1)  # noqa
            return process
        except Exception:
            time.sleep(0.1)
    process.kill()
    sys.exit("the server did not start")


def rss_mib(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status") if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def scrape():
    """The server's /metrics as {series: value}."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{PORT}/metrics", timeout=5).read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def drive(body, auth, concurrency, seconds):
    """Each client posts `body` in a loop on its own connection; returns latencies (ms) and rate."""
    latencies, errors, stop = [], [], time.perf_counter() + seconds
    lock = threading.Lock()

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("POST", "/graphql", body, {"content-type": "application/json",
                                                    "authorization": f"Bearer {auth}"})
            answer = json.loads(conn.getresponse().read())
            mine.append((time.perf_counter() - started) * 1000)
            if "errors" in answer:
                errors.append(answer["errors"][0].get("extensions", {}).get("code", "?"))
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return latencies, len(latencies) / elapsed, errors


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


# The database floor: the statements a tenant page needs, run by pgbench on the same data — a
# month's breakdown by service and the 90 daily points from the per-dimension daily rollup the
# server reads (cost_daily_by), and the 50 costliest resources of the last 30 days.
FLOOR_SQL = """\\set t random(1, {tenants})
SELECT dimension_key, currency, SUM(billed_cost) FROM cost_daily_by
 WHERE tenant_id = (SELECT id FROM tenants ORDER BY id OFFSET :t - 1 LIMIT 1) AND dimension = 'service_name'
   AND usage_date >= date_trunc('month', current_date) GROUP BY dimension_key, currency;
SELECT usage_date, SUM(billed_cost) FROM cost_daily_by
 WHERE tenant_id = (SELECT id FROM tenants ORDER BY id OFFSET :t - 1 LIMIT 1) AND dimension = '*'
   AND usage_date >= current_date - 90 GROUP BY usage_date ORDER BY usage_date;
SELECT resource_id, SUM(billed_cost) AS c FROM cost_resource_daily
 WHERE tenant_id = (SELECT id FROM tenants ORDER BY id OFFSET :t - 1 LIMIT 1)
   AND usage_date >= current_date - 29 GROUP BY resource_id ORDER BY c DESC LIMIT 50;
"""


def pgbench(tenants, clients, seconds, work):
    script = os.path.join(work, "floor.sql")
    open(script, "w").write(FLOOR_SQL.format(tenants=tenants))
    out = run(["pgbench", "-n", "-f", script, "-c", str(clients), "-j", str(min(clients, 2)),
               "-T", str(seconds), f"{SERVER}/{DB}"])
    tps = float(next(l for l in out.splitlines() if l.startswith("tps")).split("=")[1].split()[0])
    latency = float(next(l for l in out.splitlines() if "latency average" in l).split("=")[1].split()[0])
    return tps, latency


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--accounts-per-tenant", type=int, default=10)
    parser.add_argument("--resources-per-account", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    work = tempfile.mkdtemp(prefix="consoleai-dash-")
    started = time.perf_counter()
    exists = run(["psql", f"{SERVER}/postgres", "-Atc", f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"]).strip()
    if args.reuse and exists:
        setup_reused(work)
    else:
        setup(args, work)
    print(f"setup took {time.perf_counter() - started:.0f}s")
    run_pages(args, work)
    shutil.rmtree(work)
    if not args.keep:
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE {DB}"], capture_output=True)


def setup_reused(work):
    """The kept database: migrate it (a newer build may add tables) and write its org back out."""
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"{SERVER}/{DB}", CONSOLEAI_LOG_FORMAT="text")
    run([BIN, "migrate"], env)
    ids = run(["psql", f"{SERVER}/{DB}", "-Atc", "SELECT id FROM tenants ORDER BY id"]).split()
    json.dump({"OrganizationalUnits": [{"Id": i, "Tags": [{"Key": "consoleai:tenant"}]} for i in ids]},
              open(os.path.join(work, "org.json"), "w"))
    counts = run(["psql", f"{SERVER}/{DB}", "-Atc",
                  "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM resources), "
                  "(SELECT count(*) FROM cost_lines)"]).strip().split("|")
    print(f"scale (reused): {len(ids)} tenants, {counts[0]} accounts, {counts[1]} EC2/RDS resources, "
          f"{counts[2]} cost lines")


def setup(args, work):
    run([BIN, "generate", "--out", work, "--tenants", str(args.tenants), "--accounts-per-tenant",
         str(args.accounts_per_tenant), "--unallocated-accounts", "10", "--months", "3",
         "--resources-per-account", str(args.resources_per_account)])
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {DB}"], check=True,
                   capture_output=True)
    subprocess.run(["psql", f"{SERVER}/postgres", "-qc", f"CREATE DATABASE {DB}"], check=True)
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"{SERVER}/{DB}", CONSOLEAI_LOG_FORMAT="text")
    run([BIN, "import", "org", os.path.join(work, "org.json")], env)
    focus = sorted(os.path.join(work, f) for f in os.listdir(work) if f.startswith("focus-"))
    lines = run([BIN, "import", "focus", *focus], env).strip().splitlines()[-1]
    inventory = sorted(os.path.join(work, "inventory", f) for f in os.listdir(os.path.join(work, "inventory"))
                       if not f.endswith("-ebs.json"))
    run([BIN, "import", "inventory", *inventory], env)
    run([BIN, "import", "utilization", os.path.join(work, "utilization.csv")], env)
    resources = run(["psql", f"{SERVER}/{DB}", "-Atc", "SELECT count(*) FROM resources"]).strip()
    print(f"scale: {args.tenants} tenants, {args.tenants * args.accounts_per_tenant + 10} accounts, "
          f"{resources} EC2/RDS resources; {lines}")


def run_pages(args, work):
    org = json.load(open(os.path.join(work, "org.json")))
    tenants = sorted(o["Id"] for o in org["OrganizationalUnits"]
                     if any(t.get("Key") == "consoleai:tenant" for t in o.get("Tags", [])))
    first = tenants[0]
    pages = {
        "TenantFinops": (json.dumps({"query": document("TenantFinops.graphql"),
                                     "variables": {"tenant": first}}), token("devops", [first])),
        "Inventory": (json.dumps({"query": document("Inventory.graphql"),
                                  "variables": {"tenant": first}}), token("devops", [first])),
        "Summary (all tenants)": (json.dumps({"query": document("Summary.graphql")}), token("admin")),
    }
    print()
    print(f"{'page':<24} {'cache':<5} {'conc':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} "
          f"{'SQL/req':>8} {'RSS MiB':>8} errors")
    for cache_ttl, label in [(0, "cold"), (3600, "warm")]:
        server = serve(cache_ttl)
        try:
            for name, (body, auth) in pages.items():
                drive(body, auth, 1, 1)  # warm-up (fills the cache when on)
                for concurrency in (1, 8, 32):
                    before = scrape()
                    latencies, rate, errors = drive(body, auth, concurrency, args.seconds)
                    after = scrape()
                    rss, _ = rss_mib(server.pid)
                    key = "consoleai_sql_statements_per_request"
                    served = after[f"{key}_count"] - before[f"{key}_count"]
                    per_request = (after[f"{key}_sum"] - before[f"{key}_sum"]) / max(served, 1)
                    failed = f"{len(errors)} ({errors[0]})" if errors else "0"
                    print(f"{name:<24} {label:<5} {concurrency:>4} {pct(latencies, 50):>8.1f} "
                          f"{pct(latencies, 95):>8.1f} {pct(latencies, 99):>8.1f} {rate:>8.1f} "
                          f"{per_request:>8.1f} {rss:>8.0f} {failed}", flush=True)
            _, peak = rss_mib(server.pid)
            print(f"{'':<24} {label:<5} server peak RSS {peak:.0f} MiB")
        finally:
            server.kill()
            server.wait()
    print()
    print("database floor (pgbench: a month by service, 90 daily points, top 50 resources of one tenant):")
    for clients in (1, 8):
        tps, latency = pgbench(len(tenants), clients, args.seconds, work)
        print(f"  {clients} client(s): {tps:,.0f} pages/s, {latency:.2f} ms average")


if __name__ == "__main__":
    main()
