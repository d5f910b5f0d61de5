//! The real binary logs one JSON line per GraphQL request, on stderr.
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn each_request_logs_a_json_line_with_its_id_subject_tenant_operation_and_duration() {
    let db = std::env::temp_dir().join(format!(
        "consoleai-log-{}.db",
        uuid::Uuid::new_v4().simple()
    ));
    let mut server = Command::new(env!("CARGO_BIN_EXE_consoleai"))
        .args(["serve", "--bind", "127.0.0.1:0", "--jwt-secret", SECRET])
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", db.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let address = first
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_string();

    let verifier = consoleai::auth::JwtVerifier::new(&jwt_settings()).unwrap();
    let token = verifier
        .mint(&consoleai::auth::TokenRequest {
            subject: "alice@example.com".into(),
            role: role("devops"),
            tenants: vec!["ou-t001-aaaaaaaa".into()],
            ttl_secs: 60,
        })
        .unwrap();
    let response = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .bearer_auth(&token)
        .header("x-request-id", "req-42")
        .json(&json!({"query": "query Viewer { viewer { subject } }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "req-42");
    assert_eq!(response.status(), 200);
    server.kill().unwrap();
    let mut logs = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    server.wait().unwrap();

    let line: Value = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["fields"]["message"] == "graphql request")
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    let fields = &line["fields"];
    assert_eq!(fields["request_id"], "req-42");
    assert_eq!(fields["subject"], "alice@example.com");
    assert_eq!(fields["tenant"], "ou-t001-aaaaaaaa");
    assert_eq!(fields["operation"], "Viewer");
    assert!(fields["duration_ms"].as_f64().unwrap() >= 0.0);
    let _ = std::fs::remove_file(db);
}
