//! The dashboard's requests cost a fixed number of SQL statements, whatever the number of tenants,
//! accounts and resources (the Summary over N tenants included).
use serde_json::json;

use crate::support::*;

/// An organisation's size.
struct Org {
    tenants: usize,
    accounts_per_tenant: usize,
    resources_per_account: usize,
}

/// What the dashboard's requests cost in SQL statements on an organisation of `org`'s size.
struct Costs {
    tenants_seen: usize,
    /// Statements per page: Summary, TenantFinops, Inventory, PendingApprovals.
    statements: [usize; 4],
    audited_summary: i64,
    resources: i64,
}

async fn page_statements(org: Org) -> Costs {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let options = consoleai::generate::GenerateOptions {
        tenants: org.tenants,
        accounts_per_tenant: org.accounts_per_tenant,
        unallocated_accounts: 1,
        months: 2,
        end_date: chrono::Utc::now().date_naive(),
        resources_per_account: org.resources_per_account,
        seed: 7,
        hourly: false,
    };
    let files = consoleai::generate::generate(&options, &scratch.0).unwrap();
    consoleai::demo::import_generated(&app.db, &files, "test")
        .await
        .unwrap();

    let admin = app.admin();
    let before = app.statement_count();
    let answer = app
        .graphql(Some(&admin), &document("Summary.graphql"), json!({}))
        .await;
    let summary = app.statement_count() - before;
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
    let audited_summary = app.scalar("SELECT COUNT(*) FROM cost_views_audit").await;

    let tenant = edges[0]["node"]["id"].as_str().unwrap().to_string();
    let mut statements = [summary, 0, 0, 0];
    for (slot, name) in ["TenantFinops", "Inventory", "PendingApprovals"]
        .iter()
        .enumerate()
    {
        let before = app.statement_count();
        let answer = app
            .graphql_operation(
                Some(&admin),
                &document(&format!("{name}.graphql")),
                Some(name),
                json!({"tenant": tenant}),
            )
            .await;
        assert!(!answer.data()["tenant"].is_null(), "{name}");
        statements[slot + 1] = app.statement_count() - before;
    }
    Costs {
        resources: app.scalar("SELECT COUNT(*) FROM resources").await,
        tenants_seen: edges.len(),
        statements,
        audited_summary,
    }
}

fn document(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/clients/dashboard/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

#[tokio::test]
async fn the_dashboard_runs_the_same_statements_whatever_the_organisation_size() {
    let small = page_statements(Org {
        tenants: 2,
        accounts_per_tenant: 1,
        resources_per_account: 2,
    })
    .await;
    // Over 500 EC2/RDS resources, so that anything fetched in lists of ids would show.
    let large = page_statements(Org {
        tenants: 20,
        accounts_per_tenant: 3,
        resources_per_account: 30,
    })
    .await;
    assert_eq!((small.tenants_seen, large.tenants_seen), (2, 20));
    assert!(large.resources > 500, "{} resources", large.resources);
    println!(
        "statements per page (Summary, TenantFinops, Inventory, PendingApprovals): {:?}",
        large.statements
    );
    assert_eq!(
        small.statements, large.statements,
        "statements per page (Summary, TenantFinops, Inventory, PendingApprovals): \
         small organisation {:?}, large {:?}",
        small.statements, large.statements
    );
    // Summary: the tenants page and count; then per cost loader (month to date, trend, savings,
    // outlook) a version read, its queries and an audit insert; one query each for the settings
    // (budget) and the open requests.
    assert!(small.statements[0] <= 22, "{:?}", small.statements);
    // Every tenant's cost read is on record: month-to-date, trend, savings and outlook, per
    // tenant.
    assert_eq!(small.audited_summary, 4 * 2);
    assert_eq!(large.audited_summary, 4 * 20);
}
