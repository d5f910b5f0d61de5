//! GraphQL over HTTP (graphql-over-http.org) and the abuse limits, over real HTTP.
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};

use crate::support::*;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

struct Raw {
    status: u16,
    content_type: String,
    allow: Option<String>,
    body: Value,
}

async fn send(app: &TestApp, request: reqwest::RequestBuilder) -> Raw {
    let response = request
        .bearer_auth(app.admin())
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (content_type, allow) = (header("content-type").unwrap_or_default(), header("allow"));
    let body = response.json().await.unwrap_or(Value::Null);
    Raw {
        status,
        content_type,
        allow,
        body,
    }
}

fn post(app: &TestApp) -> reqwest::RequestBuilder {
    app.client.post(format!("{}/graphql", app.address))
}

fn code(raw: &Raw) -> &str {
    raw.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn answers_in_the_media_type_the_client_accepts_with_the_specified_statuses() {
    let app = spawn_app().await;
    let ok = json!({ "query": "{ viewer { role } }" });
    let invalid = json!({ "query": "{ viewer { noSuchField } }" });

    // No Accept (or */*): the GraphQL media type.
    let raw = send(&app, post(&app).json(&ok)).await;
    assert_eq!(raw.status, 200);
    assert!(
        raw.content_type.starts_with(GRAPHQL_RESPONSE),
        "{}",
        raw.content_type
    );
    assert_eq!(raw.body["data"]["viewer"]["role"], "ADMIN");
    // Only application/json accepted: application/json.
    let raw = send(
        &app,
        post(&app).header("accept", "application/json").json(&ok),
    )
    .await;
    assert!(
        raw.content_type.starts_with("application/json"),
        "{}",
        raw.content_type
    );

    // A validation error: 400 and no `data` under the GraphQL media type ...
    let raw = send(
        &app,
        post(&app)
            .header(
                "accept",
                format!("{GRAPHQL_RESPONSE}, application/json;q=0.9"),
            )
            .json(&invalid),
    )
    .await;
    assert_eq!(raw.status, 400);
    assert!(raw.body.get("data").is_none(), "{}", raw.body);
    assert_eq!(code(&raw), "BAD_USER_INPUT");
    // ... and the legacy 200 under application/json.
    let raw = send(
        &app,
        post(&app)
            .header("accept", "application/json")
            .json(&invalid),
    )
    .await;
    assert_eq!(raw.status, 200);
    // Variables that do not coerce are a request error too.
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": "query($n: Int) { tenants(first: $n) { totalCount } }", "variables": { "n": "many" } })),
    )
    .await;
    assert_eq!(raw.status, 400, "{}", raw.body);
    assert!(raw.body.get("data").is_none());
    // A document that does not parse, and a body that is not JSON: 400 in both media types.
    for accept in [GRAPHQL_RESPONSE, "application/json"] {
        let raw = send(
            &app,
            post(&app)
                .header("accept", accept)
                .json(&json!({ "query": "{ viewer { " })),
        )
        .await;
        assert_eq!(raw.status, 400, "{accept}");
        let raw = send(
            &app,
            post(&app)
                .header("accept", accept)
                .header("content-type", "application/json")
                .body("{ not json"),
        )
        .await;
        assert_eq!(raw.status, 400, "{accept}");
        assert_eq!(code(&raw), "BAD_USER_INPUT");
    }
    // A field error is not a request error: 200 with data.
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": "{ tenants(first: 1000) { totalCount } }" })),
    )
    .await;
    assert_eq!(raw.status, 200, "{}", raw.body);
    assert_eq!(code(&raw), "BAD_USER_INPUT");
}

#[tokio::test]
async fn get_is_for_queries_and_post_only_takes_json() {
    let app = spawn_app().await;
    let get = |query: &str| {
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", query)])
    };
    let raw = send(&app, get("{ viewer { role } }")).await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body["data"]["viewer"]["role"], "ADMIN");
    let raw = send(
        &app,
        get("mutation { setApprovalThreshold(tenantId: \"ou-x\", amount: \"1\") { ouId } }"),
    )
    .await;
    assert_eq!(raw.status, 405);
    assert_eq!(raw.allow.as_deref(), Some("POST"));

    // The CSRF vectors: text/plain and form posts never reach the schema.
    let query = r#"{"query":"mutation { setApprovalThreshold(tenantId: \"ou-x\", amount: \"1\") { ouId } }"}"#;
    let raw = send(
        &app,
        post(&app).header("content-type", "text/plain").body(query),
    )
    .await;
    assert_eq!(raw.status, 415);
    let raw = send(&app, post(&app).form(&[("query", "{ viewer { role } }")])).await;
    assert_eq!(raw.status, 415);
    // Batches are off.
    let raw = send(
        &app,
        post(&app)
            .json(&json!([{ "query": "{ viewer { role } }" }, { "query": "{ viewer { role } }" }])),
    )
    .await;
    assert_eq!(raw.status, 400);
    assert!(raw.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("batch"));
    // Other methods.
    let raw = send(&app, app.client.put(format!("{}/graphql", app.address))).await;
    assert_eq!(raw.status, 405);
}

/// The message and status of one document.
async fn refused(app: &TestApp, query: &str) -> (u16, String) {
    let raw = send(app, post(app).json(&json!({ "query": query }))).await;
    assert!(raw.body.get("data").is_none(), "{}", raw.body);
    (
        raw.status,
        raw.body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_string(),
    )
}

#[tokio::test]
async fn abusive_documents_are_refused_before_execution() {
    let app = spawn_app().await;
    let before = app.statement_count();
    // 1,000 aliases of __typename.
    let aliases: String = (0..1000).map(|i| format!("a{i}: __typename ")).collect();
    let (status, message) = refused(&app, &format!("{{ {aliases} }}")).await;
    assert_eq!(status, 400);
    assert!(message.contains("aliases"), "{message}");
    // A 12-deep nesting.
    let deep = "{ tenants { edges { node { inventory { edges { node { recommendation { resource { recommendation { resource { id } } } } } } } } } } }";
    let (status, message) = refused(&app, deep).await;
    assert_eq!(status, 400);
    assert!(
        message.to_lowercase().contains("nested") || message.to_lowercase().contains("deep"),
        "{message}"
    );
    // Pages multiply: 100 tenants × 100 resources × their fields is too complex.
    let wide = "{ tenants(first: 100) { edges { node { inventory(first: 100) { edges { node { id name type state region accountId launchedAt tags { key value } cost30d { amount currency } recommendation { finding reason } } } } } } } }";
    let (status, message) = refused(&app, wide).await;
    assert_eq!(status, 400);
    assert!(message.contains("complex"), "{message}");
    // Too long, too many selections, too many directives.
    let long = format!("{{ viewer {{ role }} }} # {}", "x".repeat(40_000));
    assert!(refused(&app, &long).await.1.contains("bytes"));
    let many: String = (0..700).map(|_| "__typename ").collect();
    assert!(refused(&app, &format!("{{ {many} }}"))
        .await
        .1
        .contains("selections"));
    let directives: String = (0..25).map(|_| "@include(if: true) ").collect();
    assert!(
        refused(&app, &format!("{{ viewer {directives} {{ role }} }}"))
            .await
            .1
            .contains("directives")
    );
    // None of them ran a statement.
    assert_eq!(app.statement_count(), before);
}

#[tokio::test]
async fn each_caller_spends_a_budget_of_query_cost_and_is_told_what_is_left() {
    let app = spawn_app_configured(fresh_db().await, |s| {
        s.graphql.rate_limit_points = 100;
        s.graphql.rate_limit_restore_per_sec = 1;
    })
    .await;
    let query =
        json!({ "query": "{ tenants(first: 10) { totalCount edges { node { ouId name } } } }" });
    let raw = send(&app, post(&app).json(&query)).await;
    assert_eq!(raw.status, 200);
    let cost = &raw.body["extensions"]["cost"];
    let requested = cost["requestedQueryCost"].as_u64().unwrap();
    assert!(requested > 10, "{cost}");
    assert_eq!(cost["throttleStatus"]["maximumAvailable"], 100);
    assert!(
        cost["throttleStatus"]["currentlyAvailable"]
            .as_u64()
            .unwrap()
            <= 100 - requested + 1
    );
    let mut limited = None;
    for _ in 0..10 {
        let raw = send(&app, post(&app).json(&query)).await;
        if raw.status == 429 {
            limited = Some(raw);
            break;
        }
    }
    let limited = limited.expect("the budget runs out");
    assert_eq!(code(&limited), "RATE_LIMITED");
    assert!(limited.body.get("data").is_none());
    // Another caller has a budget of their own.
    let devops = app
        .client
        .post(format!("{}/graphql", app.address))
        .bearer_auth(app.token_for("someone-else", consoleai::auth::Role::Devops, &[]))
        .json(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(devops.status(), 200);
}

#[tokio::test]
async fn production_mode_turns_off_introspection_and_field_suggestions() {
    let app = spawn_app_configured(fresh_db().await, |s| s.graphql.production = true).await;
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": "{ __schema { types { name } } }" })),
    )
    .await;
    // The schema is not described: introspection answers null.
    assert!(raw.body["data"]["__schema"].is_null(), "{}", raw.body);
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": "{ viewer { rol } }" })),
    )
    .await;
    let message = raw.body["errors"][0]["message"].as_str().unwrap();
    assert!(!message.contains("Did you mean"), "{message}");
    // Without it, GraphiQL's introspection works.
    let dev = spawn_app().await;
    let raw = send(
        &dev,
        post(&dev).json(&json!({ "query": "{ __schema { queryType { name } } }" })),
    )
    .await;
    assert_eq!(raw.body["data"]["__schema"]["queryType"]["name"], "Query");
}

#[tokio::test]
async fn an_internal_failure_shows_nothing_internal_but_the_request_id_to_quote() {
    let app = spawn_app().await;
    // Break the database under the server: the next read fails inside.
    app.db
        .execute_unprepared("DROP TABLE tenants")
        .await
        .unwrap();
    let response = post(&app)
        .bearer_auth(app.admin())
        .header("x-request-id", "req-quote-me")
        .json(&json!({ "query": "{ tenants { totalCount } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-quote-me");
    let body: Value = response.json().await.unwrap();
    let error = &body["errors"][0];
    assert_eq!(error["message"], "internal error");
    assert_eq!(error["extensions"]["code"], "INTERNAL");
    assert_eq!(error["extensions"]["requestId"], "req-quote-me");
    let text = body.to_string().to_lowercase();
    for leak in [
        "sql",
        "relation",
        "no such table",
        "select ",
        "database",
        "sea_orm",
        "panicked",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {body}");
    }
}

#[tokio::test]
async fn the_body_size_and_the_request_time_are_bounded() {
    let small = spawn_app_configured(fresh_db().await, |s| s.graphql.max_body_bytes = 2_000).await;
    let padding = "x".repeat(4_000);
    let raw = send(
        &small,
        post(&small)
            .json(&json!({ "query": "{ viewer { role } }", "extensions": { "pad": padding } })),
    )
    .await;
    assert_eq!(raw.status, 413);
    let raw = send(
        &small,
        post(&small).json(&json!({ "query": "{ viewer { role } }" })),
    )
    .await;
    assert_eq!(raw.status, 200);

    // A request stuck behind a lock is cut off with 408 after the configured time.
    let slow = spawn_app_configured(fresh_db().await, |s| s.graphql.request_timeout_secs = 1).await;
    let scratch = Scratch::new();
    slow.import_org(&[crate::focus::sample_org(&scratch)], &[])
        .await;
    let holder = sea_orm::TransactionTrait::begin(&slow.db).await.unwrap();
    let lock = match slow.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "LOCK TABLE cost_views_audit IN ACCESS EXCLUSIVE MODE",
        // SQLite has one writer: taking the write lock holds every other write.
        _ => "INSERT INTO data_versions (owner, version) VALUES ('lock-holder', 1)",
    };
    holder.execute_unprepared(lock).await.unwrap();
    let started = std::time::Instant::now();
    // Reading a tenant's cost records the read: that insert waits for the lock.
    let raw = send(
        &slow,
        post(&slow).json(&json!({ "query": "{ tenants { edges { node { monthToDate { totals { amount } } } } } }" })),
    )
    .await;
    holder.rollback().await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(raw.status, 408);
}

#[tokio::test]
async fn persisted_queries_take_a_hash_once_the_document_is_known() {
    use sha2::{Digest, Sha256};
    let app = spawn_app().await;
    let query = "{ viewer { role } }";
    let hash: String = Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    // Unknown hash: the client is asked for the document (200, as Apollo clients expect).
    let raw = send(&app, post(&app).json(&json!({ "extensions": persisted }))).await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body["errors"][0]["message"], "PersistedQueryNotFound");
    // Hash and document: answered and remembered; a wrong hash is refused.
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": query, "extensions": persisted })),
    )
    .await;
    assert_eq!(raw.body["data"]["viewer"]["role"], "ADMIN");
    let wrong = json!({ "persistedQuery": { "version": 1, "sha256Hash": "00".repeat(32) } });
    let raw = send(
        &app,
        post(&app).json(&json!({ "query": query, "extensions": wrong })),
    )
    .await;
    assert_eq!(raw.status, 400);
    // Then the hash alone, by POST or by GET.
    let raw = send(&app, post(&app).json(&json!({ "extensions": persisted }))).await;
    assert_eq!(raw.body["data"]["viewer"]["role"], "ADMIN");
    let raw = send(
        &app,
        app.client
            .get(format!("{}/graphql", app.address))
            .query(&[("extensions", persisted.to_string())]),
    )
    .await;
    assert_eq!(raw.body["data"]["viewer"]["role"], "ADMIN", "{}", raw.body);
}

#[tokio::test]
async fn batches_are_off_by_default_and_bounded_when_on() {
    let app = spawn_app_configured(fresh_db().await, |s| s.graphql.max_batch = 2).await;
    let one = json!({ "query": "{ viewer { role } }" });
    let raw = send(&app, post(&app).json(&json!([one, one]))).await;
    assert_eq!(raw.status, 200);
    let answers = raw.body.as_array().unwrap();
    assert_eq!(answers.len(), 2);
    assert!(answers
        .iter()
        .all(|a| a["data"]["viewer"]["role"] == "ADMIN"));
    let raw = send(&app, post(&app).json(&json!([one, one, one]))).await;
    assert_eq!(raw.status, 400);
    assert!(raw.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("1 to 2"));
    // Each member passes the limits: one abusive member refuses the batch before anything runs.
    let aliases: String = (0..1000).map(|i| format!("a{i}: __typename ")).collect();
    let raw = send(
        &app,
        post(&app).json(&json!([one, { "query": format!("{{ {aliases} }}") }])),
    )
    .await;
    assert_eq!(raw.status, 400);
}
