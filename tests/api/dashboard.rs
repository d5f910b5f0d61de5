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

    // Every cost field read is audited with the operation that read it.
    let audited = app
        .scalar("SELECT COUNT(*) FROM cost_views_audit WHERE operation_name = 'TenantFinops'")
        .await;
    assert_eq!(audited, 6);
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
