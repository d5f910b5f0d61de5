//! Announcing budget thresholds: each (tenant, month, threshold) once, by a signed webhook,
//! retried with backoff.
//!
//! Once means once across replicas and restarts: the announcement is claimed by inserting its
//! row into `budget_alerts`, whose unique index on (tenant, month, threshold) lets exactly one
//! claimant win; only the winner sends. A delivery that fails every attempt stays on record as
//! FAILED with its last error.
//!
//! The request is a JSON POST with `X-Consoleai-Signature: t=<unix seconds>,v1=<hex>`, where the
//! hex is HMAC-SHA256 over `<t>.<body>` with the shared secret: the receiver recomputes it, and
//! rejects old timestamps to stop replays.
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr,
};
use serde_json::json;
use sha2::Sha256;

use super::{view, BudgetView, Thresholds};
use crate::config::BudgetSettings;
use crate::cost::money;
use crate::cost::outlook;
use crate::cost::period::Month;
use crate::error::AppResult;
use crate::tenancy::TenantScope;
use entity::{budget_alert, tenant_setting};

/// Where and how budget alerts are sent.
#[derive(Clone)]
pub struct Webhook {
    url: String,
    secret: String,
    client: reqwest::Client,
    attempts: u32,
    first_backoff: Duration,
    pub thresholds: Thresholds,
}

impl Webhook {
    /// The webhook configured, if any (`validate` has checked the settings).
    pub fn from_settings(settings: &BudgetSettings) -> Option<Webhook> {
        let url = settings
            .budget_webhook_url
            .clone()
            .filter(|u| !u.is_empty())?;
        Some(Webhook {
            url,
            secret: settings.budget_webhook_secret.clone().unwrap_or_default(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client"),
            attempts: settings.budget_webhook_attempts.max(1),
            first_backoff: Duration::from_millis(settings.budget_webhook_backoff_ms),
            thresholds: settings.thresholds(),
        })
    }

    /// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
    pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(format!("{timestamp}.{body}").as_bytes());
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        format!("t={timestamp},v1={hex}")
    }

    /// Posts `body`, retrying network errors, 429 and 5xx with exponential backoff. Returns the
    /// attempts made and, if none succeeded, the last error.
    pub async fn deliver(&self, delivery: &str, body: &str) -> (u32, Result<(), String>) {
        let mut backoff = self.first_backoff;
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            let timestamp = Utc::now().timestamp();
            let sent = self
                .client
                .post(&self.url)
                .header("content-type", "application/json")
                .header("x-consoleai-event", "budget.threshold_crossed")
                .header("x-consoleai-delivery", delivery)
                .header(
                    "x-consoleai-signature",
                    Webhook::signature(&self.secret, timestamp, body),
                )
                .body(body.to_string())
                .send()
                .await;
            match sent {
                Ok(r) if r.status().is_success() => return (attempt, Ok(())),
                Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => {
                    last = format!("HTTP {}", r.status().as_u16());
                }
                Ok(r) => {
                    return (
                        attempt,
                        Err(format!("HTTP {} (not retried)", r.status().as_u16())),
                    )
                }
                Err(e) => last = format!("{e}"),
            }
            if attempt < self.attempts {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        (self.attempts, Err(last))
    }
}

/// Evaluates the budgets of the tenants in `scope` that have one and announces every threshold
/// crossed for the first time this month. Returns the alerts sent or attempted.
pub async fn check(
    db: &DatabaseConnection,
    scope: &TenantScope,
    webhook: &Webhook,
    today: NaiveDate,
) -> AppResult<Vec<budget_alert::Model>> {
    let budgets: Vec<(crate::tenancy::TenantRef, Decimal)> = tenant_setting::Entity::find()
        .filter(tenant_setting::Column::MonthlyBudget.is_not_null())
        .filter(scope.condition(tenant_setting::Column::TenantId))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|s| {
            let tenant = scope.tenant(&s.tenant_id)?;
            Some((tenant, money::from_fixed(s.monthly_budget? as i128)))
        })
        .collect();
    if budgets.is_empty() {
        return Ok(Vec::new());
    }
    let tenants: Vec<_> = budgets.iter().map(|(t, _)| t.clone()).collect();
    let outlooks = outlook::outlooks(db, &tenants, today).await?;
    let month = Month::containing(today).to_string();
    let mut announced = Vec::new();
    for (tenant, amount) in budgets {
        let Some(outlook) = outlooks.get(tenant.id()) else {
            continue;
        };
        let budget = view(amount, outlook, &webhook.thresholds);
        for threshold in &budget.crossed {
            let payload = payload(tenant.id(), &month, threshold, &budget);
            let claimed = budget_alert::Entity::insert(budget_alert::ActiveModel {
                tenant_id: Set(tenant.id().to_string()),
                month: Set(month.clone()),
                threshold: Set(threshold.clone()),
                status: Set("PENDING".into()),
                attempts: Set(0),
                last_error: Set(None),
                payload: Set(payload.clone()),
                created_at: Set(Utc::now()),
                sent_at: Set(None),
                ..Default::default()
            })
            .exec_with_returning(db)
            .await;
            let alert = match claimed {
                Ok(alert) => alert,
                // Announced already (by this process earlier, or another replica).
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    continue
                }
                Err(e) => return Err(e.into()),
            };
            let (attempts, result) = webhook.deliver(&alert.id.to_string(), &payload).await;
            let (status, error) = match &result {
                Ok(()) => ("SENT", None),
                Err(e) => {
                    tracing::warn!(tenant = tenant.id(), threshold = %threshold, error = %e, "budget webhook failed");
                    ("FAILED", Some(e.clone()))
                }
            };
            let now = Utc::now();
            budget_alert::Entity::update_many()
                .col_expr(budget_alert::Column::Status, Expr::value(status))
                .col_expr(budget_alert::Column::Attempts, Expr::value(attempts as i32))
                .col_expr(budget_alert::Column::LastError, Expr::value(error.clone()))
                .col_expr(
                    budget_alert::Column::SentAt,
                    Expr::value(result.is_ok().then_some(now)),
                )
                .filter(budget_alert::Column::Id.eq(alert.id))
                .exec(db)
                .await?;
            announced.push(budget_alert::Model {
                status: status.into(),
                attempts: attempts as i32,
                last_error: error,
                sent_at: result.is_ok().then_some(now),
                ..alert
            });
        }
    }
    Ok(announced)
}

fn payload(tenant: &str, month: &str, threshold: &str, budget: &BudgetView) -> String {
    let text = |d: Decimal| d.normalize().to_string();
    json!({
        "event": "budget.threshold_crossed",
        "tenantOuId": tenant,
        "month": month,
        "threshold": threshold,
        "currency": outlook::CURRENCY,
        "budget": text(budget.amount),
        "actual": text(budget.actual),
        "percentUsed": text(budget.percent_used),
        "forecast": {
            "mean": text(budget.forecast.mean),
            "lower": text(budget.forecast.lower),
            "upper": text(budget.forecast.upper),
        },
        "percentForecast": text(budget.percent_forecast),
        "status": format!("{:?}", budget.status).to_ascii_uppercase(),
    })
    .to_string()
}

/// Checks every tenant's budget now and then, for as long as the process runs: crossings caused
/// by imports (which run elsewhere) are announced within one interval.
pub fn spawn_periodic(db: DatabaseConnection, webhook: Webhook, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let today = Utc::now().date_naive();
            if let Err(e) = check(&db, &TenantScope::All, &webhook, today).await {
                tracing::error!(error = %e.public_message(), "budget check failed");
            }
        }
    });
}
