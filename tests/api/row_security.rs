//! Row-level security on PostgreSQL: a query that forgets its tenant filter still returns
//! nothing of another tenant, when the server connects as a role that does not bypass policies.
//! (SQLite has no row-level security; these tests run when `CONSOLEAI_TEST_DATABASE_URL` names a
//! PostgreSQL server.)
use consoleai::tenancy::{row_security, TenantScope};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

use crate::support::*;

const ALPHA: &str = "ou-t001-aaaaaaaa";
const BETA: &str = "ou-t001-bbbbbbbb";

async fn texts(db: &DatabaseConnection, sql: &str) -> Vec<Option<String>> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<Option<String>>(0).unwrap())
        .collect()
}

/// A login role that owns nothing and is no superuser, with the grants a server needs, on the
/// test database; dropped at the end.
struct AppRole {
    name: String,
    owner: DatabaseConnection,
    url: String,
}

impl AppRole {
    async fn create(owner: &DatabaseConnection, database_url: &str) -> AppRole {
        let name = format!("consoleai_app_{}", uuid::Uuid::new_v4().simple());
        for sql in [
            format!("CREATE ROLE {name} LOGIN NOSUPERUSER NOBYPASSRLS"),
            format!("GRANT USAGE ON SCHEMA public TO {name}"),
            format!(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}"
            ),
            format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}"),
        ] {
            owner.execute_unprepared(&sql).await.unwrap();
        }
        let (server, db) = database_url.rsplit_once('/').unwrap();
        let host = server.rsplit_once('@').map(|(_, h)| h).unwrap_or(server);
        AppRole {
            url: format!("postgres://{name}@{host}/{db}"),
            name,
            owner: owner.clone(),
        }
    }

    async fn drop(self) {
        let name = &self.name;
        self.owner
            .execute_unprepared(&format!("DROP OWNED BY {name}; DROP ROLE {name}"))
            .await
            .ok();
    }
}

#[tokio::test]
async fn a_query_without_its_tenant_filter_returns_nothing_of_another_tenant() {
    let owner_app = spawn_app().await;
    if owner_app.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return; // SQLite: no row-level security.
    }
    let scratch = Scratch::new();
    owner_app
        .import_org(&[crate::focus::sample_org(&scratch)], &[])
        .await;
    owner_app
        .import_focus(&[shared(crate::focus::SAMPLE)])
        .await;
    let role = AppRole::create(&owner_app.db, &owner_app.database_url).await;
    let app_db = consoleai::db::connect(&consoleai::config::DatabaseSettings {
        url: role.url.clone(),
        max_connections: 4,
    })
    .await
    .unwrap();

    // The forgetful query: every tenant id of the daily rollup, no filter at all.
    let forgetful = "SELECT DISTINCT tenant_id FROM cost_daily ORDER BY tenant_id";
    let everyone = texts(&owner_app.db, forgetful).await;
    assert!(everyone.contains(&Some(BETA.into())) && everyone.contains(&None));
    let alpha = TenantScope::Only([ALPHA.to_string()].into());
    let seen = row_security::within(&alpha, texts(&app_db, forgetful)).await;
    assert_eq!(seen, vec![Some(ALPHA.to_string())]);
    // Asking for Beta by name does not help either; nor does writing into Beta.
    let beta_rows = row_security::within(
        &alpha,
        texts(
            &app_db,
            &format!("SELECT id::text FROM cost_lines WHERE tenant_id = '{BETA}'"),
        ),
    )
    .await;
    assert!(beta_rows.is_empty());
    let write = row_security::within(
        &alpha,
        app_db.execute_unprepared(&format!(
            "INSERT INTO tenant_settings (tenant_id, currency, updated_by, updated_at) \
             VALUES ('{BETA}', 'USD', 'x', now())"
        )),
    )
    .await;
    assert!(write.is_err(), "a row of another tenant cannot be written");
    // An ADMIN's requests, and code outside any request, see everything.
    let all = row_security::within(&TenantScope::All, texts(&app_db, forgetful)).await;
    assert_eq!(all, everyone);
    // A caller with no tenant sees nothing.
    let nobody = TenantScope::Only(Default::default());
    assert!(row_security::within(&nobody, texts(&app_db, forgetful))
        .await
        .is_empty());

    // The server itself, connected as that role, answers as before: a DevOps of Alpha gets
    // Alpha, and Beta is null.
    let server = spawn_app_on(TestDb {
        url: role.url.clone(),
        db: app_db.clone(),
    })
    .await;
    let devops = server.token(consoleai::auth::Role::Devops, &[ALPHA]);
    let answer = server
        .graphql(
            Some(&devops),
            "query($a: ID!, $b: ID!) { a: tenant(id: $a) { cost(period: \"2024-09\") { totals { amount } } } b: tenant(id: $b) { ouId } tenants { totalCount } }",
            json!({ "a": ALPHA, "b": BETA }),
        )
        .await;
    let data = answer.data();
    assert!(
        data["a"]["cost"]["totals"][0]["amount"].is_string(),
        "{data}"
    );
    assert_eq!(data["b"], serde_json::Value::Null);
    assert_eq!(data["tenants"]["totalCount"], 1);
    role.drop().await;
}
