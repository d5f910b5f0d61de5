//! What each request carries into the resolvers.
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::Context;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sea_orm::DatabaseConnection;

use super::loaders::SummaryLoader;
use crate::audit::Viewer;
use crate::auth::Principal;
use crate::cost::cache::CostCache;
use crate::error::AppError;
use crate::rightsizing::Thresholds;
use crate::tenancy::TenantScope;
use crate::workflow::EventBus;

/// What every request of this process shares: the pool, the cache, configuration, the event bus.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    /// Cost answers, shared by all requests of this process.
    pub cache: Arc<CostCache>,
    /// Rightsizing thresholds from configuration.
    pub thresholds: Arc<Thresholds>,
    /// The approval threshold of tenants without their own (USD per month).
    pub approval_threshold: Decimal,
    /// Workflow events, for the subscription.
    pub events: Arc<EventBus>,
    /// Budget alert thresholds from configuration.
    pub budget_thresholds: crate::budget::Thresholds,
    /// Where budget alerts go, if anywhere.
    pub webhook: Option<crate::budget::alerts::Webhook>,
}

/// The verified caller, its scope, and the per-request loaders.
pub struct RequestContext {
    pub principal: Principal,
    pub scope: TenantScope,
    pub viewer: Viewer,
    /// "Today" in UTC, fixed for the whole request so every field agrees on it.
    pub today: NaiveDate,
    pub summary: DataLoader<SummaryLoader, async_graphql::dataloader::HashMapCache>,
    pub cache: Arc<CostCache>,
    /// The cost reads to record once the request is answered.
    pub audit: Arc<crate::audit::CostViewBuffer>,
    /// Data versions read so far: one read per owner and request, however many fields ask.
    pub versions: VersionMemo,
    pub thresholds: Arc<Thresholds>,
    pub services: Services,
}

impl RequestContext {
    pub fn new(
        services: &Services,
        principal: Principal,
        operation_name: Option<String>,
        request_id: Option<String>,
    ) -> Self {
        let today = chrono::Utc::now().date_naive();
        let viewer = Viewer {
            subject: principal.subject.clone(),
            role: principal.role.as_str(),
            operation_name,
            request_id,
        };
        let audit = Arc::new(crate::audit::CostViewBuffer::default());
        let loader = SummaryLoader::new(services, today, audit.clone());
        // Cached per request: a field loaded twice in one request (the outlook, for the budget
        // status and the anomaly count) is computed once. Mutations clear it after their
        // change (`loaders::forget`).
        let summary = DataLoader::with_cache(
            loader,
            crate::tenancy::row_security::spawn,
            async_graphql::dataloader::HashMapCache::default(),
        );
        RequestContext {
            audit,
            versions: VersionMemo::default(),
            cache: services.cache.clone(),
            thresholds: services.thresholds.clone(),
            services: services.clone(),
            scope: TenantScope::of(&principal),
            principal,
            viewer,
            today,
            summary,
        }
    }

    /// `owner`'s data version, read once per request (0 when the cache is off: nothing is
    /// looked up by it then).
    pub async fn version_of(&self, owner: &crate::tenancy::CostOwner) -> Result<i64, AppError> {
        if !self.cache.enabled() {
            return Ok(0);
        }
        Ok(self.versions.of(&self.services.db, owner).await?)
    }

    /// What the workflow needs to open and decide requests for this caller.
    pub fn workflow_env(&self) -> crate::workflow::Env<'_> {
        crate::workflow::Env {
            db: &self.services.db,
            cache: &self.cache,
            thresholds: &self.thresholds,
            today: self.today,
            default_threshold: self.services.approval_threshold,
            events: &self.services.events,
        }
    }
}

/// Each owner's data version, read once per request: the first field that needs it reads it, the
/// others (resolving at the same time) wait for that read.
#[derive(Default)]
pub struct VersionMemo(
    std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::OnceCell<i64>>>>,
);

impl VersionMemo {
    pub async fn of(
        &self,
        db: &DatabaseConnection,
        owner: &crate::tenancy::CostOwner,
    ) -> Result<i64, sea_orm::DbErr> {
        let key = crate::cost::cache::owner_key(owner).to_string();
        let cell = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        cell.get_or_try_init(|| async {
            let versions = crate::cost::cache::versions(db, &[key.as_str()]).await?;
            Ok(versions.get(&key).copied().unwrap_or(0))
        })
        .await
        .copied()
    }
}

/// The request's context and the database, or an error if the request was not authenticated
/// (which the HTTP layer prevents; schema-level tests must add a context too).
pub fn parts<'a>(
    ctx: &Context<'a>,
) -> async_graphql::Result<(&'a RequestContext, &'a DatabaseConnection)> {
    let request = ctx
        .data_opt::<RequestContext>()
        .ok_or_else(|| crate::error::AppError::Unauthenticated("authentication required".into()))?;
    Ok((request, &request.services.db))
}
