//! The Summary request: N tenants cost a fixed number of SQL statements, whatever N is.
use serde_json::json;

use crate::support::*;

fn summary_document() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/clients/dashboard/Summary.graphql"
    ))
    .unwrap()
}

/// Statements the Summary request ran, for an organisation of `tenants` tenants.
async fn summary_statements(tenants: usize) -> (usize, usize, i64) {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let options = consoleai::generate::GenerateOptions {
        tenants,
        accounts_per_tenant: 1,
        unallocated_accounts: 1,
        months: 2,
        end_date: chrono::Utc::now().date_naive(),
        resources_per_account: 2,
        seed: 7,
        hourly: false,
    };
    let files = consoleai::generate::generate(&options, &scratch.0).unwrap();
    app.import_org(std::slice::from_ref(&files.org), &[]).await;
    app.import_focus(&files.focus).await;

    let before = app.statement_count();
    let answer = app
        .graphql(Some(&app.admin()), &summary_document(), json!({}))
        .await;
    let statements = app.statement_count() - before;
    let edges = answer.data()["tenants"]["edges"].as_array().unwrap();
    for edge in edges {
        let node = &edge["node"];
        assert!(
            !node["monthToDate"]["totals"].as_array().unwrap().is_empty(),
            "{node}"
        );
        assert_eq!(
            node["monthlyTrend"][0]["points"].as_array().unwrap().len(),
            3
        );
    }
    let audited = app.scalar("SELECT COUNT(*) FROM cost_views_audit").await;
    (edges.len(), statements, audited)
}

#[tokio::test]
async fn the_summary_runs_the_same_statements_for_2_and_for_20_tenants() {
    let (two, small, audited_small) = summary_statements(2).await;
    let (twenty, large, audited_large) = summary_statements(20).await;
    assert_eq!((two, twenty), (2, 20));
    assert_eq!(
        small, large,
        "statements for 2 tenants: {small}, for 20: {large}"
    );
    // Tenants page and count; then per cost loader (month to date, trend, savings, outlook) a
    // version read, its queries and an audit insert; one query each for the settings (budget)
    // and the open requests.
    assert!(small <= 22, "{small} statements");
    // Every tenant's cost read is on record: month-to-date, trend, savings and outlook, per
    // tenant.
    assert_eq!(audited_small, 4 * 2);
    assert_eq!(audited_large, 4 * 20);
}
