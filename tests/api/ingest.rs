//! Import robustness: bad input of every kind, duplicates, a load killed mid-way, the batch list.
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

const SAMPLE: &str = "focus/focus_sample.csv";

/// The sample's header and rows, to build variants from.
fn sample() -> (String, Vec<String>) {
    let text = std::fs::read_to_string(shared(SAMPLE)).unwrap();
    let mut lines = text.lines().map(str::to_string);
    let header = lines.next().unwrap();
    (header, lines.collect())
}

/// Replaces one column's value in a CSV row of the sample (which quotes text and has no commas
/// inside the cells this test touches).
fn set_cell(header: &str, row: &str, column: &str, value: &str) -> String {
    let index = header
        .split(',')
        .position(|h| h.trim_matches('"') == column)
        .unwrap();
    let mut cells: Vec<String> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(row.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    cells[index] = value.to_string();
    let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
    out.write_record(&cells).unwrap();
    String::from_utf8(out.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string()
}

#[tokio::test]
async fn every_kind_of_bad_input_names_file_line_and_column_and_stores_nothing() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let scratch = Scratch::new();
    let (header, rows) = sample();
    let body = |rows: &[String]| format!("{header}\n{}\n", rows.join("\n"));
    let with = |line: usize, column: &str, value: &str| {
        let mut changed = rows.clone();
        changed[line - 2] = set_cell(&header, &rows[line - 2], column, value);
        body(&changed)
    };
    let without_billed = {
        let drop = header
            .split(',')
            .position(|h| h == "\"BilledCost\"")
            .unwrap();
        let cut = |line: &str| {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells.remove(drop);
            cells.join(",")
        };
        format!("{}\n{}\n", cut(&header), cut(&rows[0]))
    };
    let gz_truncated = {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body(&rows).as_bytes()).unwrap();
        let bytes = gz.finish().unwrap();
        bytes[..bytes.len() / 2].to_vec()
    };
    std::fs::write(scratch.0.join("truncated.csv.gz"), gz_truncated).unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "amount.csv",
            with(10, "BilledCost", "1.2.3"),
            "amount.csv:10: BilledCost: '1.2.3' is not a number",
        ),
        (
            "date.csv",
            with(20, "ChargePeriodStart", "2024-13-45 00:00:00"),
            "date.csv:20: ChargePeriodStart: '2024-13-45 00:00:00' is not a date-time",
        ),
        (
            "currency.csv",
            with(30, "BillingCurrency", "usd"),
            "currency.csv:30: BillingCurrency: 'usd' is not an ISO 4217 currency code",
        ),
        (
            "tags.csv",
            with(40, "Tags", "{not json"),
            "tags.csv:40: Tags: tags are not JSON",
        ),
        (
            "missing.csv",
            without_billed,
            "missing.csv:1: BilledCost: required FOCUS column is missing from the header",
        ),
        ("empty.csv", String::new(), "empty.csv:1: empty file"),
        (
            "org.json",
            std::fs::read_to_string(shared(
                "aws/organizations/awscli-example__organizations_list-roots.json",
            ))
            .unwrap(),
            "org.json:1:",
        ),
        (
            "ragged.csv",
            format!("{}\n{},extra\n", header, rows[0]),
            "ragged.csv:2: malformed CSV",
        ),
    ];
    for (name, content, expected) in cases {
        let path = scratch.write(name, &content);
        let err = app
            .try_import(CostFormat::Focus, &[path])
            .await
            .unwrap_err();
        assert!(err.contains(expected), "{name}: {err}");
    }
    let err = app
        .try_import(CostFormat::Focus, &[scratch.0.join("truncated.csv.gz")])
        .await
        .unwrap_err();
    assert!(
        err.contains("truncated.csv.gz:") && err.contains("truncated"),
        "{err}"
    );

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_lines").await,
        1000,
        "nothing stored"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'loaded'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'failed'")
            .await,
        9
    );

    // The CLI prints the same one line and exits non-zero.
    let bad = scratch.write("cli.csv", &with(7, "EffectiveCost", "abc"));
    let output = Command::new(env!("CARGO_BIN_EXE_consoleai"))
        .args([
            "import",
            "focus",
            "--database-url",
            &app.database_url,
            bad.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cli.csv:7: EffectiveCost: 'abc' is not a number"),
        "{stderr}"
    );
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[tokio::test]
async fn duplicate_rows_are_real_charges_and_are_kept() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let (header, rows) = sample();
    let row = set_cell(&header, &rows[0], "BilledCost", "1.25");
    let file = scratch.write("twice.csv", &format!("{header}\n{row}\n{row}\n"));
    let report = app.import_focus(&[file]).await;
    assert_eq!(report.rows, 2);
    assert_eq!(report.totals["USD"].to_string(), "2.5");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM cost_lines").await, 2);
}

#[tokio::test]
async fn a_load_killed_mid_way_loses_nothing_and_is_marked_failed_on_the_next_start() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let lines_before = app.scalar("SELECT COUNT(*) FROM cost_lines").await;
    let daily_before = app.scalar("SELECT COUNT(*) FROM cost_daily").await;

    // A large file, so the kill lands while lines stream in.
    let scratch = Scratch::new();
    let options = consoleai::generate::GenerateOptions {
        tenants: 10,
        accounts_per_tenant: 5,
        unallocated_accounts: 2,
        months: 3,
        end_date: chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        resources_per_account: 20,
        seed: 3,
        hourly: false,
    };
    let files = consoleai::generate::generate(&options, &scratch.0).unwrap();
    let mut args = vec![
        "import".to_string(),
        "focus".into(),
        "--database-url".into(),
        app.database_url.clone(),
    ];
    args.extend(files.focus.iter().map(|f| f.display().to_string()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_consoleai"))
        .args(&args)
        .spawn()
        .unwrap();

    // Wait until the batch is loading and lines have been sent, then SIGKILL.
    let deadline = Instant::now() + Duration::from_secs(120);
    while app
        .scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'loading'")
        .await
        == 0
    {
        assert!(Instant::now() < deadline, "the import never started");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import ended before it could be killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import ended before it could be killed"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_lines").await,
        lines_before,
        "no line of the killed load is visible"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_daily").await,
        daily_before
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'loading'")
            .await,
        1
    );

    // The next start of any command notices.
    let output = Command::new(env!("CARGO_BIN_EXE_consoleai"))
        .args(["migrate", "--database-url", &app.database_url])
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("1 interrupted import(s) marked failed")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM import_batches WHERE status = 'failed' AND error LIKE 'interrupted%'").await,
        1
    );
    // And the same files load completely afterwards.
    let report = app.import_focus(&files.focus).await;
    assert_eq!(report.rows, files.cost_lines);
}

const BATCHES: &str = "{ importBatches(first: 10) { totalCount edges { node { format status rows fileHash totals { amount currency } billingPeriods durationMs error source } } } }";

#[tokio::test]
async fn admins_see_the_import_batches_and_nobody_else_does() {
    let app = spawn_app().await;
    app.import_focus(&[shared(SAMPLE)]).await;
    app.import_focus(&[shared(SAMPLE)]).await;
    let answer = app.graphql(Some(&app.admin()), BATCHES, json!({})).await;
    let batches = &answer.data()["importBatches"];
    assert_eq!(batches["totalCount"], 2);
    let newest = &batches["edges"][0]["node"];
    assert_eq!(newest["status"], "skipped");
    let loaded = &batches["edges"][1]["node"];
    assert_eq!(loaded["status"], "loaded");
    assert_eq!(loaded["format"], "focus");
    assert_eq!(loaded["rows"], 1000);
    assert_eq!(
        loaded["totals"],
        json!([{"amount": "20.52022672899", "currency": "USD"}])
    );
    assert_eq!(loaded["billingPeriods"], json!(["2024-09", "2024-10"]));
    assert_eq!(loaded["fileHash"].as_str().unwrap().len(), 64);
    assert_eq!(newest["fileHash"], loaded["fileHash"]);

    let manager = app.token(role("manager"), &["ou-t001-aaaaaaaa"]);
    let answer = app.graphql(Some(&manager), BATCHES, json!({})).await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));
}
