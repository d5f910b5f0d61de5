//! FOCUS import against the FinOps Foundation's real sample (`shared/data/focus/focus_sample.csv`).
use std::collections::BTreeMap;
use std::io::Write;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::support::*;

pub(crate) const SAMPLE: &str = "focus/focus_sample.csv";

/// Expected sums computed straight from the file, independently of the importer.
struct Expected {
    by: BTreeMap<(&'static str, Option<String>), Decimal>,
    total_billed: Decimal,
    total_list: Decimal,
}

fn cell(record: &csv::StringRecord, header: &csv::StringRecord, name: &str) -> Option<String> {
    let i = header.iter().position(|h| h == name).unwrap();
    let v = record.get(i).unwrap();
    (v != "NULL" && !v.is_empty()).then(|| v.to_string())
}

fn expected(path: &std::path::Path, metric: &str) -> Expected {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    let mut by = BTreeMap::new();
    let (mut total_billed, mut total_list) = (Decimal::ZERO, Decimal::ZERO);
    for record in reader.records() {
        let r = record.unwrap();
        let amount = Decimal::from_str(&cell(&r, &header, metric).unwrap_or("0".into())).unwrap();
        total_billed += Decimal::from_str(&cell(&r, &header, "BilledCost").unwrap()).unwrap();
        total_list += Decimal::from_str(&cell(&r, &header, "ListCost").unwrap()).unwrap();
        let account =
            cell(&r, &header, "SubAccountId").or_else(|| cell(&r, &header, "BillingAccountId"));
        for (dim, key) in [
            ("PROVIDER", cell(&r, &header, "ProviderName")),
            ("SERVICE", cell(&r, &header, "ServiceName")),
            ("ACCOUNT", account),
        ] {
            *by.entry((dim, key)).or_insert(Decimal::ZERO) += amount;
        }
    }
    Expected {
        by,
        total_billed,
        total_list,
    }
}

fn dec(v: &Value) -> Decimal {
    Decimal::from_str(
        v.as_str()
            .unwrap_or_else(|| panic!("not a decimal string: {v}")),
    )
    .unwrap()
}

const UNALLOCATED: &str = r#"query($groupBy: CostDimension, $metric: CostMetric!) {
  unallocatedCost(period: "2024-09", groupBy: $groupBy, metric: $metric) {
    totals { amount currency }
    breakdown { key currency amount }
  }
}"#;

#[tokio::test]
async fn the_sample_imports_with_totals_exact_by_provider_service_and_account() {
    let app = spawn_app().await;
    let report = app.import_focus(&[shared(SAMPLE)]).await;
    assert_eq!(report.rows, 1000);
    assert_eq!(
        report.unallocated_rows, 1000,
        "no org imported: everything is unallocated"
    );

    for (metric, column) in [("BILLED", "BilledCost"), ("LIST", "ListCost")] {
        let want = expected(&shared(SAMPLE), column);
        for dim in ["PROVIDER", "SERVICE", "ACCOUNT"] {
            let answer = app
                .graphql(
                    Some(&app.admin()),
                    UNALLOCATED,
                    json!({"groupBy": dim, "metric": metric}),
                )
                .await;
            let data = answer.data();
            let total = dec(&data["unallocatedCost"]["totals"][0]["amount"]);
            let want_total = if metric == "BILLED" {
                want.total_billed
            } else {
                want.total_list
            };
            assert_eq!(total, want_total, "{metric} total");
            let got: BTreeMap<Option<String>, Decimal> = data["unallocatedCost"]["breakdown"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| (g["key"].as_str().map(str::to_string), dec(&g["amount"])))
                .collect();
            let want_groups: BTreeMap<Option<String>, Decimal> = want
                .by
                .iter()
                .filter(|((d, _), _)| *d == dim)
                .map(|((_, k), v)| (k.clone(), v.normalize()))
                .collect();
            let got: BTreeMap<_, _> = got.into_iter().map(|(k, v)| (k, v.normalize())).collect();
            assert_eq!(got, want_groups, "{metric} by {dim}");
        }
    }
    // The sample's known total (BilledCost, 11 decimals), to the last digit.
    let want = expected(&shared(SAMPLE), "BilledCost");
    assert_eq!(want.total_billed.to_string(), "20.52022672899");
}

/// Puts some of the sample's accounts under two tenant OUs and leaves the rest unallocated.
pub(crate) fn sample_org(scratch: &Scratch) -> std::path::PathBuf {
    scratch.write(
        "org.json",
        &json!({
            "Roots": [{"Id": "r-t001", "Name": "Root"}],
            "OrganizationalUnits": [
                {"Id": "ou-t001-aaaaaaaa", "Name": "Alpha", "ParentId": "r-t001",
                 "Tags": [{"Key": "consoleai:tenant", "Value": "true"}]},
                {"Id": "ou-t001-bbbbbbbb", "Name": "Beta", "ParentId": "r-t001",
                 "Tags": [{"Key": "consoleai:tenant", "Value": "true"}]},
                {"Id": "ou-t001-cccccccc", "Name": "Beta Nonprod", "ParentId": "ou-t001-bbbbbbbb"}
            ],
            "Accounts": [
                {"Id": "11353890204", "Name": "alpha-prod", "ParentId": "ou-t001-aaaaaaaa"},
                {"Id": "18938484842", "Name": "beta-prod", "ParentId": "ou-t001-bbbbbbbb"},
                {"Id": "85742851457", "Name": "beta-dev", "ParentId": "ou-t001-cccccccc"},
                {"Id": "69918885631", "Name": "sandbox", "ParentId": "r-t001"}
            ]
        })
        .to_string(),
    )
}

const TENANT_COST: &str = r#"query($id: ID!) { tenant(id: $id) { cost(period: "2024-09") { totals { amount currency } } } }"#;

async fn tenant_total(app: &TestApp, id: &str) -> Decimal {
    let answer = app
        .graphql(Some(&app.admin()), TENANT_COST, json!({"id": id}))
        .await;
    let totals = answer.data()["tenant"]["cost"]["totals"]
        .as_array()
        .unwrap()
        .clone();
    totals.iter().map(|t| dec(&t["amount"])).sum()
}

async fn unallocated_total(app: &TestApp) -> Decimal {
    let answer = app
        .graphql(Some(&app.admin()), UNALLOCATED, json!({"metric": "BILLED"}))
        .await;
    answer.data()["unallocatedCost"]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| dec(&t["amount"]))
        .sum()
}

#[tokio::test]
async fn tenants_plus_unallocated_equal_the_whole_bill_whichever_is_imported_first() {
    let scratch = Scratch::new();
    let whole = expected(&shared(SAMPLE), "BilledCost").total_billed;
    for org_first in [true, false] {
        let app = spawn_app().await;
        if org_first {
            app.import_org(&[sample_org(&scratch)], &[]).await;
            app.import_focus(&[shared(SAMPLE)]).await;
        } else {
            app.import_focus(&[shared(SAMPLE)]).await;
            let report = app.import_org(&[sample_org(&scratch)], &[]).await;
            assert_eq!(
                report.reassigned_accounts, 3,
                "three accounts move from unallocated to a tenant"
            );
        }
        let alpha = tenant_total(&app, "ou-t001-aaaaaaaa").await;
        let beta = tenant_total(&app, "ou-t001-bbbbbbbb").await;
        let rest = unallocated_total(&app).await;
        assert!(alpha > Decimal::ZERO && beta > Decimal::ZERO && rest > Decimal::ZERO);
        assert_eq!(alpha + beta + rest, whole, "org first: {org_first}");
        // The nested, untagged OU's account belongs to the nearest tenant above it (Beta).
        let want_beta = expected(&shared(SAMPLE), "BilledCost");
        let beta_expected = want_beta.by[&("ACCOUNT", Some("18938484842".into()))]
            + want_beta.by[&("ACCOUNT", Some("85742851457".into()))];
        assert_eq!(beta, beta_expected);
    }
}

/// Every row of the rollup, as text, to compare two database states.
async fn rollup_snapshot(app: &TestApp) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let sql = "SELECT tenant_id, usage_date, provider, account_id, service_name, region, charge_category, currency, \
               billed_cost, effective_cost, list_cost, line_count FROM cost_daily";
    let rows = app
        .db
        .query_all_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| {
            let s = |c: &str| {
                r.try_get::<Option<String>>("", c)
                    .unwrap()
                    .unwrap_or_default()
            };
            let i = |c: &str| r.try_get::<i64>("", c).unwrap();
            format!(
                "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                s("tenant_id"),
                s("provider"),
                s("account_id"),
                s("service_name"),
                s("region"),
                s("charge_category"),
                s("currency"),
                i("billed_cost"),
                i("effective_cost"),
                i("list_cost"),
                i("line_count")
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn importing_the_same_file_twice_changes_nothing() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let before = rollup_snapshot(&app).await;
    let lines = app.scalar("SELECT COUNT(*) FROM cost_lines").await;
    // The same file again is a no-op that says so.
    let again = app.import_focus(&[shared(SAMPLE)]).await;
    assert_eq!(again.status, "skipped");
    assert!(
        again.message.contains("already loaded"),
        "{}",
        again.message
    );
    assert_eq!(rollup_snapshot(&app).await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cost_lines").await, lines);
    assert_eq!(lines, 1000);
    // Forced, it loads and replaces its own scopes: still the same data.
    let options = ImportOptions {
        force: true,
        ..ImportOptions::by("test")
    };
    let forced =
        consoleai::ingest::import_cost(&app.db, CostFormat::Focus, &[shared(SAMPLE)], &options)
            .await
            .unwrap();
    assert_eq!((forced.status.as_str(), forced.rows), ("loaded", 1000));
    assert_eq!(rollup_snapshot(&app).await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cost_lines").await, 1000);
    // All three attempts are on record, in the batches and the audit log.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'loaded'")
            .await,
        2
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'skipped'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'cost.import'")
            .await,
        3
    );
}

#[tokio::test]
async fn a_corrupted_file_names_its_line_and_column_and_leaves_the_data_intact() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let before = rollup_snapshot(&app).await;

    // Line 700 of the file (a data row) gets a BilledCost that is not a number.
    let scratch = Scratch::new();
    let text = std::fs::read_to_string(shared(SAMPLE)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let billed = header
        .iter()
        .position(|h| h.trim_matches('"') == "BilledCost")
        .unwrap();
    let mut cells: Vec<String> = lines[699].split(',').map(str::to_string).collect();
    cells[billed] = "12,5".replace(',', "x");
    lines[699] = cells.join(",");
    let corrupted = scratch.write("corrupted.csv", &(lines.join("\n") + "\n"));

    let err = app
        .try_import(CostFormat::Focus, &[corrupted])
        .await
        .unwrap_err();
    assert!(err.contains("corrupted.csv:700"), "{err}");
    assert!(err.contains("BilledCost"), "{err}");
    assert!(err.contains("'12x5' is not a number"), "{err}");
    assert_eq!(
        rollup_snapshot(&app).await,
        before,
        "nothing stored changed"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cost_lines").await, 1000);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'loaded'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'failed' AND error LIKE '%corrupted.csv:700%'").await,
        1,
        "the failed batch is on record with its error"
    );
}
fn gzip(path: &std::path::Path, text: &str) {
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
}

async fn by_provider(app: &TestApp) -> BTreeMap<String, Decimal> {
    let answer = app
        .graphql(
            Some(&app.admin()),
            UNALLOCATED,
            json!({"groupBy": "PROVIDER", "metric": "BILLED"}),
        )
        .await;
    answer.data()["unallocatedCost"]["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap().to_string(), dec(&g["amount"])))
        .collect()
}

#[tokio::test]
async fn a_restated_bill_replaces_its_billing_period_and_gzip_imports_alike() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    // The restatement drops the first 100 (AWS) rows but still covers the whole month.
    let scratch = Scratch::new();
    let text = std::fs::read_to_string(shared(SAMPLE)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let restated = format!("{}\n{}\n", lines[0], lines[101..].join("\n"));
    let path = scratch.0.join("restated.csv.gz");
    gzip(&path, &restated);
    let plain = scratch.write("restated.csv", &restated);

    let report = app.import_focus(&[path]).await;
    assert_eq!((report.status.as_str(), report.rows), ("loaded", 900));
    let want = expected(&plain, "BilledCost");
    let got = by_provider(&app).await;
    assert_eq!(
        got["AWS"],
        want.by[&("PROVIDER", Some("AWS".into()))],
        "AWS reads the restated lines only"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_lines WHERE provider = 'AWS'")
            .await,
        842
    );
    for provider in ["Microsoft", "Oracle"] {
        assert_eq!(
            got[provider],
            want.by[&("PROVIDER", Some(provider.into()))],
            "{provider}"
        );
    }
}

#[tokio::test]
async fn an_older_delivery_never_replaces_a_newer_one_unless_forced() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let before = by_provider(&app).await;
    // The first 100 rows: AWS's September, but covering charges only up to 2024-09-30 23:00,
    // an hour short of the delivery already stored.
    let scratch = Scratch::new();
    let text = std::fs::read_to_string(shared(SAMPLE)).unwrap();
    let first: Vec<&str> = text.lines().take(101).collect();
    let older = scratch.write("older.csv", &(first.join("\n") + "\n"));

    let report = app.import_focus(std::slice::from_ref(&older)).await;
    assert_eq!(report.status, "skipped");
    assert!(
        report
            .message
            .contains("kept the stored one for: AWS 1234567890123 2024-09"),
        "{}",
        report.message
    );
    assert_eq!(by_provider(&app).await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cost_lines").await, 1000);

    let options = ImportOptions {
        force: true,
        ..ImportOptions::by("test")
    };
    let forced = consoleai::ingest::import_cost(&app.db, CostFormat::Focus, &[older], &options)
        .await
        .unwrap();
    assert_eq!(forced.status, "loaded");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_lines WHERE provider = 'AWS'")
            .await,
        100
    );
}
