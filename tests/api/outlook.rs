//! Forecast, budgets with their webhook, anomalies and the monthly report, on generated data.
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use chrono::{Days, Utc};
use consoleai::auth::Role;
use consoleai::cost::period::DateRange;
use consoleai::tenancy::{TenantRef, TenantScope};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::support::*;

/// A demo organisation (6 tenants, 4 months up to today) imported into a new server.
async fn organisation(
    configure: impl FnOnce(&mut consoleai::config::Settings),
) -> (TestApp, consoleai::generate::GeneratedFiles, Scratch) {
    let app = spawn_app_configured(fresh_db().await, configure).await;
    let scratch = Scratch::new();
    let today = Utc::now().date_naive();
    let files = consoleai::generate::generate(
        &consoleai::generate::GenerateOptions::demo(today),
        &scratch.0,
    )
    .unwrap();
    consoleai::demo::import_generated(&app.db, &files, "test")
        .await
        .unwrap();
    (app, files, scratch)
}

fn refs(ids: &[String]) -> Vec<TenantRef> {
    ids.iter()
        .map(|t| TenantScope::All.tenant(t).unwrap())
        .collect()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_forecast_interval_covers_held_out_weeks_at_about_its_stated_rate() {
    let (app, files, _scratch) = organisation(|_| {}).await;
    let today = Utc::now().date_naive();
    // Forecast from three weeks ago, as if the last three weeks had not happened yet.
    let cut = today - Days::new(21);
    let tenants = refs(&files.tenant_ids);
    let outlooks = consoleai::cost::outlook::outlooks(&app.db, &tenants, cut)
        .await
        .unwrap();
    // The forecast is of usage (tax and credits are not forecast): compare with usage.
    let cells = consoleai::cost::query::cells_by_tenant(
        &app.db,
        &tenants,
        DateRange {
            start: cut + Days::new(1),
            end: today + Days::new(1),
        },
        consoleai::cost::CostMetric::Billed,
    )
    .await
    .unwrap();
    let mut actual: std::collections::BTreeMap<(String, chrono::NaiveDate), Decimal> =
        Default::default();
    for (tenant, rows) in cells {
        for c in rows
            .iter()
            .filter(|c| c.charge_category == "Usage" && c.currency == "USD")
        {
            *actual.entry((tenant.clone(), c.date)).or_default() +=
                consoleai::cost::money::from_fixed(c.picos);
        }
    }
    let (mut n, mut in80, mut in95, mut abs_error, mut total) =
        (0, 0, 0, Decimal::ZERO, Decimal::ZERO);
    for ((tenant, date), amount) in &actual {
        let outlook = &outlooks[tenant.as_str()];
        let p80 = outlook
            .forecast_80
            .points
            .iter()
            .find(|p| p.date == *date)
            .unwrap();
        let p95 = outlook
            .forecast_95
            .points
            .iter()
            .find(|p| p.date == *date)
            .unwrap();
        if std::env::var("DEBUG_BACKTEST").is_ok() {
            println!(
                "{tenant} {date} actual {amount:.2} mean {:.2} [{:.2}, {:.2}]",
                p80.mean, p80.lower, p80.upper
            );
        }
        n += 1;
        in80 += (p80.lower <= *amount && *amount <= p80.upper) as usize;
        in95 += (p95.lower <= *amount && *amount <= p95.upper) as usize;
        abs_error += (p80.mean - *amount).abs();
        total += *amount;
    }
    let (c80, c95) = (in80 as f64 / n as f64, in95 as f64 / n as f64);
    println!("backtest: {n} tenant-days, 80 % interval covered {c80:.2}, 95 % covered {c95:.2}, error {:.1} % of spend", (abs_error / total * Decimal::from(100)).round_dp(1));
    assert!(n >= 6 * 20, "{n}");
    // The generated tenants' level shifts (resources stopped for good inside the held-out weeks)
    // are not forecastable: the intervals cover somewhat less than stated here (0.67 and 0.81
    // when measured); on series without such shifts they cover at their rate (unit tests).
    assert!((0.60..=0.97).contains(&c80), "80 % interval covered {c80}");
    assert!(c95 >= 0.75 && c95 >= c80, "95 % interval covered {c95}");
    assert!(abs_error / total < Decimal::new(6, 2));

    // Through the API: the month's total is what was spent plus the rest's forecast.
    let id = &files.tenant_ids[0];
    let answer = app
        .graphql(
            Some(&app.admin()),
            "query($t: ID!) { tenant(id: $t) { cost { totals { amount currency } }
               forecast(granularity: MONTHLY) { method level monthToDate { amount } monthEnd { mean { amount } lower { amount } upper { amount } }
                 nextMonth { mean { amount } } points { date mean { amount } } }
               daily: forecast(horizon: REST_OF_MONTH, level: 95) { level points { date } }
               rest: forecast(horizon: REST_OF_MONTH) { points { date mean { amount } } }
               through: forecast(horizon: THROUGH_NEXT_MONTH) { points { date } } } }",
            json!({ "t": id }),
        )
        .await;
    let t = &answer.data()["tenant"];
    let f = &t["forecast"];
    assert_eq!(f["level"], 80);
    assert_eq!(f["points"].as_array().unwrap().len(), 2);
    assert_eq!(
        f["monthToDate"]["amount"], t["cost"]["totals"][0]["amount"],
        "month to date is the month's cost so far"
    );
    let (lower, mean, upper) = (
        dec(&f["monthEnd"]["lower"]["amount"]),
        dec(&f["monthEnd"]["mean"]["amount"]),
        dec(&f["monthEnd"]["upper"]["amount"]),
    );
    assert!(lower <= mean && mean <= upper && dec(&f["monthToDate"]["amount"]) <= mean);
    assert!(dec(&f["nextMonth"]["mean"]["amount"]) > Decimal::ZERO);
    // Daily points run from tomorrow to the month's last day (not a day into the next month)…
    let month = consoleai::cost::period::Month::containing(today);
    let days = t["daily"]["points"].as_array().unwrap();
    assert_eq!(days.len() as i64, (month.last_day() - today).num_days());
    if let Some(last) = days.last() {
        assert_eq!(last["date"], month.last_day().to_string());
    }
    assert_eq!(t["daily"]["level"], 95);
    let next = consoleai::cost::period::Month::containing(month.end());
    let through = t["through"]["points"].as_array().unwrap();
    assert_eq!(through.last().unwrap()["date"], next.last_day().to_string());
    // …and the month's expected total is the spend so far plus exactly those days' forecast.
    let rest: Decimal = t["rest"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| dec(&p["mean"]["amount"]))
        .sum();
    let spent = dec(&f["monthToDate"]["amount"]);
    assert!(
        (spent + rest - mean).abs() <= Decimal::new(1, 2),
        "month end {mean} vs spent {spent} + rest of month {rest}"
    );
}

#[tokio::test]
async fn the_generated_spike_is_an_anomaly_with_its_cause_and_normal_tenants_raise_nothing() {
    let (app, files, _scratch) = organisation(|_| {}).await;
    let spike = files
        .spike
        .clone()
        .expect("the demo period reaches the spike");
    let query = "query($t: ID!) { tenant(id: $t) { anomalyCount anomalies { date actual { amount } expected { amount }
        impact { amount } impactPercent rootCauses { dimension key delta { amount } } } } }";
    for tenant in &files.tenant_ids {
        let answer = app
            .graphql(Some(&app.admin()), query, json!({ "t": tenant }))
            .await;
        let t = &answer.data()["tenant"];
        let anomalies = t["anomalies"].as_array().unwrap();
        assert_eq!(
            t["anomalyCount"].as_u64().unwrap() as usize,
            anomalies.len()
        );
        if *tenant != spike.tenant_id {
            assert!(anomalies.is_empty(), "{tenant}: {anomalies:?}");
            continue;
        }
        let days: Vec<String> = anomalies
            .iter()
            .map(|a| a["date"].as_str().unwrap().to_string())
            .collect();
        assert!(
            days.contains(&spike.first_day.to_string()),
            "spike on {} not found: {days:?}",
            spike.first_day
        );
        assert!(days.len() <= spike.days as usize, "{days:?}");
        let first = anomalies
            .iter()
            .find(|a| a["date"] == spike.first_day.to_string())
            .unwrap();
        assert!(dec(&first["impact"]["amount"]) > Decimal::ZERO);
        let top = |dimension: &str| {
            first["rootCauses"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["dimension"] == dimension)
                .map(|c| c["key"].as_str().unwrap().to_string())
        };
        assert_eq!(top("SERVICE"), Some(spike.service_name.clone()));
        assert_eq!(top("ACCOUNT"), Some(spike.account_id.clone()));
    }
}

/// A local webhook receiver: records what it was sent; fails the first `failures` requests.
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    failures: Arc<Mutex<usize>>,
}

async fn receiver(failures: usize) -> (String, Receiver) {
    let state = Receiver {
        failures: Arc::new(Mutex::new(failures)),
        ..Default::default()
    };
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |axum::extract::State(r): axum::extract::State<Receiver>,
                 headers: HeaderMap,
                 body: String| async move {
                    let mut failures = r.failures.lock().unwrap();
                    if *failures > 0 {
                        *failures -= 1;
                        return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                    }
                    r.received.lock().unwrap().push((headers, body));
                    axum::http::StatusCode::NO_CONTENT
                },
            ),
        )
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

const SECRET_16: &str = "webhook-secret-0123456789";

#[tokio::test]
async fn a_budget_crossing_sends_one_signed_webhook_per_threshold_and_month_retried_on_failure() {
    let (url, hooks) = receiver(2).await;
    let (app, files, _scratch) = organisation(|s| {
        s.budget.budget_webhook_url = Some(url.clone());
        s.budget.budget_webhook_secret = Some(SECRET_16.into());
        s.budget.budget_webhook_backoff_ms = 50;
        s.budget.budget_check_interval_secs = 3600;
    })
    .await;
    let tenant = &files.tenant_ids[0];
    let manager = app.token_for("boss@t0", Role::Manager, &[tenant]);
    let devops = app.token_for("dev@t0", Role::Devops, &[tenant]);
    let set = "mutation($t: ID!, $a: Decimal!) { setMonthlyBudget(tenantId: $t, amount: $a) {
        budget { amount { amount } actual { amount } percentUsed status thresholdsCrossed } budgetStatus } }";
    let answer = app
        .graphql(Some(&devops), set, json!({ "t": tenant, "a": "1" }))
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));

    // A budget of 1 USD: the month has spent far more; both actual thresholds and the
    // forecast one are crossed at once.
    let answer = app
        .graphql(Some(&manager), set, json!({ "t": tenant, "a": "1" }))
        .await;
    let budget = &answer.data()["setMonthlyBudget"]["budget"];
    assert_eq!(budget["status"], "EXCEEDED");
    assert_eq!(
        answer.data()["setMonthlyBudget"]["budgetStatus"],
        "EXCEEDED"
    );
    assert_eq!(
        budget["thresholdsCrossed"],
        json!(["ACTUAL_80", "ACTUAL_100", "FORECAST_100"])
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while hooks.received.lock().unwrap().len() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let received = hooks.received.lock().unwrap().clone();
    assert_eq!(received.len(), 3, "{received:?}");
    for (headers, body) in &received {
        let signature = headers["x-consoleai-signature"].to_str().unwrap();
        let t: i64 = signature
            .split(',')
            .next()
            .unwrap()
            .strip_prefix("t=")
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(
            signature,
            consoleai::budget::alerts::Webhook::signature(SECRET_16, t, body),
            "signed with the shared secret over timestamp and body"
        );
        assert_ne!(
            signature,
            consoleai::budget::alerts::Webhook::signature("another-secret-012345", t, body)
        );
        let payload: Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["tenantOuId"], tenant.as_str());
        assert_eq!(payload["budget"], "1");
    }
    // The first delivery needed three attempts (two 503s), and all are on record as sent.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM budget_alerts WHERE status = 'SENT'")
            .await,
        3
    );
    assert_eq!(
        app.scalar("SELECT CAST(MAX(attempts) AS BIGINT) FROM budget_alerts")
            .await,
        3
    );

    // Setting it again crosses nothing new this month: nothing more is sent.
    app.graphql(Some(&manager), set, json!({ "t": tenant, "a": "2" }))
        .await
        .data();
    let alerts = consoleai::budget::alerts::check(
        &app.db,
        &TenantScope::All,
        &consoleai::budget::alerts::Webhook::from_settings(&consoleai::config::BudgetSettings {
            budget_webhook_url: Some(url.clone()),
            budget_webhook_secret: Some(SECRET_16.into()),
            ..Default::default()
        })
        .unwrap(),
        Utc::now().date_naive(),
    )
    .await
    .unwrap();
    assert!(alerts.is_empty(), "{alerts:?}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(hooks.received.lock().unwrap().len(), 3);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.budget.set'")
            .await,
        2
    );

    // A generous budget is OK; the Summary shows each tenant's status, batched.
    app.graphql(Some(&manager), set, json!({ "t": tenant, "a": "9000000" }))
        .await
        .data();
    let summary = app
        .graphql(
            Some(&app.admin()),
            "{ tenants { edges { node { ouId budgetStatus anomalyCount } } } }",
            json!({}),
        )
        .await;
    for edge in summary.data()["tenants"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let expected = if node["ouId"] == tenant.as_str() {
            json!("OK")
        } else {
            Value::Null
        };
        assert_eq!(node["budgetStatus"], expected, "{node}");
    }
}

#[tokio::test]
async fn the_monthly_report_is_a_pdf_with_the_months_total_and_top_service() {
    let (app, files, _scratch) = organisation(|_| {}).await;
    let tenant = &files.tenant_ids[0];
    let other = &files.tenant_ids[1];
    let devops = app.token_for("dev@t0", Role::Devops, &[tenant]);
    let month = consoleai::cost::period::Month::containing(Utc::now().date_naive())
        .previous()
        .to_string();
    let page = app
        .graphql(
            Some(&devops),
            "query($t: ID!, $m: String) { tenant(id: $t) { reportUrl(month: $m)
               cost(period: $m, groupBy: SERVICE) { totals { amount } breakdown { key amount } } } }",
            json!({ "t": tenant, "m": month }),
        )
        .await;
    let t = &page.data()["tenant"];
    let url = t["reportUrl"].as_str().unwrap();
    assert_eq!(url, format!("/reports/{tenant}/{month}.pdf"));

    let get = |token: Option<String>, path: String| {
        let request = app.client.get(format!("{}{path}", app.address));
        async move {
            match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
            .send()
            .await
            .unwrap()
        }
    };
    let response = get(Some(devops.clone()), url.to_string()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    let pdf = lopdf::Document::load_mem(&bytes).expect("a PDF lopdf reads");
    let pages: Vec<u32> = pdf.get_pages().keys().copied().collect();
    let text = pdf.extract_text(&pages).unwrap();
    let total: Decimal = dec(&t["cost"]["totals"][0]["amount"]);
    let formatted = format_amount(total);
    assert!(
        text.contains(&formatted),
        "{formatted} not in the report text:\n{text}"
    );
    let top_service = t["cost"]["breakdown"][0]["key"].as_str().unwrap();
    assert!(text.contains(top_service), "{top_service} not in:\n{text}");
    assert!(text.contains(&month));

    // Another tenant's report does not exist for this caller; no token is 401.
    assert_eq!(
        get(
            Some(devops.clone()),
            format!("/reports/{other}/{month}.pdf")
        )
        .await
        .status(),
        404
    );
    assert_eq!(get(None, url.to_string()).await.status(), 401);
    assert_eq!(
        get(
            Some(devops.clone()),
            format!("/reports/{tenant}/2026-13.pdf")
        )
        .await
        .status(),
        400
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM cost_views_audit WHERE view = 'Report.pdf'")
            .await,
        1
    );
}

/// `12,345.67`: thousands separators, two decimals.
fn format_amount(amount: Decimal) -> String {
    let rounded = amount.round_dp(2);
    let text = format!("{rounded:.2}");
    let (whole, cents) = text.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{grouped}.{cents}")
}
