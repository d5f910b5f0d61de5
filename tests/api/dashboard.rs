//! The dashboard's own documents (`clients/dashboard/*.graphql`) validate and run, and the checked-in
//! SDL equals what `consoleai schema` prints.
use serde_json::json;

use crate::support::*;

fn document(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/clients/dashboard/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[test]
fn schema_graphql_equals_consoleai_schema() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_consoleai"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).unwrap();
    let stored =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql")).unwrap();
    assert!(
        printed == stored,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn the_dashboard_documents_run_on_a_demo_organisation() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let today = chrono::Utc::now().date_naive();
    let files = consoleai::generate::generate(
        &consoleai::generate::GenerateOptions::demo(today),
        &scratch.0,
    )
    .unwrap();
    consoleai::demo::import_generated(&app.db, &files, "test")
        .await
        .unwrap();
    // Twice: the demo's requests are opened once, then found by their idempotency keys.
    for _ in 0..2 {
        let requests = consoleai::demo::seed_requests(&app.db, &files.tenant_ids, 1000.into())
            .await
            .unwrap();
        assert_eq!(requests, 5);
    }
    let tenant = files.tenant_ids[0].clone();
    let devops = app.token(role("devops"), &[&tenant]);

    let summary = app
        .graphql(Some(&devops), &document("Summary.graphql"), json!({}))
        .await;
    let edges = summary.data()["tenants"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 1, "a devops sees their one tenant");
    let tenant_id = edges[0]["node"]["id"].as_str().unwrap().to_string();

    let page = app
        .graphql(
            Some(&devops),
            &document("TenantFinops.graphql"),
            json!({"tenant": tenant_id}),
        )
        .await;
    let t = &page.data()["tenant"];
    assert!(
        t["cost"]["breakdown"].as_array().unwrap().len() >= 5,
        "services: {}",
        t["cost"]
    );
    assert!(!t["byAccount"]["breakdown"].as_array().unwrap().is_empty());
    // The forecast band: one point per day from tomorrow, lower ≤ mean ≤ upper.
    let forecast = t["forecast"]["points"].as_array().unwrap();
    assert!(forecast.len() >= 28, "{}", t["forecast"]);
    assert_eq!(
        forecast[0]["date"],
        (today + chrono::Days::new(1)).to_string()
    );
    let amount = |v: &serde_json::Value| {
        v["amount"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    assert!(forecast
        .iter()
        .all(|p| amount(&p["lower"]) <= amount(&p["mean"])
            && amount(&p["mean"]) <= amount(&p["upper"])));
    assert_eq!(
        t["costTrend"]["series"][0]["points"]
            .as_array()
            .unwrap()
            .len() as i64,
        {
            let from = chrono::NaiveDate::parse_from_str(
                t["costTrend"]["from"].as_str().unwrap(),
                "%Y-%m-%d",
            )
            .unwrap();
            (today - from).num_days() + 1
        }
    );
    // Group totals add up to the total, to the cent and beyond.
    let total: rust_decimal::Decimal = t["cost"]["totals"][0]["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let sum: rust_decimal::Decimal = breakdown_sum(&t["cost"]);
    assert_eq!(total, sum);
    let by_tag: rust_decimal::Decimal = breakdown_sum(&t["byTag"]);
    assert_eq!(
        by_tag, total,
        "untagged cost is shown under a null key, not dropped"
    );

    // The inventory page runs too (inventory and rightsizing of the same tenant).
    let inventory = app
        .graphql(
            Some(&devops),
            &document("Inventory.graphql"),
            json!({"tenant": tenant_id}),
        )
        .await;
    let page = &inventory.data()["tenant"];
    assert!(
        page["inventory"]["totalCount"].as_u64().unwrap() > 0,
        "{page}"
    );
    let findings: Vec<&str> = page["rightsizing"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["finding"].as_str().unwrap())
        .collect();
    assert!(
        findings.contains(&"OVER_PROVISIONED") || findings.contains(&"IDLE"),
        "{findings:?}"
    );
    let savings: rust_decimal::Decimal = page["rightsizing"]["totalEstimatedMonthlySavings"]
        ["amount"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(savings > rust_decimal::Decimal::ZERO);
    // The Summary shows the same savings for the tenant.
    assert_eq!(
        summary.data()["tenants"]["edges"][0]["node"]["savingsAvailable"]["amount"],
        page["rightsizing"]["totalEstimatedMonthlySavings"]["amount"]
    );

    assert_eq!(
        summary.data()["tenants"]["edges"][0]["node"]["pendingRequestCount"],
        2
    );
    assert_eq!(
        summary.data()["tenants"]["edges"][0]["node"]["monthlyBudget"]["amount"],
        "25000"
    );

    // The pending approvals page: the open requests with their impact, the decided ones, and what
    // a manager (who did not open them) may do; then the manager approves one.
    let manager = app.token_for("another-manager@example.com", role("manager"), &[&tenant]);
    let pending = app
        .graphql_operation(
            Some(&manager),
            &document("PendingApprovals.graphql"),
            Some("PendingApprovals"),
            json!({"tenant": tenant_id}),
        )
        .await;
    let page = &pending.data()["tenant"];
    let open: Vec<(&str, bool)> = page["open"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["status"].as_str().unwrap(),
                e["node"]["viewerCanDecide"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(open, [("AWAITING_ADMIN", false), ("PENDING", true)]);
    let decided: Vec<&str> = page["decided"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(decided, ["APPROVED", "REJECTED", "APPROVED"]);
    let first = &page["open"]["edges"][1]["node"];
    assert!(
        first["costImpact"]["monthlyDelta"]["amount"]
            .as_str()
            .is_some_and(
                |a| a.parse::<rust_decimal::Decimal>().unwrap() > rust_decimal::Decimal::ZERO
            )
    );
    let approved = app
        .graphql_operation(
            Some(&manager),
            &document("PendingApprovals.graphql"),
            Some("ApproveRequest"),
            json!({"id": first["id"], "version": first["version"]}),
        )
        .await;
    assert_eq!(
        approved.data()["approveWorkflowRequest"]["request"]["status"],
        "APPROVED"
    );

    // The report page: its preview and the PDF's URL.
    let report = app
        .graphql(
            Some(&devops),
            &document("Report.graphql"),
            json!({"tenant": tenant_id}),
        )
        .await;
    let r = &report.data()["tenant"];
    assert!(r["reportUrl"].as_str().unwrap().ends_with(".pdf"));
    assert!(!r["byService"]["breakdown"].as_array().unwrap().is_empty());
    assert_eq!(r["budget"]["amount"]["amount"], "25000");
    assert!(!r["forecast"]["method"].as_str().unwrap().is_empty());

    // Every cost field read is audited with the operation that read it.
    let audited = app
        .scalar("SELECT COUNT(*) FROM cost_views_audit WHERE operation_name = 'TenantFinops'")
        .await;
    assert_eq!(audited, 7, "4 reports, 2 trends and the outlook");
    let audited = app
        .scalar("SELECT COUNT(*) FROM cost_views_audit WHERE operation_name = 'Inventory'")
        .await;
    assert_eq!(audited, 2);
}

/// The sum of a cost report's breakdown amounts.
fn breakdown_sum(report: &serde_json::Value) -> rust_decimal::Decimal {
    report["breakdown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            g["amount"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum()
}
