//! Cached answers: served again without re-aggregating, still audited, keyed per tenant, and
//! dropped the moment an import or an organisation change touches them.
use rust_decimal::Decimal;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::focus::sample_org;
use crate::support::*;

const COST: &str = r#"query($id: ID!) { tenant(id: $id) { cost(period: "2024-09", groupBy: SERVICE) { totals { amount currency } breakdown { key amount } } } }"#;

async fn cost(app: &TestApp, tenant: &str) -> (serde_json::Value, usize) {
    let before = app.statement_count();
    let answer = app
        .graphql(Some(&app.admin()), COST, json!({"id": tenant}))
        .await;
    let cost = answer.data()["tenant"]["cost"].clone();
    (cost, app.statement_count() - before)
}

fn total(cost: &serde_json::Value) -> Decimal {
    cost["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_str().unwrap().parse::<Decimal>().unwrap())
        .sum()
}

#[tokio::test]
async fn cached_answers_are_audited_per_tenant_and_never_stale() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    app.import_org(&[sample_org(&scratch)], &[]).await;
    app.import_focus(&[shared("focus/focus_sample.csv")]).await;
    let (alpha, beta) = ("ou-t001-aaaaaaaa", "ou-t001-bbbbbbbb");

    // The second identical request is served from the cache: only the tenant lookup, the version
    // read and the audit insert reach the database.
    let (first, cold) = cost(&app, alpha).await;
    let (second, warm) = cost(&app, alpha).await;
    assert_eq!(first, second);
    assert!(warm < cold, "warm {warm} vs cold {cold}");
    assert_eq!(warm, 3, "tenant lookup, version read, audit insert");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_views_audit WHERE tenant_id = 'ou-t001-aaaaaaaa'")
            .await,
        2
    );

    // Same arguments, another tenant: its own answer.
    let (beta_cost, _) = cost(&app, beta).await;
    assert_ne!(total(&beta_cost), total(&first));

    // A restatement that drops Alpha's only account from September: Alpha's answer changes at once.
    let text = std::fs::read_to_string(shared("focus/focus_sample.csv")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"11353890204\""))
        .collect();
    assert!(kept.len() < 1001);
    let restated = scratch.write("restated.csv", &(kept.join("\n") + "\n"));
    let options = ImportOptions {
        force: true,
        ..ImportOptions::by("test")
    };
    consoleai::ingest::import_cost(&app.db, CostFormat::Focus, &[restated], &options)
        .await
        .unwrap();
    let (after, _) = cost(&app, alpha).await;
    assert_eq!(total(&after), Decimal::ZERO, "{after}");

    // An organisation change moves Beta's nested account to Alpha: both answers change.
    let (beta_before, _) = cost(&app, beta).await;
    let org = scratch.write(
        "move.json",
        &json!({"Accounts": [{"Id": "85742851457", "Name": "beta-dev", "ParentId": "ou-t001-aaaaaaaa"}]}).to_string(),
    );
    app.import_org(&[org], &[]).await;
    let (beta_after, _) = cost(&app, beta).await;
    let (alpha_after, _) = cost(&app, alpha).await;
    assert!(total(&beta_after) < total(&beta_before));
    assert_eq!(
        total(&beta_before) - total(&beta_after),
        total(&alpha_after)
    );
    // The per-dimension rollup followed the restatement and the move.
    app.assert_rollups_agree().await;
}

#[tokio::test]
async fn the_summary_is_served_from_the_cache_once_warm() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let options = consoleai::generate::GenerateOptions {
        tenants: 4,
        accounts_per_tenant: 1,
        unallocated_accounts: 1,
        months: 2,
        end_date: chrono::Utc::now().date_naive(),
        resources_per_account: 2,
        seed: 11,
        hourly: false,
    };
    let files = consoleai::generate::generate(&options, &scratch.0).unwrap();
    app.import_org(std::slice::from_ref(&files.org), &[]).await;
    app.import_focus(&files.focus).await;
    let summary = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/clients/dashboard/Summary.graphql"
    ))
    .unwrap();

    let (cold_answer, cold) = summary_run(&app, &summary).await;
    let (warm_answer, warm) = summary_run(&app, &summary).await;
    assert_eq!(cold_answer, warm_answer);
    assert!(warm < cold, "warm {warm} vs cold {cold}");
    // Audited both times: four views (month to date, trend, savings, outlook) per tenant per
    // request.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_views_audit").await,
        2 * 4 * 4
    );
}

async fn summary_run(app: &TestApp, summary: &str) -> (serde_json::Value, usize) {
    let before = app.statement_count();
    let answer = app.graphql(Some(&app.admin()), summary, json!({})).await;
    (answer.data().clone(), app.statement_count() - before)
}

#[tokio::test]
async fn cost_is_never_served_unrecorded() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    app.import_org(&[sample_org(&scratch)], &[]).await;
    app.import_focus(&[shared("focus/focus_sample.csv")]).await;
    // Warm the cache, then make the audit log unwritable: a cached answer must not go out either.
    let (warm, _) = cost(&app, "ou-t001-aaaaaaaa").await;
    assert!(total(&warm) > Decimal::ZERO);
    app.db
        .execute_unprepared("ALTER TABLE cost_views_audit RENAME TO cost_views_audit_away")
        .await
        .unwrap();
    let answer = app
        .graphql(Some(&app.admin()), COST, json!({"id": "ou-t001-aaaaaaaa"}))
        .await;
    assert_eq!(answer.error_code(), Some("INTERNAL"), "{}", answer.body);
    assert!(answer.body["data"].is_null(), "{}", answer.body);
    app.db
        .execute_unprepared("ALTER TABLE cost_views_audit_away RENAME TO cost_views_audit")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_mutation_reads_what_the_one_before_it_changed() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    app.import_org(&[sample_org(&scratch)], &[]).await;
    // One document, two changes: the second answer must not be the first one's, remembered.
    let answer = app
        .graphql(
            Some(&app.admin()),
            r#"mutation($id: ID!) {
                 first: setMonthlyBudget(tenantId: $id, amount: "100") { monthlyBudget { amount } }
                 second: setMonthlyBudget(tenantId: $id, amount: "250.50") { monthlyBudget { amount } }
               }"#,
            json!({"id": "ou-t001-aaaaaaaa"}),
        )
        .await;
    let data = answer.data();
    assert_eq!(data["first"]["monthlyBudget"]["amount"], "100");
    assert_eq!(data["second"]["monthlyBudget"]["amount"], "250.5");
}
