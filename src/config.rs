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
    /// Shared HS secret (at least 32 bytes); needed only when an HS algorithm is allowed.
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
    /// Accepted signature algorithms, comma-separated (e.g. `RS256,ES256`). HS* are checked with
    /// the shared secret, the others with the identity provider's keys (`CONSOLEAI_JWT_JWKS_URL`).
    /// A token's own `alg` is only ever compared against this list.
    #[arg(
        long = "jwt-algorithms",
        env = "CONSOLEAI_JWT_ALGORITHMS",
        default_value = "HS256"
    )]
    pub algorithms: String,
    /// The identity provider's JWKS URL, e.g.
    /// `https://cognito-idp.<region>.amazonaws.com/<pool-id>/.well-known/jwks.json`.
    #[arg(long = "jwt-jwks-url", env = "CONSOLEAI_JWT_JWKS_URL")]
    pub jwks_url: Option<String>,
    /// Least seconds between two JWKS fetches triggered by a token with an unknown `kid`.
    #[arg(
        long = "jwt-jwks-refresh-secs",
        env = "CONSOLEAI_JWT_JWKS_REFRESH_SECS",
        default_value_t = 60
    )]
    pub jwks_refresh_secs: u64,
    /// Timeout of one JWKS fetch, in milliseconds.
    #[arg(
        long = "jwt-jwks-timeout-ms",
        env = "CONSOLEAI_JWT_JWKS_TIMEOUT_MS",
        default_value_t = 3000
    )]
    pub jwks_timeout_ms: u64,
}

/// GraphQL limits and developer conveniences. Every limit is checked before anything executes.
#[derive(Args, Debug, Clone)]
pub struct GraphqlSettings {
    /// Production mode: introspection and field suggestions are off whatever
    /// `CONSOLEAI_INTROSPECTION` says.
    #[arg(long = "production", env = "CONSOLEAI_PRODUCTION", default_value_t = false, action = clap::ArgAction::Set)]
    pub production: bool,
    /// Allow schema introspection (GraphiQL needs it; off in production mode).
    #[arg(long = "introspection", env = "CONSOLEAI_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Deepest query accepted.
    #[arg(long = "max-depth", env = "CONSOLEAI_MAX_DEPTH", default_value_t = 10)]
    pub max_depth: usize,
    /// Most complex query accepted (each field counts 1, a page counts its items × `first`).
    #[arg(
        long = "max-complexity",
        env = "CONSOLEAI_MAX_COMPLEXITY",
        default_value_t = 50_000
    )]
    pub max_complexity: usize,
    /// Most aliased fields in one document.
    #[arg(
        long = "max-aliases",
        env = "CONSOLEAI_MAX_ALIASES",
        default_value_t = 30
    )]
    pub max_aliases: usize,
    /// Most field selections in one document (fragments counted where they are written).
    #[arg(
        long = "max-selections",
        env = "CONSOLEAI_MAX_SELECTIONS",
        default_value_t = 600
    )]
    pub max_selections: usize,
    /// Most directives in one document.
    #[arg(
        long = "max-directives",
        env = "CONSOLEAI_MAX_DIRECTIVES",
        default_value_t = 20
    )]
    pub max_directives: usize,
    /// Most requests in one batched POST (a JSON array); 0 (the default) refuses batches.
    #[arg(long = "max-batch", env = "CONSOLEAI_MAX_BATCH", default_value_t = 0)]
    pub max_batch: usize,
    /// Longest document accepted, in bytes.
    #[arg(
        long = "max-document-bytes",
        env = "CONSOLEAI_MAX_DOCUMENT_BYTES",
        default_value_t = 32_768
    )]
    pub max_document_bytes: usize,
    /// Largest request body, in bytes (413 above it).
    #[arg(
        long = "max-body-bytes",
        env = "CONSOLEAI_MAX_BODY_BYTES",
        default_value_t = 1 << 20
    )]
    pub max_body_bytes: usize,
    /// A request still running after this many seconds gets 408 and its work is dropped.
    #[arg(
        long = "request-timeout-secs",
        env = "CONSOLEAI_REQUEST_TIMEOUT_SECS",
        default_value_t = 30
    )]
    pub request_timeout_secs: u64,
    /// Each caller's budget of query cost (complexity points); a request costing more than is
    /// left gets RATE_LIMITED. 0 disables the rate limit.
    #[arg(
        long = "rate-limit-points",
        env = "CONSOLEAI_RATE_LIMIT_POINTS",
        default_value_t = 200_000
    )]
    pub rate_limit_points: u64,
    /// Points given back to each caller per second, up to the budget.
    #[arg(
        long = "rate-limit-restore-per-sec",
        env = "CONSOLEAI_RATE_LIMIT_RESTORE_PER_SEC",
        default_value_t = 10_000
    )]
    pub rate_limit_restore_per_sec: u64,
}

impl Default for GraphqlSettings {
    fn default() -> Self {
        GraphqlSettings {
            production: false,
            introspection: true,
            max_depth: 10,
            max_complexity: 50_000,
            max_aliases: 30,
            max_selections: 600,
            max_directives: 20,
            max_batch: 0,
            max_document_bytes: 32_768,
            max_body_bytes: 1 << 20,
            request_timeout_secs: 30,
            rate_limit_points: 200_000,
            rate_limit_restore_per_sec: 10_000,
        }
    }
}

impl GraphqlSettings {
    /// Introspection and suggestions: never in production mode.
    pub fn introspection_allowed(&self) -> bool {
        self.introspection && !self.production
    }
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
pub struct DashboardSettings {
    /// The built dashboard (`npm run build` in `dashboard/` writes it), served at `/`.
    #[arg(
        long = "dashboard-dir",
        env = "CONSOLEAI_DASHBOARD_DIR",
        default_value = "dashboard/dist"
    )]
    pub dashboard_dir: std::path::PathBuf,
    /// The identity provider the dashboard signs in with (authorization code + PKCE). Unset, the
    /// dashboard asks for a pasted token (the embedded default).
    #[arg(long = "oidc-issuer", env = "CONSOLEAI_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// The dashboard's client id at the identity provider.
    #[arg(long = "oidc-client-id", env = "CONSOLEAI_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Scopes the dashboard asks for.
    #[arg(
        long = "oidc-scope",
        env = "CONSOLEAI_OIDC_SCOPE",
        default_value = "openid profile email"
    )]
    pub oidc_scope: String,
    /// The `audience` the dashboard asks the identity provider for (some providers need one to
    /// issue an access token for this API).
    #[arg(long = "oidc-audience", env = "CONSOLEAI_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,
    /// More origins the dashboard may call, comma-separated: the token endpoint when it is not on
    /// the issuer's origin (Amazon Cognito's hosted domain, say).
    #[arg(
        long = "dashboard-connect-origins",
        env = "CONSOLEAI_DASHBOARD_CONNECT_ORIGINS"
    )]
    pub connect_origins: Option<String>,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        DashboardSettings {
            dashboard_dir: "dashboard/dist".into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_scope: "openid profile email".into(),
            oidc_audience: None,
            connect_origins: None,
        }
    }
}

impl DashboardSettings {
    /// The issuer and client id, when sign-in goes through the identity provider.
    pub fn oidc(&self) -> Result<Option<(&str, &str)>, String> {
        let issuer = self
            .oidc_issuer
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let client = self
            .oidc_client_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        match (issuer, client) {
            (None, None) => Ok(None),
            (Some(issuer), Some(client)) => {
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    return Err(format!(
                        "CONSOLEAI_OIDC_ISSUER {issuer:?} is not an http(s) URL"
                    ));
                }
                Ok(Some((issuer, client)))
            }
            (Some(_), None) => {
                Err("CONSOLEAI_OIDC_CLIENT_ID must be set with CONSOLEAI_OIDC_ISSUER".into())
            }
            (None, Some(_)) => {
                Err("CONSOLEAI_OIDC_ISSUER must be set with CONSOLEAI_OIDC_CLIENT_ID".into())
            }
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
    #[command(flatten)]
    pub dashboard: DashboardSettings,
}

impl JwtSettings {
    /// The HS secret when an HS algorithm is allowed (`None` when only the identity provider's
    /// keys are), or the one clear line saying what is wrong with the token settings.
    pub fn secret(&self) -> Result<Option<&str>, String> {
        let algorithms = self.algorithms()?;
        if algorithms.iter().any(|a| !Self::is_hmac(*a)) {
            match self.jwks_url.as_deref().map(str::trim) {
                None | Some("") => {
                    return Err(format!(
                        "CONSOLEAI_JWT_ALGORITHMS={} needs CONSOLEAI_JWT_JWKS_URL (the identity provider's keys)",
                        self.algorithms
                    ))
                }
                Some(url) if !url.starts_with("https://") && !url.starts_with("http://") => {
                    return Err(format!(
                        "CONSOLEAI_JWT_JWKS_URL '{url}' is not an http(s) URL"
                    ))
                }
                Some(_) => {}
            }
        }
        if !algorithms.iter().any(|a| Self::is_hmac(*a)) {
            return Ok(None);
        }
        match self.secret.as_deref() {
            None | Some("") => {
                Err("CONSOLEAI_JWT_SECRET is not set (the HS256 secret, at least 32 bytes)".into())
            }
            Some(s) if s.len() < 32 => Err(format!(
                "CONSOLEAI_JWT_SECRET is {} bytes; it must be at least 32",
                s.len()
            )),
            Some(s) => Ok(Some(s)),
        }
    }

    /// The algorithm allowlist; `none` and unknown names are refused.
    pub fn algorithms(&self) -> Result<Vec<jsonwebtoken::Algorithm>, String> {
        let mut out = Vec::new();
        for name in self
            .algorithms
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let algorithm = name.parse::<jsonwebtoken::Algorithm>().map_err(|_| {
                format!(
                    "CONSOLEAI_JWT_ALGORITHMS: '{name}' is not one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, EdDSA"
                )
            })?;
            if !out.contains(&algorithm) {
                out.push(algorithm);
            }
        }
        if out.is_empty() {
            return Err("CONSOLEAI_JWT_ALGORITHMS is empty".into());
        }
        Ok(out)
    }

    /// HS256/384/512: checked with the shared secret rather than the identity provider's keys.
    pub fn is_hmac(algorithm: jsonwebtoken::Algorithm) -> bool {
        use jsonwebtoken::Algorithm::*;
        matches!(algorithm, HS256 | HS384 | HS512)
    }
}

impl Settings {
    /// Checks what clap cannot: the returned line names the setting at fault.
    pub fn validate(&self) -> Result<(), String> {
        self.jwt.secret()?;
        self.dashboard.oidc()?;
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
