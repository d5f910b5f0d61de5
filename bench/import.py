#!/usr/bin/env python3
"""Import benchmark: rows/s and peak memory of `consoleai import focus` into PostgreSQL and SQLite,
side by side with the database's own floor (plain COPY of the same files into a bare table).

Usage: python3 bench/import.py [--lines 5000000] [--daily] [--keep]

By default the files have one usage line per resource and hour, as AWS's FOCUS exports (and the real
FOCUS sample in ../shared/data/focus/) deliver them; `--daily` writes one line per resource and day
instead, the worst case for the importer (every line its own cell in every daily rollup).
Needs: a release build (`cargo build --release`), PostgreSQL on 127.0.0.1:5432 (trust auth), psql,
GNU time (/usr/bin/time, Debian package `time`).
The machine is shared and noisy: compare the ratios printed in one run, not absolute figures across runs.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "consoleai")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def run(cmd, env=None):
    """Runs a command under GNU time; returns (seconds, its peak RSS in MiB, stdout)."""
    with tempfile.NamedTemporaryFile(mode="r") as rss:
        started = time.perf_counter()
        out = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd[:3])} failed: {out.stderr.strip()}")
        peak_kib = int(rss.read().strip().splitlines()[-1])
    return seconds, peak_kib / 1024.0, out.stdout.strip()


def psql(db, sql):
    subprocess.run(["psql", f"{PG_SERVER}/{db}", "-qAtc", sql], check=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=5_000_000, help="approximate cost lines to generate")
    parser.add_argument("--daily", action="store_true", help="one line per resource and day (default: per hour)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files and databases")
    args = parser.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")

    work = tempfile.mkdtemp(prefix="consoleai-bench-")
    # 100 tenants, 3 months up to today (~90 days, as a daily import sees them):
    # lines ≈ accounts × days × resources (× 24 hours unless --daily).
    hours = 1 if args.daily else 24
    resources = 2 if not args.daily else max(1, round(args.lines / (1000 * 90)))
    accounts = max(100, round(args.lines / (90 * hours * resources)))
    per_tenant = accounts // 100
    seconds, _, _ = run([BIN, "generate", "--out", work, "--tenants", "100",
                         "--accounts-per-tenant", str(per_tenant),
                         "--unallocated-accounts", str(max(1, accounts - 100 * per_tenant)), "--months", "3",
                         "--resources-per-account", str(resources), *([] if args.daily else ["--hourly"])])
    files = sorted(glob.glob(os.path.join(work, "focus-*.csv")))
    lines = sum(sum(1 for _ in open(f)) - 1 for f in files)
    size = sum(os.path.getsize(f) for f in files) / 2**20
    shape = "daily" if args.daily else "hourly"
    print(f"generated {lines:,} {shape} cost lines ({size:,.0f} MiB) in {seconds:.1f}s")

    results = []
    # The floor: the same files, COPY'd as text into a bare table with no indexes or parsing.
    db = "consoleai_bench_floor"
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    header = open(files[0]).readline().strip().replace('"', "").split(",")
    psql(db, "CREATE TABLE bare (" + ", ".join(f'"{c}" text' for c in header) + ")")
    started = time.perf_counter()
    for f in files:
        subprocess.run(["psql", f"{PG_SERVER}/{db}", "-qc",
                        f"\\copy bare FROM '{f}' WITH (FORMAT csv, HEADER true, NULL 'NULL')"], check=True)
    floor = time.perf_counter() - started
    results.append(("PostgreSQL plain COPY (floor)", floor, None))
    if not args.keep:
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE {db}"], check=True)

    db = "consoleai_bench_import"
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {db}"], check=True)
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {db}"], check=True)
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"{PG_SERVER}/{db}", CONSOLEAI_LOG_FORMAT="text")
    run([BIN, "import", "org", os.path.join(work, "org.json")], env)
    seconds, peak, out = run([BIN, "import", "focus", *files], env)
    results.append(("consoleai import focus → PostgreSQL", seconds, peak))
    print(out)

    sqlite = os.path.join(work, "bench.db")
    env = dict(os.environ, CONSOLEAI_DATABASE_URL=f"sqlite://{sqlite}?mode=rwc", CONSOLEAI_LOG_FORMAT="text")
    run([BIN, "import", "org", os.path.join(work, "org.json")], env)
    seconds, peak, out = run([BIN, "import", "focus", *files], env)
    results.append(("consoleai import focus → SQLite", seconds, peak))
    print(out)

    print()
    print(f"{'load':<40} {'seconds':>9} {'lines/s':>11} {'vs floor':>9} {'peak RSS':>10}")
    for name, seconds, peak in results:
        rss = f"{peak:,.0f} MiB" if peak is not None else "-"
        print(f"{name:<40} {seconds:>9.1f} {lines / seconds:>11,.0f} {floor / seconds:>9.2f} {rss:>10}")
    if not args.keep:
        shutil.rmtree(work)
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE {db}"], check=True)


if __name__ == "__main__":
    main()
