//! The HTTP surface: `/graphql` (POST and GET), `/graphql/ws` (subscriptions), `/graphiql`,
//! `/reports/…`, `/healthz`, `/readyz`, `/metrics`, and the browser dashboard at `/` (`/auth/config` tells it
//! how to sign in).
pub mod dashboard;
mod graphql;
mod metrics;
mod report;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use axum::handler::Handler;
use axum::http::{HeaderName, StatusCode};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{extract::State, Router};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

use crate::auth::JwtVerifier;
use crate::graphql::{ApiSchema, Services};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    /// GraphQL and HTTP limits.
    pub graphql: Arc<crate::config::GraphqlSettings>,
    /// Automatic persisted queries.
    pub persisted: Arc<transport::PersistedQueries>,
    pub schema: ApiSchema,
    pub verifier: Arc<JwtVerifier>,
    pub dashboard: Arc<dashboard::DashboardSite>,
}

pub fn router(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let (body_limit, timeout) = (
        state.graphql.max_body_bytes,
        Duration::from_secs(state.graphql.request_timeout_secs),
    );
    Router::new()
        .route("/graphql", get(graphql::handle).post(graphql::handle))
        .route("/graphql/ws", get(graphql::websocket))
        .route("/reports/{tenant}/{file}", get(report::monthly_pdf))
        .route("/graphiql", get(graphiql))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::scrape))
        .route("/auth/config", get(dashboard::auth_config))
        // The dashboard's files go out gzipped to browsers that take it.
        .fallback(dashboard::serve.layer(tower_http::compression::CompressionLayer::new()))
        .with_state(state)
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

async fn graphiql() -> impl IntoResponse {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("consoleai")
            .finish(),
    )
}

/// Ready when the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.services.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "database not reachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}
