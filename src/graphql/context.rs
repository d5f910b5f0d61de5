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
    pub summary: DataLoader<SummaryLoader>,
    pub cache: Arc<CostCache>,
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
        let loader = SummaryLoader::new(services, viewer.clone(), today);
        let summary = DataLoader::new(loader, crate::tenancy::row_security::spawn);
        RequestContext {
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
