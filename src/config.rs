//! Typed configuration: command-line flags with `CONSOLEAI_*` environment overrides.
//!
//! Every setting has one home here; a bad or missing value stops start-up with one line naming
//! the setting (clap prints it, or [`Settings::validate`] returns it).
use clap::Args;

/// Where the data lives. SQLite (the embedded default) or PostgreSQL.
#[derive(Args, Debug, Clone)]
pub struct DatabaseSettings {
    /// Database URL: `sqlite://consoleai.db?mode=rwc` (embedded default) or `postgres://user@host/db`.
    #[arg(
        long = "database-url",
        env = "CONSOLEAI_DATABASE_URL",
        default_value = "sqlite://consoleai.db?mode=rwc"
    )]
    pub url: String,
    /// Largest number of pooled database connections.
    #[arg(
        long = "database-max-connections",
        env = "CONSOLEAI_DATABASE_MAX_CONNECTIONS",
        default_value_t = 16
    )]
    pub max_connections: u32,
}

/// How bearer tokens are checked. The algorithm is pinned here and never read from a token.
#[derive(Args, Debug, Clone)]
pub struct JwtSettings {
    /// Shared HS256 secret (at least 32 bytes).
    #[arg(
        long = "jwt-secret",
        env = "CONSOLEAI_JWT_SECRET",
        hide_env_values = true
    )]
    pub secret: Option<String>,
    /// Required `iss` claim.
    #[arg(
        long = "jwt-issuer",
        env = "CONSOLEAI_JWT_ISSUER",
        default_value = "consoleai"
    )]
    pub issuer: String,
    /// Required `aud` claim.
    #[arg(
        long = "jwt-audience",
        env = "CONSOLEAI_JWT_AUDIENCE",
        default_value = "consoleai"
    )]
    pub audience: String,
    /// Clock skew tolerated on `exp`/`nbf`, in seconds.
    #[arg(
        long = "jwt-leeway-secs",
        env = "CONSOLEAI_JWT_LEEWAY_SECS",
        default_value_t = 30
    )]
    pub leeway_secs: u64,
    /// Claim holding the roles (a string or a list), e.g. `cognito:groups`.
    #[arg(
        long = "jwt-roles-claim",
        env = "CONSOLEAI_JWT_ROLES_CLAIM",
        default_value = "roles"
    )]
    pub roles_claim: String,
    /// Claim holding the tenant (OU) ids (a string or a list).
    #[arg(
        long = "jwt-tenants-claim",
        env = "CONSOLEAI_JWT_TENANTS_CLAIM",
        default_value = "tenants"
    )]
    pub tenants_claim: String,
}

/// GraphQL limits and developer conveniences.
#[derive(Args, Debug, Clone)]
pub struct GraphqlSettings {
    /// Allow schema introspection (GraphiQL needs it; turn off in production).
    #[arg(long = "introspection", env = "CONSOLEAI_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Deepest query accepted.
    #[arg(long = "max-depth", env = "CONSOLEAI_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Most complex query accepted (each field counts 1, lists count `first` times).
    #[arg(
        long = "max-complexity",
        env = "CONSOLEAI_MAX_COMPLEXITY",
        default_value_t = 5000
    )]
    pub max_complexity: usize,
}

/// The cost answer cache.
#[derive(Args, Debug, Clone)]
pub struct CacheSettings {
    /// How long a cached answer lives, in seconds (0 disables the cache). Changes to the data
    /// invalidate answers at once, whatever this says.
    #[arg(
        long = "cache-ttl-secs",
        env = "CONSOLEAI_CACHE_TTL_SECS",
        default_value_t = 3600
    )]
    pub ttl_secs: u64,
    /// Most answers kept per process.
    #[arg(
        long = "cache-entries",
        env = "CONSOLEAI_CACHE_ENTRIES",
        default_value_t = 10_000
    )]
    pub entries: usize,
}

/// Where rightsizing draws its lines (percent, and days for stopped instances).
#[derive(Args, Debug, Clone)]
pub struct RightsizingSettings {
    /// CPU p95 under this (with memory under the next) → over-provisioned.
    #[arg(
        long = "rightsizing-over-cpu",
        env = "CONSOLEAI_RIGHTSIZING_OVER_CPU",
        default_value_t = 40
    )]
    pub over_cpu_p95: u32,
    /// Memory p95 under this (with CPU under the previous) → over-provisioned.
    #[arg(
        long = "rightsizing-over-memory",
        env = "CONSOLEAI_RIGHTSIZING_OVER_MEMORY",
        default_value_t = 50
    )]
    pub over_mem_p95: u32,
    /// CPU p95 over this → under-provisioned.
    #[arg(
        long = "rightsizing-under-cpu",
        env = "CONSOLEAI_RIGHTSIZING_UNDER_CPU",
        default_value_t = 90
    )]
    pub under_cpu_p95: u32,
    /// CPU p95 under this on a running instance → idle.
    #[arg(
        long = "rightsizing-idle-cpu",
        env = "CONSOLEAI_RIGHTSIZING_IDLE_CPU",
        default_value_t = 5
    )]
    pub idle_cpu_p95: u32,
    /// The projected p95 after a resize must stay at or under this.
    #[arg(
        long = "rightsizing-headroom",
        env = "CONSOLEAI_RIGHTSIZING_HEADROOM",
        default_value_t = 70
    )]
    pub headroom_target: u32,
    /// An instance stopped for longer than this many days (still paying for its volumes) is idle.
    #[arg(
        long = "rightsizing-stopped-days",
        env = "CONSOLEAI_RIGHTSIZING_STOPPED_DAYS",
        default_value_t = 7
    )]
    pub stopped_days: u32,
}

impl Default for RightsizingSettings {
    fn default() -> Self {
        RightsizingSettings {
            over_cpu_p95: 40,
            over_mem_p95: 50,
            under_cpu_p95: 90,
            idle_cpu_p95: 5,
            headroom_target: 70,
            stopped_days: 7,
        }
    }
}

impl RightsizingSettings {
    pub fn thresholds(&self) -> crate::rightsizing::Thresholds {
        use rust_decimal::Decimal;
        crate::rightsizing::Thresholds {
            over_cpu_p95: Decimal::from(self.over_cpu_p95),
            over_mem_p95: Decimal::from(self.over_mem_p95),
            under_cpu_p95: Decimal::from(self.under_cpu_p95),
            idle_cpu_p95: Decimal::from(self.idle_cpu_p95),
            headroom_target: Decimal::from(self.headroom_target),
            stopped_days: self.stopped_days as i64,
        }
    }
}

/// Everything the server needs.
#[derive(Args, Debug, Clone)]
pub struct WorkflowSettings {
    /// Monthly cost increase (USD) above which a change request needs an ADMIN approval after the
    /// MANAGER's, for tenants that have not set their own threshold.
    #[arg(
        long = "approval-threshold-usd",
        env = "CONSOLEAI_APPROVAL_THRESHOLD_USD",
        default_value = "1000"
    )]
    pub admin_threshold_usd: rust_decimal::Decimal,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        WorkflowSettings {
            admin_threshold_usd: rust_decimal::Decimal::from(1000),
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct RedisSettings {
    /// `redis://host:port/db`. When set, replicas share workflow events (and the subscription
    /// delivers a change made on any replica); unset, events stay in this process.
    #[arg(
        long = "redis-url",
        env = "CONSOLEAI_REDIS_URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel, so several installs can share one Redis.
    #[arg(
        long = "redis-prefix",
        env = "CONSOLEAI_REDIS_PREFIX",
        default_value = "consoleai"
    )]
    pub redis_prefix: String,
}

impl Default for RedisSettings {
    fn default() -> Self {
        RedisSettings {
            redis_url: None,
            redis_prefix: "consoleai".into(),
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct BudgetSettings {
    /// Where budget alerts are POSTed (signed JSON). Unset: no alerts are sent.
    #[arg(long = "budget-webhook-url", env = "CONSOLEAI_BUDGET_WEBHOOK_URL")]
    pub budget_webhook_url: Option<String>,
    /// The HMAC-SHA256 key the webhook's signature uses (at least 16 bytes).
    #[arg(
        long = "budget-webhook-secret",
        env = "CONSOLEAI_BUDGET_WEBHOOK_SECRET",
        hide_env_values = true
    )]
    pub budget_webhook_secret: Option<String>,
    /// Percentages of the budget whose crossing by the month's actual spend is announced.
    #[arg(
        long = "budget-alert-percents",
        env = "CONSOLEAI_BUDGET_ALERT_PERCENTS",
        default_value = "80,100"
    )]
    pub budget_alert_percents: String,
    /// Percentage of the budget whose crossing by the month-end forecast is announced.
    #[arg(
        long = "budget-forecast-alert-percent",
        env = "CONSOLEAI_BUDGET_FORECAST_ALERT_PERCENT",
        default_value_t = 100
    )]
    pub budget_forecast_alert_percent: u32,
    /// How often the server checks every budget (seconds).
    #[arg(
        long = "budget-check-interval-secs",
        env = "CONSOLEAI_BUDGET_CHECK_INTERVAL_SECS",
        default_value_t = 300
    )]
    pub budget_check_interval_secs: u64,
    /// Attempts per alert before it is recorded as failed.
    #[arg(
        long = "budget-webhook-attempts",
        env = "CONSOLEAI_BUDGET_WEBHOOK_ATTEMPTS",
        default_value_t = 5
    )]
    pub budget_webhook_attempts: u32,
    /// Wait before the second attempt; it doubles after each failure.
    #[arg(
        long = "budget-webhook-backoff-ms",
        env = "CONSOLEAI_BUDGET_WEBHOOK_BACKOFF_MS",
        default_value_t = 1000
    )]
    pub budget_webhook_backoff_ms: u64,
}

impl Default for BudgetSettings {
    fn default() -> Self {
        BudgetSettings {
            budget_webhook_url: None,
            budget_webhook_secret: None,
            budget_alert_percents: "80,100".into(),
            budget_forecast_alert_percent: 100,
            budget_check_interval_secs: 300,
            budget_webhook_attempts: 5,
            budget_webhook_backoff_ms: 1000,
        }
    }
}

impl BudgetSettings {
    /// The alert thresholds (call after [`Settings::validate`]).
    pub fn thresholds(&self) -> crate::budget::Thresholds {
        let mut actual_percents: Vec<u32> = self
            .budget_alert_percents
            .split(',')
            .filter_map(|p| p.trim().parse().ok())
            .collect();
        actual_percents.sort_unstable();
        actual_percents.dedup();
        crate::budget::Thresholds {
            actual_percents,
            forecast_percent: self.budget_forecast_alert_percent,
        }
    }

    fn validate(&self) -> Result<(), String> {
        for part in self.budget_alert_percents.split(',') {
            match part.trim().parse::<u32>() {
                Ok(p) if (1..=1000).contains(&p) => {}
                _ => {
                    return Err(format!(
                        "CONSOLEAI_BUDGET_ALERT_PERCENTS: {part:?} is not a percentage (1–1000); give a list like 80,100"
                    ))
                }
            }
        }
        if self
            .budget_webhook_url
            .as_deref()
            .is_some_and(|u| !u.is_empty())
        {
            let url = self.budget_webhook_url.as_deref().unwrap_or_default();
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!(
                    "CONSOLEAI_BUDGET_WEBHOOK_URL {url:?} is not an http(s) URL"
                ));
            }
            if self.budget_webhook_secret.as_deref().unwrap_or("").len() < 16 {
                return Err("CONSOLEAI_BUDGET_WEBHOOK_SECRET must be set (at least 16 bytes) when CONSOLEAI_BUDGET_WEBHOOK_URL is".into());
            }
        }
        Ok(())
    }
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Address to listen on. Port 0 picks a free port.
    #[arg(
        long = "bind",
        env = "CONSOLEAI_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: String,
    #[command(flatten)]
    pub database: DatabaseSettings,
    #[command(flatten)]
    pub jwt: JwtSettings,
    #[command(flatten)]
    pub graphql: GraphqlSettings,
    #[command(flatten)]
    pub cache: CacheSettings,
    #[command(flatten)]
    pub rightsizing: RightsizingSettings,
    #[command(flatten)]
    pub workflow: WorkflowSettings,
    #[command(flatten)]
    pub redis: RedisSettings,
    #[command(flatten)]
    pub budget: BudgetSettings,
}

impl JwtSettings {
    /// The secret, or the one clear line saying what is wrong with it.
    pub fn secret(&self) -> Result<&str, String> {
        match self.secret.as_deref() {
            None | Some("") => {
                Err("CONSOLEAI_JWT_SECRET is not set (the HS256 secret, at least 32 bytes)".into())
            }
            Some(s) if s.len() < 32 => Err(format!(
                "CONSOLEAI_JWT_SECRET is {} bytes; it must be at least 32",
                s.len()
            )),
            Some(s) => Ok(s),
        }
    }
}

impl Settings {
    /// Checks what clap cannot: the returned line names the setting at fault.
    pub fn validate(&self) -> Result<(), String> {
        self.jwt.secret()?;
        let r = &self.rightsizing;
        for (name, value) in [
            ("CONSOLEAI_RIGHTSIZING_OVER_CPU", r.over_cpu_p95),
            ("CONSOLEAI_RIGHTSIZING_OVER_MEMORY", r.over_mem_p95),
            ("CONSOLEAI_RIGHTSIZING_UNDER_CPU", r.under_cpu_p95),
            ("CONSOLEAI_RIGHTSIZING_IDLE_CPU", r.idle_cpu_p95),
            ("CONSOLEAI_RIGHTSIZING_HEADROOM", r.headroom_target),
        ] {
            if value > 100 {
                return Err(format!("{name} is {value}; it is a percentage (0–100)"));
            }
        }
        if r.idle_cpu_p95 >= r.over_cpu_p95 || r.over_cpu_p95 >= r.under_cpu_p95 {
            return Err("rightsizing thresholds must satisfy idle CPU < over-provisioned CPU < under-provisioned CPU".into());
        }
        self.bind.parse::<std::net::SocketAddr>().map_err(|e| {
            format!(
                "CONSOLEAI_BIND '{}' is not an address like 127.0.0.1:8080: {e}",
                self.bind
            )
        })?;
        crate::db::Backend::from_url(&self.database.url)?;
        self.budget.validate()?;
        if self.workflow.admin_threshold_usd.is_sign_negative() {
            return Err("CONSOLEAI_APPROVAL_THRESHOLD_USD must not be negative".into());
        }
        Ok(())
    }
}
