//! Scale-out: two `consoleai serve` processes on one database and one Redis share their cached
//! answers, and a change made anywhere — a mutation through one replica, an import by an operator —
//! is seen through the other at once.
use std::process::Stdio;
use std::time::Duration;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::focus::sample_org;
use crate::support::*;

/// One server process; killed when dropped.
struct Replica {
    child: tokio::process::Child,
    address: String,
    client: reqwest::Client,
}

impl Replica {
    async fn start(database_url: &str, redis_url: &str, prefix: &str) -> Replica {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_consoleai"))
            .arg("serve")
            .env("CONSOLEAI_DATABASE_URL", database_url)
            .env("CONSOLEAI_DATABASE_MAX_CONNECTIONS", "4")
            .env("CONSOLEAI_BIND", "127.0.0.1:0")
            .env("CONSOLEAI_JWT_SECRET", SECRET)
            .env("CONSOLEAI_REDIS_URL", redis_url)
            .env("CONSOLEAI_REDIS_PREFIX", prefix)
            .env("CONSOLEAI_CACHE_TTL_SECS", "3600")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("start consoleai serve");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(rest) = line.strip_prefix("consoleai listening on ") {
                    return rest
                        .trim_end_matches("/graphql")
                        .split(' ')
                        .next()
                        .unwrap()
                        .to_string();
                }
            }
            panic!("consoleai serve exited before listening");
        })
        .await
        .expect("consoleai serve listening within 60 s");
        Replica {
            child,
            address: address.trim_end_matches("/graphql").to_string(),
            client: reqwest::Client::new(),
        }
    }

    async fn graphql(&self, token: &str, query: &str, variables: Value) -> Value {
        let answer: Value = self
            .client
            .post(format!("{}/graphql", self.address))
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(answer.get("errors").is_none(), "{answer}");
        answer["data"].clone()
    }

    /// A counter or gauge from `/metrics`.
    async fn metric(&self, series: &str) -> f64 {
        let text = self
            .client
            .get(format!("{}/metrics", self.address))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
            .unwrap_or_else(|| panic!("{series} not in /metrics:\n{text}"))
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

const FINOPS: &str = r#"query($id: ID!) { tenant(id: $id) {
  monthlyBudget { amount }
  cost(period: "2024-09", groupBy: SERVICE) { totals { amount currency } breakdown { key amount } } } }"#;
const SHARED_HITS: &str = "consoleai_cache_requests_total{outcome=\"shared_hit\"}";
const MISSES: &str = "consoleai_cache_requests_total{outcome=\"miss\"}";

fn total(data: &Value) -> Decimal {
    data["tenant"]["cost"]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_str().unwrap().parse::<Decimal>().unwrap())
        .sum()
}

#[tokio::test]
async fn two_replicas_share_the_cache_and_see_every_change_at_once() {
    let redis = std::env::var("CONSOLEAI_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("consoleai-test-{}", uuid::Uuid::new_v4().simple());
    let app = spawn_app().await;
    let scratch = Scratch::new();
    app.import_org(&[sample_org(&scratch)], &[]).await;
    app.import_focus(&[shared("focus/focus_sample.csv")]).await;
    let alpha = "ou-t001-aaaaaaaa";
    let admin = app.admin();

    let (a, b) = tokio::join!(
        Replica::start(&app.database_url, &redis, &prefix),
        Replica::start(&app.database_url, &redis, &prefix)
    );

    // A computes the answer; B finds it in Redis instead of aggregating again.
    let on_a = a.graphql(&admin, FINOPS, json!({"id": alpha})).await;
    assert!(total(&on_a) > Decimal::ZERO, "{on_a}");
    let (b_hits, b_misses) = (b.metric(SHARED_HITS).await, b.metric(MISSES).await);
    let on_b = b.graphql(&admin, FINOPS, json!({"id": alpha})).await;
    assert_eq!(on_a, on_b);
    assert_eq!(
        b.metric(SHARED_HITS).await,
        b_hits + 1.0,
        "B's answer came from Redis"
    );
    assert_eq!(b.metric(MISSES).await, b_misses, "B computed nothing");
    // And the answers sit in Redis under the configured prefix.
    let mut redis_connection = redis::Client::open(redis.as_str())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:cost:*"))
        .query_async(&mut redis_connection)
        .await
        .unwrap();
    assert!(!keys.is_empty(), "no cached answer under {prefix}");

    // A mutation through A: B answers with it at once.
    a.graphql(
        &admin,
        r#"mutation($id: ID!) { setMonthlyBudget(tenantId: $id, amount: "1234.56") { id } }"#,
        json!({"id": alpha}),
    )
    .await;
    let on_b = b.graphql(&admin, FINOPS, json!({"id": alpha})).await;
    assert_eq!(
        on_b["tenant"]["monthlyBudget"]["amount"], "1234.56",
        "{on_b}"
    );

    // An operator's import restates September without Alpha's account: both replicas drop the
    // cached total at once (the import bumped Alpha's data version; the old keys are never asked
    // for again).
    let text = std::fs::read_to_string(shared("focus/focus_sample.csv")).unwrap();
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"11353890204\""))
        .collect();
    let restated = scratch.write("restated.csv", &(kept.join("\n") + "\n"));
    let options = ImportOptions {
        force: true,
        ..ImportOptions::by("operator")
    };
    consoleai::ingest::import_cost(&app.db, CostFormat::Focus, &[restated], &options)
        .await
        .unwrap();
    for replica in [&a, &b] {
        let after = replica.graphql(&admin, FINOPS, json!({"id": alpha})).await;
        assert_eq!(total(&after), Decimal::ZERO, "{after}");
    }

    // Per-request SQL reaches /metrics.
    assert!(a.metric("consoleai_sql_statements_per_request_count").await >= 3.0);
    assert!(a.metric("consoleai_db_pool_max_connections").await == 4.0);

    let _: () = redis::cmd("DEL")
        .arg(keys)
        .query_async(&mut redis_connection)
        .await
        .unwrap_or(());
}
