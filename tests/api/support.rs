//! Test support: a fresh database per test (SQLite file, or a new PostgreSQL database when
//! `CONSOLEAI_TEST_DATABASE_URL` names a server), the real server on port 0, typed helpers.
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use consoleai::app::Application;
use consoleai::auth::{JwtVerifier, Role, TokenRequest};
use consoleai::config::{CacheSettings, DatabaseSettings, GraphqlSettings, JwtSettings, Settings};
use consoleai::db;
pub use consoleai::ingest::{CostFormat, ImportOptions};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{json, Value};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The real sample data shipped beside the project.
pub fn shared(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(path)
}

pub fn jwt_settings() -> JwtSettings {
    JwtSettings {
        secret: Some(SECRET.into()),
        issuer: "consoleai".into(),
        audience: "consoleai".into(),
        leeway_secs: 5,
        roles_claim: "roles".into(),
        tenants_claim: "tenants".into(),
        algorithms: "HS256".into(),
        jwks_url: None,
        jwks_refresh_secs: 60,
        jwks_timeout_ms: 3000,
    }
}

/// A database of its own for one test.
pub struct TestDb {
    pub url: String,
    pub db: DatabaseConnection,
}

pub async fn fresh_db() -> TestDb {
    let name = format!("consoleai_test_{}", uuid::Uuid::new_v4().simple());
    let url = match std::env::var("CONSOLEAI_TEST_DATABASE_URL") {
        Ok(server) if !server.is_empty() => {
            let admin = sea_orm::Database::connect(&server)
                .await
                .expect("connect to CONSOLEAI_TEST_DATABASE_URL");
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE {name}"),
                ))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(&server);
            format!("{base}/{name}")
        }
        _ => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
    };
    let settings = DatabaseSettings {
        url: url.clone(),
        max_connections: 8,
    };
    let db = db::connect(&settings).await.expect("connect");
    db::migrate(&db).await.expect("migrate");
    TestDb { url, db }
}

/// The server, running on a free port against its own fresh database.
pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub db: DatabaseConnection,
    pub statements: Arc<AtomicUsize>,
    pub client: reqwest::Client,
    verifier: JwtVerifier,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_on(fresh_db().await).await
}

pub async fn spawn_app_on(test_db: TestDb) -> TestApp {
    spawn_app_configured(test_db, |_| {}).await
}

/// The server with settings adjusted by `configure`.
pub async fn spawn_app_configured(
    test_db: TestDb,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let statements = Arc::new(AtomicUsize::new(0));
    let mut db = test_db.db;
    let counter = statements.clone();
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::SeqCst);
        consoleai::db::count_statement(info);
    });
    let database_url = test_db.url.clone();
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        database: DatabaseSettings {
            url: test_db.url,
            max_connections: 8,
        },
        jwt: jwt_settings(),
        cache: CacheSettings {
            ttl_secs: 3600,
            entries: 10_000,
        },
        graphql: GraphqlSettings::default(),
        rightsizing: Default::default(),
        workflow: Default::default(),
        redis: Default::default(),
        budget: Default::default(),
        dashboard: Default::default(),
    };
    let mut settings = settings;
    configure(&mut settings);
    let app = Application::build(&settings, db.clone())
        .await
        .expect("build app");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        database_url,
        db,
        statements,
        client: reqwest::Client::new(),
        verifier: JwtVerifier::new(&jwt_settings()).unwrap(),
    }
}

/// A GraphQL answer: the HTTP status and the JSON body.
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "unexpected errors: {}",
            self.body
        );
        &self.body["data"]
    }

    pub fn error_code(&self) -> Option<&str> {
        self.body["errors"][0]["extensions"]["code"].as_str()
    }
}

impl TestApp {
    pub fn token(&self, role: Role, tenants: &[&str]) -> String {
        self.verifier
            .mint(&TokenRequest {
                subject: format!("{}@example.com", role.as_str().to_lowercase()),
                role,
                tenants: tenants.iter().map(|s| s.to_string()).collect(),
                ttl_secs: 600,
            })
            .unwrap()
    }

    /// A token for a named person (tests that need two managers, or a requester and a decider).
    pub fn token_for(&self, subject: &str, role: Role, tenants: &[&str]) -> String {
        self.verifier
            .mint(&TokenRequest {
                subject: subject.into(),
                role,
                tenants: tenants.iter().map(|s| s.to_string()).collect(),
                ttl_secs: 600,
            })
            .unwrap()
    }

    pub fn admin(&self) -> String {
        self.token(Role::Admin, &[])
    }

    pub async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> Answer {
        self.graphql_operation(token, query, None, variables).await
    }

    /// One operation of a document that holds several (`operationName`).
    pub async fn graphql_operation(
        &self,
        token: Option<&str>,
        query: &str,
        operation: Option<&str>,
        variables: Value,
    ) -> Answer {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({
                "query": query,
                "operationName": operation,
                "variables": variables,
            }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let body = response.json().await.expect("JSON body");
        Answer { status, body }
    }

    pub fn statement_count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    pub async fn import_org(
        &self,
        files: &[PathBuf],
        tenants: &[&str],
    ) -> consoleai::ingest::OrgImportReport {
        let options = consoleai::ingest::OrgImportOptions {
            tenants: tenants.iter().map(|s| s.to_string()).collect(),
            parent: None,
        };
        consoleai::ingest::import_org(&self.db, files, &options, "test")
            .await
            .expect("org import")
    }

    pub async fn import_focus(&self, files: &[PathBuf]) -> consoleai::ingest::CostImportReport {
        self.import(CostFormat::Focus, files).await
    }

    pub async fn import(
        &self,
        format: CostFormat,
        files: &[PathBuf],
    ) -> consoleai::ingest::CostImportReport {
        consoleai::ingest::import_cost(&self.db, format, files, &ImportOptions::by("test"))
            .await
            .expect("cost import")
    }

    pub async fn try_import(
        &self,
        format: CostFormat,
        files: &[PathBuf],
    ) -> Result<consoleai::ingest::CostImportReport, String> {
        consoleai::ingest::import_cost(&self.db, format, files, &ImportOptions::by("test"))
            .await
            .map_err(|e| e.to_string())
    }

    pub async fn import_inventory(
        &self,
        files: &[PathBuf],
        account: Option<&str>,
        region: Option<&str>,
    ) -> consoleai::inventory::InventoryReport {
        consoleai::inventory::import_inventory(&self.db, files, account, region, "test")
            .await
            .expect("inventory import")
    }

    pub async fn import_utilization(
        &self,
        files: &[PathBuf],
    ) -> consoleai::inventory::UtilizationReport {
        consoleai::inventory::import_utilization(&self.db, files, None, "test")
            .await
            .expect("utilization import")
    }

    /// One number from SQL, e.g. a count.
    /// Every dimension of the derived `cost_daily_by` rollup adds up to `cost_daily`, day by day
    /// and tenant by tenant (the rows that differ either way are counted; none may).
    pub async fn assert_rollups_agree(&self) {
        for dimension in migration::m20261129_000008_daily_by_dimension::DIMENSIONS {
            let key = if dimension == "*" { "''" } else { dimension };
            let daily = format!(
                "SELECT tenant_id, usage_date, COALESCE({key}, '') AS k, currency, \
                 SUM(billed_cost) AS b, SUM(list_cost) AS l FROM cost_daily \
                 GROUP BY tenant_id, usage_date, COALESCE({key}, ''), currency"
            );
            let derived = format!(
                "SELECT tenant_id, usage_date, COALESCE(dimension_key, '') AS k, currency, \
                 SUM(billed_cost) AS b, SUM(list_cost) AS l FROM cost_daily_by \
                 WHERE dimension = '{dimension}' \
                 GROUP BY tenant_id, usage_date, COALESCE(dimension_key, ''), currency"
            );
            for (a, b) in [(&daily, &derived), (&derived, &daily)] {
                let differing = self
                    .scalar(&format!("SELECT COUNT(*) FROM ({a} EXCEPT {b}) AS d"))
                    .await;
                assert_eq!(
                    differing, 0,
                    "cost_daily_by {dimension} disagrees with cost_daily"
                );
            }
        }
    }

    pub async fn scalar(&self, sql: &str) -> i64 {
        let row = self
            .db
            .query_one_raw(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    }
}

/// A scratch folder removed at drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("consoleai-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn role(name: &str) -> Role {
    Role::from_claim(name).unwrap()
}
