//! Building and running the server, separately so tests can start it on port 0.
use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::auth::JwtVerifier;
use crate::config::Settings;
use crate::cost::cache::CostCache;
use crate::graphql::{build_schema, Services};
use crate::http::{router, AppState};
use crate::workflow::EventBus;

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
}

impl Application {
    /// Binds the listener and wires the schema; the database must already be migrated.
    pub async fn build(settings: &Settings, db: DatabaseConnection) -> Result<Application, String> {
        let verifier = JwtVerifier::new(&settings.jwt)?;
        verifier.prefetch().await;
        let events = EventBus::connect(&settings.redis).await?;
        let services = Services {
            db,
            cache: Arc::new(
                CostCache::connect(
                    settings.cache.ttl_secs,
                    settings.cache.entries,
                    settings.redis.redis_url.as_deref(),
                    &settings.redis.redis_prefix,
                )
                .await?,
            ),
            thresholds: Arc::new(settings.rightsizing.thresholds()),
            approval_threshold: settings.workflow.admin_threshold_usd,
            events,
            budget_thresholds: settings.budget.thresholds(),
            webhook: crate::budget::alerts::Webhook::from_settings(&settings.budget),
        };
        if let Some(webhook) = services.webhook.clone() {
            crate::budget::alerts::spawn_periodic(
                services.db.clone(),
                webhook,
                std::time::Duration::from_secs(settings.budget.budget_check_interval_secs.max(1)),
            );
        }
        let state = AppState {
            graphql: Arc::new(settings.graphql.clone()),
            persisted: Default::default(),
            schema: build_schema(&settings.graphql, Some(services.clone())),
            services,
            verifier: Arc::new(verifier),
            dashboard: Arc::new(crate::http::dashboard::DashboardSite::new(
                &settings.dashboard,
            )?),
        };
        let listener = TcpListener::bind(&settings.bind)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
        Ok(Application {
            listener,
            router: router(state),
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn address(&self) -> String {
        self.listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    }

    /// Serves until the process receives Ctrl-C (or the future is dropped).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }
}
