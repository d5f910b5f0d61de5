//! `consoleai transfer`: a SQLite database holding the real FOCUS sample and an organisation is
//! copied to the test database (PostgreSQL when `CONSOLEAI_TEST_DATABASE_URL` is set, another SQLite
//! file otherwise), and back.
use std::collections::BTreeMap;
use std::str::FromStr;

use consoleai::config::DatabaseSettings;
use consoleai::transfer::{transfer, TransferError, TransferOptions, TransferReport};
use entity::{cost_daily, cost_daily_tag, cost_line, tenant};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder, Statement};
use serde_json::{json, Value};

use crate::support::*;

const SAMPLE: &str = "focus/focus_sample.csv";

/// A SQLite database, whatever `CONSOLEAI_TEST_DATABASE_URL` says: the source of a transfer to
/// PostgreSQL, or the target of one back.
async fn sqlite_db() -> TestDb {
    let path = std::env::temp_dir().join(format!(
        "consoleai_transfer_{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let settings = DatabaseSettings {
        url: url.clone(),
        max_connections: 8,
    };
    let db = consoleai::db::connect(&settings).await.expect("connect");
    consoleai::db::migrate(&db).await.expect("migrate");
    TestDb { url, db }
}

/// A SQLite source served by the API, with the organisation, the FOCUS sample and some reads of
/// cost on record, so that every table has rows.
async fn source() -> TestApp {
    let scratch = Scratch::new();
    let app = spawn_app_on(sqlite_db().await).await;
    app.import_org(&[crate::focus::sample_org(&scratch)], &[])
        .await;
    assert_eq!(app.import_focus(&[shared(SAMPLE)]).await.rows, 1000);
    // A recent line with a resource, so the per-resource rollup (which keeps recent days) has rows.
    let today = chrono::Utc::now().date_naive();
    let recent = scratch.write(
        "recent.csv",
        &format!(
            "BilledCost,EffectiveCost,ListCost,BillingAccountId,BillingCurrency,BillingPeriodStart,ChargeCategory,\
             ChargePeriodStart,ChargePeriodEnd,ProviderName,SubAccountId,ResourceId\n\
             1.5,1.5,1.5,555555555555,USD,{month}-01,Usage,{today},{today},AWS,123456789012,i-1234567890abcdef0\n",
            month = today.format("%Y-%m")
        ),
    );
    app.import_focus(&[recent]).await;
    app.import_inventory(
        &[shared(
            "aws/ec2/awscli-example__ec2_describe-instances.json",
        )],
        None,
        None,
    )
    .await;
    let utilization = scratch.write(
        "utilization.csv",
        "resource_id,metric,p95,max,window_start,window_end\ni-1234567890abcdef0,cpu,12.5,40,2026-11-01,2026-11-15\n",
    );
    app.import_utilization(&[utilization]).await;
    // A change request and a tenant setting, through the API.
    let admin = app.admin();
    let dev = app.token(consoleai::auth::Role::Devops, &["ou-t001-aaaaaaaa"]);
    app.graphql(
        Some(&admin),
        "mutation { setApprovalThreshold(tenantId: \"ou-t001-aaaaaaaa\", amount: \"250\") { ouId } }",
        serde_json::json!({}),
    )
    .await
    .data();
    app.graphql(
        Some(&dev),
        "mutation { createWorkflowRequest(tenantId: \"ou-t001-aaaaaaaa\", change: {provision: {instanceType: \"m5.large\", region: \"us-east-1\"}}) { request { id } } }",
        serde_json::json!({}),
    )
    .await
    .data();
    // A budget alert on record (as the budget webhook leaves them).
    sea_orm::ActiveModelTrait::insert(
        entity::budget_alert::ActiveModel {
            tenant_id: sea_orm::ActiveValue::Set("ou-t001-aaaaaaaa".into()),
            month: sea_orm::ActiveValue::Set("2024-09".into()),
            threshold: sea_orm::ActiveValue::Set("ACTUAL_80".into()),
            status: sea_orm::ActiveValue::Set("SENT".into()),
            attempts: sea_orm::ActiveValue::Set(1),
            last_error: sea_orm::ActiveValue::Set(None),
            payload: sea_orm::ActiveValue::Set("{}".into()),
            created_at: sea_orm::ActiveValue::Set(chrono::Utc::now()),
            sent_at: sea_orm::ActiveValue::Set(Some(chrono::Utc::now())),
            ..Default::default()
        },
        &app.db,
    )
    .await
    .unwrap();
    answers(&app).await;
    for table in consoleai::transfer::table_names() {
        assert!(
            count(&app.db, table).await > 0,
            "the source has rows in {table}"
        );
    }
    app
}

fn options(into_non_empty: bool, batch_rows: u64) -> TransferOptions {
    TransferOptions {
        into_non_empty,
        batch_rows,
        progress: false,
    }
}

async fn count(db: &DatabaseConnection, table: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

async fn execute(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
}

async fn counts(db: &DatabaseConnection) -> BTreeMap<&'static str, u64> {
    let mut out = BTreeMap::new();
    for table in consoleai::transfer::table_names() {
        out.insert(table, count(db, table).await);
    }
    out
}

/// The cost rows, field by field, in id order.
async fn cost_rows(
    db: &DatabaseConnection,
) -> (
    Vec<cost_line::Model>,
    Vec<cost_daily::Model>,
    Vec<cost_daily_tag::Model>,
) {
    (
        cost_line::Entity::find()
            .order_by_asc(cost_line::Column::Id)
            .all(db)
            .await
            .unwrap(),
        cost_daily::Entity::find()
            .order_by_asc(cost_daily::Column::Id)
            .all(db)
            .await
            .unwrap(),
        cost_daily_tag::Entity::find()
            .order_by_asc(cost_daily_tag::Column::Id)
            .all(db)
            .await
            .unwrap(),
    )
}

/// The report of a complete copy: every table as in the source.
fn assert_complete(report: &TransferReport, source: &BTreeMap<&'static str, u64>) {
    assert_eq!(report.tables.len(), source.len());
    for table in &report.tables {
        assert_eq!(table.source_rows, source[table.table], "{}", table.table);
        assert_eq!(table.target_rows, source[table.table], "{}", table.table);
    }
    assert!(report.verified_totals > 0);
}

const UNALLOCATED: &str = r#"query($groupBy: CostDimension, $metric: CostMetric!) {
  unallocatedCost(period: "2024-09", groupBy: $groupBy, metric: $metric) {
    totals { amount currency }
    breakdown { key currency amount }
  }
}"#;

const TENANT_COST: &str = r#"query($id: ID!) { tenant(id: $id) { cost(period: "2024-09") { totals { amount currency } } } }"#;

fn amounts(list: &Value, key: &str) -> BTreeMap<(String, String), Decimal> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                (g[key].to_string(), g["currency"].to_string()),
                Decimal::from_str(g["amount"].as_str().unwrap()).unwrap(),
            )
        })
        .collect()
}

/// What the API answers about the unallocated cost (by service, billed and list) and each
/// tenant's cost.
async fn answers(app: &TestApp) -> Vec<BTreeMap<(String, String), Decimal>> {
    let mut out = Vec::new();
    for metric in ["BILLED", "LIST"] {
        let answer = app
            .graphql(
                Some(&app.admin()),
                UNALLOCATED,
                json!({"groupBy": "SERVICE", "metric": metric}),
            )
            .await;
        let cost = &answer.data()["unallocatedCost"];
        out.push(amounts(&cost["totals"], "currency"));
        out.push(amounts(&cost["breakdown"], "key"));
    }
    for id in ["ou-t001-aaaaaaaa", "ou-t001-bbbbbbbb"] {
        let answer = app
            .graphql(Some(&app.admin()), TENANT_COST, json!({"id": id}))
            .await;
        let totals = amounts(&answer.data()["tenant"]["cost"]["totals"], "currency");
        assert!(totals.values().any(|a| *a > Decimal::ZERO), "{id} has cost");
        out.push(totals);
    }
    out
}

#[tokio::test]
async fn sqlite_copies_table_by_table_and_the_api_answers_the_same_on_the_target() {
    let source = source().await;
    let want = counts(&source.db).await;
    let target = fresh_db().await;

    let report = transfer(&source.db, &target.db, &options(false, 5_000))
        .await
        .expect("transfer");
    assert_complete(&report, &want);
    for table in &report.tables {
        assert_eq!(table.copied_rows, want[table.table], "{}", table.table);
    }
    assert_eq!(
        report.tables.iter().map(|t| t.table).collect::<Vec<_>>(),
        [
            "organizational_units",
            "tenants",
            "accounts",
            "import_batches",
            "billing_scopes",
            "cost_lines",
            "cost_daily",
            "cost_daily_tags",
            "cost_daily_by",
            "cost_views_audit",
            "audit_events",
            "data_versions",
            "resources",
            "resource_utilization",
            "cost_resource_daily",
            "tenant_settings",
            "workflow_requests",
            "budget_alerts"
        ]
    );
    assert_eq!(counts(&target.db).await, want);
    // Field by field, ids included.
    assert!(cost_rows(&target.db).await == cost_rows(&source.db).await);
    let tenants = |db: DatabaseConnection| async move {
        tenant::Entity::find()
            .order_by_asc(tenant::Column::Id)
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.id, t.name, t.active))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        tenants(target.db.clone()).await,
        tenants(source.db.clone()).await
    );

    // The target's own inserts do not collide with the copied ids (sequences were moved on).
    consoleai::audit::record_event(
        &target.db,
        consoleai::audit::Event {
            actor: "test",
            role: None,
            action: "transfer.check",
            tenant_id: None,
            target: None,
            before: None,
            after: None,
        },
    )
    .await
    .expect("a new row gets a fresh id");
    assert_eq!(
        count(&target.db, "audit_events").await,
        want["audit_events"] + 1
    );

    let copy = spawn_app_on(target).await;
    assert_eq!(answers(&copy).await, answers(&source).await);
}

#[tokio::test]
async fn a_second_run_is_refused_without_the_flag_and_copies_nothing_new_with_it() {
    let source = source().await;
    let want = counts(&source.db).await;
    let target = fresh_db().await;
    let first = transfer(&source.db, &target.db, &options(false, 5_000))
        .await
        .unwrap();

    let err = transfer(&source.db, &target.db, &options(false, 5_000))
        .await
        .unwrap_err();
    assert!(
        matches!(err, TransferError::NonEmptyTarget { table: "organizational_units", rows } if rows == want["organizational_units"]),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("table organizational_units has"),
        "{message}"
    );
    assert!(message.contains("--into-non-empty"), "{message}");
    assert_eq!(counts(&target.db).await, want, "nothing written");

    let again = transfer(&source.db, &target.db, &options(true, 5_000))
        .await
        .expect("transfer into the non-empty target");
    assert_complete(&again, &want);
    assert!(again.tables.iter().all(|t| t.copied_rows == 0), "{again:?}");
    assert_eq!(again.verified_totals, first.verified_totals);
    assert_eq!(counts(&target.db).await, want);
}

#[tokio::test]
async fn an_interrupted_transfer_resumes_without_duplicates() {
    let source = source().await;
    let want = counts(&source.db).await;
    let target = fresh_db().await;
    let report = transfer(&source.db, &target.db, &options(false, 7))
        .await
        .expect("transfer in batches of 7");
    assert_complete(&report, &want);

    // As if the copy had stopped halfway through cost_lines: the later half of its rows, the
    // tables after it and one account are missing.
    let lines = &cost_rows(&source.db).await.0;
    let middle = lines[lines.len() / 2].id;
    execute(
        &target.db,
        &format!("DELETE FROM cost_lines WHERE id > {middle}"),
    )
    .await;
    for table in [
        "cost_daily",
        "cost_daily_tags",
        "cost_daily_by",
        "cost_views_audit",
        "audit_events",
        "data_versions",
    ] {
        execute(&target.db, &format!("DELETE FROM {table}")).await;
    }
    execute(&target.db, "DELETE FROM accounts WHERE id = '11353890204'").await;
    let missing = want["cost_lines"] - count(&target.db, "cost_lines").await;
    assert!(missing > 400);

    let resumed = transfer(&source.db, &target.db, &options(true, 7))
        .await
        .expect("resumed");
    assert_complete(&resumed, &want);
    let copied: BTreeMap<_, _> = resumed
        .tables
        .iter()
        .map(|t| (t.table, t.copied_rows))
        .collect();
    assert_eq!(copied["cost_lines"], missing);
    assert_eq!(copied["accounts"], 1);
    assert_eq!(copied["cost_daily"], want["cost_daily"]);
    assert_eq!(copied["tenants"], 0);
    assert_eq!(counts(&target.db).await, want);
    assert!(
        cost_rows(&target.db).await == cost_rows(&source.db).await,
        "the same rows, none twice"
    );
}

#[tokio::test]
async fn a_target_that_differs_from_the_source_is_reported() {
    let source = source().await;
    let target = fresh_db().await;
    transfer(&source.db, &target.db, &options(false, 5_000))
        .await
        .unwrap();

    // One pico more in one rollup row.
    let row = cost_rows(&target.db).await.1[3].clone();
    execute(
        &target.db,
        &format!(
            "UPDATE cost_daily SET billed_cost = billed_cost + 1 WHERE id = {}",
            row.id
        ),
    )
    .await;
    let err = transfer(&source.db, &target.db, &options(true, 5_000))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, TransferError::Mismatch { .. }), "{err:?}");
    assert!(
        message.contains("the billed cost in cost_daily for")
            && message.contains(&row.currency)
            && message.contains(&row.usage_date.format("%Y-%m").to_string()),
        "{message}"
    );
    execute(
        &target.db,
        &format!(
            "UPDATE cost_daily SET billed_cost = billed_cost - 1 WHERE id = {}",
            row.id
        ),
    )
    .await;

    // A row missing below the highest id copied is not re-read by a resumed transfer: it shows.
    let first = cost_rows(&target.db).await.0[0].id;
    execute(
        &target.db,
        &format!("DELETE FROM cost_lines WHERE id = {first}"),
    )
    .await;
    let err = transfer(&source.db, &target.db, &options(true, 5_000))
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("the row count of cost_lines up to id")
            && message.contains("1001 rows in the source but 1000 rows in the target"),
        "{message}"
    );
}

#[tokio::test]
async fn the_copy_copies_back_to_a_new_sqlite_file() {
    let source = source().await;
    let want = counts(&source.db).await;
    // Batches of 3: billing_scopes' fourth row is read after its third, which has the same
    // provider and billing account, so the composite key's keyset must compare the period too.
    let middle = fresh_db().await;
    transfer(&source.db, &middle.db, &options(false, 3))
        .await
        .unwrap();

    let local = sqlite_db().await;
    let report = transfer(&middle.db, &local.db, &options(false, 3))
        .await
        .expect("transfer back");
    assert_complete(&report, &want);
    assert_eq!(counts(&local.db).await, want);
    assert!(cost_rows(&local.db).await == cost_rows(&source.db).await);
    let back = spawn_app_on(local).await;
    assert_eq!(answers(&back).await, answers(&source).await);
}

#[tokio::test]
async fn every_table_the_migrations_create_is_transferred() {
    let db = fresh_db().await.db;
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let mut tables: Vec<String> = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .filter(|name| name != "seaql_migrations")
        .collect();
    tables.sort();
    let mut copied = consoleai::transfer::table_names();
    copied.sort();
    assert_eq!(
        tables, copied,
        "a new table must be added to consoleai::transfer"
    );
}
