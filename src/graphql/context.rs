//! What each request carries into the resolvers.
use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::Context;
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::loaders::SummaryLoader;
use crate::audit::Viewer;
use crate::auth::Principal;
use crate::cost::cache::CostCache;
use crate::tenancy::TenantScope;

/// The verified caller, its scope, and the per-request loaders.
pub struct RequestContext {
    pub principal: Principal,
    pub scope: TenantScope,
    pub viewer: Viewer,
    /// "Today" in UTC, fixed for the whole request so every field agrees on it.
    pub today: NaiveDate,
    pub summary: DataLoader<SummaryLoader>,
    /// Cost answers, shared by all requests of this process.
    pub cache: Arc<CostCache>,
    /// Rightsizing thresholds from configuration.
    pub thresholds: Arc<crate::rightsizing::Thresholds>,
}

impl RequestContext {
    pub fn new(
        db: DatabaseConnection,
        cache: Arc<CostCache>,
        thresholds: Arc<crate::rightsizing::Thresholds>,
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
        let loader =
            SummaryLoader::new(db, cache.clone(), thresholds.clone(), viewer.clone(), today);
        let summary = DataLoader::new(loader, tokio::spawn);
        RequestContext {
            cache,
            thresholds,
            scope: TenantScope::of(&principal),
            principal,
            viewer,
            today,
            summary,
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
    Ok((request, ctx.data::<DatabaseConnection>()?))
}
