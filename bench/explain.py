#!/usr/bin/env python3
"""Query plans of the statements behind the dashboard's pages, on the scale database a
`bench/dashboard.py --keep` run leaves: `EXPLAIN (ANALYZE, BUFFERS)` of each, written as Markdown.

Usage: python3 bench/dashboard.py --keep && python3 bench/explain.py > docs/query-plans.md
"""
import datetime
import subprocess
import sys

DB = "postgres://postgres@127.0.0.1:5432/consoleai_bench_dashboard"


def psql(sql):
    out = subprocess.run(["psql", DB, "-XAtc", sql], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr)
    return out.stdout.strip()


def main():
    tenants = psql("SELECT id FROM tenants ORDER BY id").split()
    if not tenants:
        sys.exit("no tenants: run python3 bench/dashboard.py --keep first")
    tenant = tenants[0]
    all_tenants = ", ".join(f"'{t}'" for t in tenants)
    today = datetime.date.today()
    month = today.replace(day=1)
    sums = "SUM(billed_cost / 1000000000000) AS u, SUM(billed_cost % 1000000000000) AS r"
    statements = [
        ("Tenant FinOps: the month to date by service (one tenant)",
         f"SELECT dimension_key, currency, {sums} FROM cost_daily_by WHERE tenant_id = '{tenant}' "
         f"AND dimension = 'service_name' AND usage_date >= '{month}' AND usage_date < '{today + datetime.timedelta(days=1)}' "
         f"GROUP BY dimension_key, currency"),
        ("Tenant FinOps: three months of daily totals (one tenant)",
         f"SELECT usage_date, currency, {sums} FROM cost_daily_by WHERE tenant_id = '{tenant}' "
         f"AND dimension = '*' AND usage_date >= '{(month - datetime.timedelta(days=62)).replace(day=1)}' "
         f"AND usage_date < '{today + datetime.timedelta(days=1)}' GROUP BY usage_date, currency ORDER BY usage_date"),
        ("Tenant FinOps: the month by environment tag (one tenant)",
         f"SELECT tag_value, currency, {sums} FROM cost_daily_tags WHERE tenant_id = '{tenant}' "
         f"AND tag_key = 'environment' AND usage_date >= '{month}' GROUP BY tag_value, currency"),
        (f"Summary: month-to-date totals of all {len(tenants)} tenants",
         f"SELECT tenant_id, currency, {sums} FROM cost_daily_by WHERE tenant_id IN ({all_tenants}) "
         f"AND dimension = '*' AND usage_date >= '{month}' GROUP BY tenant_id, currency"),
        (f"Summary: 63 days by charge category of all {len(tenants)} tenants (forecast, anomalies)",
         f"SELECT usage_date, tenant_id, dimension_key, currency, {sums} FROM cost_daily_by "
         f"WHERE tenant_id IN ({all_tenants}) AND dimension = 'charge_category' "
         f"AND usage_date >= '{today - datetime.timedelta(days=62)}' "
         f"GROUP BY usage_date, tenant_id, dimension_key, currency"),
        ("Inventory: each resource's cost of the last 30 days (one tenant)",
         f"SELECT tenant_id, resource_id, currency, {sums}, MAX(hourly_unit_price) FROM cost_resource_daily "
         f"WHERE tenant_id IN ('{tenant}') AND usage_date >= '{today - datetime.timedelta(days=29)}' "
         f"GROUP BY tenant_id, resource_id, currency"),
        ("Every cached answer: the owner's data version",
         f"SELECT owner, version FROM data_versions WHERE owner IN ('{tenant}')"),
    ]
    counts = psql("SELECT (SELECT count(*) FROM cost_lines), (SELECT count(*) FROM cost_daily), "
                  "(SELECT count(*) FROM cost_daily_by), (SELECT count(*) FROM cost_resource_daily), "
                  "(SELECT count(*) FROM resources)").split("|")
    version = psql("SHOW server_version")
    print("# Query plans of the dashboard's statements\n")
    print(f"PostgreSQL {version}, default settings, on the scale organisation of `bench/dashboard.py` "
          f"({len(tenants)} tenants; {int(counts[0]):,} cost lines, {int(counts[1]):,} `cost_daily` rows, "
          f"{int(counts[2]):,} `cost_daily_by` rows, {int(counts[3]):,} `cost_resource_daily` rows, "
          f"{int(counts[4]):,} resources), tenant `{tenant}`, {today}. Made by `python3 bench/explain.py`; "
          "each statement ran once before its plan was taken (warm buffers).\n")
    for title, sql in statements:
        psql(sql)
        plan = psql(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        print(f"## {title}\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
