//! `/graphql`: authenticate, execute, log one line per request.
use std::time::Instant;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::WebSocketUpgrade;
use axum::http::{header, HeaderMap, StatusCode};
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::transport;
use super::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::graphql::{limits, RequestContext};
use crate::tenancy::row_security;
use crate::{metrics, telemetry};

pub async fn handle(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let media = transport::Media::negotiate(&headers);
    let decoded = match transport::decode(&method, &headers, &uri, &body, state.graphql.max_batch) {
        Ok(decoded) => decoded,
        Err(refused) => return refused.into_response(media),
    };
    let (requests, batched) = match decoded {
        transport::Decoded::Single(request) => (vec![*request], false),
        transport::Decoded::Batch(requests) => (requests, true),
    };
    // Every document passes the checks before anything runs.
    let mut checked = Vec::with_capacity(requests.len());
    for mut request in requests {
        if let Err(refused) = state.persisted.resolve(&mut request) {
            return refused.into_response(media);
        }
        let document = match limits::check_document(&request.query, &state.graphql) {
            Ok(document) => document,
            Err(error) => return transport::refused_document(error).into_response(media),
        };
        if let Err(refused) =
            transport::check_get(&method, &document, request.operation_name.as_deref())
        {
            return refused.into_response(media);
        }
        let operation = request
            .operation_name
            .clone()
            .or_else(|| single_operation_name(&document));
        // Parsed once: the schema executes the document checked here.
        request.set_parsed_query(document);
        checked.push((request, operation));
    }
    let principal = match authenticate(&state, &headers).await {
        Ok(p) => p,
        Err(err) => {
            tracing::info!(request_id = request_id.as_deref(), reason = %err.public_message(), "unauthenticated request");
            return unauthenticated(err);
        }
    };
    let mut responses = Vec::with_capacity(checked.len());
    for (request, operation) in checked {
        responses.push(execute(&state, &principal, request, operation, request_id.clone()).await);
    }
    if batched {
        transport::answer_batch(responses, media)
    } else {
        transport::answer(responses.remove(0), media)
    }
}

/// Runs one checked request for `principal`, logging one line.
async fn execute(
    state: &AppState,
    principal: &Principal,
    request: async_graphql::Request,
    operation: Option<String>,
    request_id: Option<String>,
) -> async_graphql::Response {
    let scope = crate::tenancy::TenantScope::of(principal);
    let request = request.data(RequestContext::new(
        &state.services,
        principal.clone(),
        operation.clone(),
        request_id.clone(),
    ));
    let started = Instant::now();
    let sql = std::sync::Arc::new(metrics::RequestSql::default());
    // Every statement of the request runs restricted to the caller's tenants on PostgreSQL
    // (row-level security), whatever its own filters say.
    let response = telemetry::with_request_id(
        request_id.clone().unwrap_or_default(),
        metrics::within_request(
            sql.clone(),
            row_security::within(&scope, state.schema.execute(request)),
        ),
    )
    .await;
    let elapsed = started.elapsed();
    metrics::record_request(operation.as_deref(), elapsed, response.is_err(), &sql);
    let tenants = principal
        .tenants
        .iter()
        .cloned()
        .collect::<Vec<_>>()
        .join(",");
    tracing::info!(
        request_id = request_id.as_deref(),
        subject = %principal.subject,
        role = principal.role.as_str(),
        tenant = %tenants,
        operation = operation.as_deref().unwrap_or("-"),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        sql_statements = sql.statements.load(std::sync::atomic::Ordering::Relaxed),
        errors = response.errors.len(),
        "graphql request"
    );
    response
}

pub(super) async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Principal, AppError> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values
        .next()
        .ok_or_else(|| AppError::Unauthenticated("missing Authorization: Bearer <token>".into()))?;
    if values.next().is_some() {
        return Err(AppError::Unauthenticated(
            "more than one Authorization header".into(),
        ));
    }
    bearer(state, value.to_str().ok()).await
}

/// Verifies `Bearer <token>`, from a header or a WebSocket `connection_init` payload.
async fn bearer(state: &AppState, value: Option<&str>) -> Result<Principal, AppError> {
    let token = value
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::Unauthenticated("Authorization must be 'Bearer <token>'".into())
        })?;
    state.verifier.verify_async(token).await
}

/// `/graphql/ws`: subscriptions over graphql-transport-ws. The socket opens unauthenticated; the
/// client's `connection_init` payload carries `{"Authorization": "Bearer <token>"}` (or
/// `{"token": "<token>"}`), and a bad or missing token closes the connection before any
/// subscription starts.
pub async fn websocket(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = state.schema.clone();
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| async move {
                    let header = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str())
                        .map(str::to_string)
                        .or_else(|| {
                            payload
                                .get("token")
                                .and_then(|v| v.as_str())
                                .map(|t| format!("Bearer {t}"))
                        });
                    let principal = bearer(&state, header.as_deref()).await.map_err(|e| {
                        tracing::info!(reason = %e.public_message(), "unauthenticated subscription");
                        async_graphql::Error::from(e)
                    })?;
                    let mut data = async_graphql::Data::default();
                    data.insert(RequestContext::new(
                        &state.services,
                        principal,
                        Some("subscription".into()),
                        None,
                    ));
                    Ok(data)
                })
                .serve()
        })
}

/// 401 with a GraphQL-shaped body, so clients read `extensions.code` as for any other error.
pub(super) fn unauthenticated(err: AppError) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        Json(err.body()),
    )
        .into_response()
}

/// The name of the document's only operation, so requests that omit `operationName` (most do)
/// are still logged and audited under the page that sent them.
fn single_operation_name(
    document: &async_graphql::parser::types::ExecutableDocument,
) -> Option<String> {
    match &document.operations {
        async_graphql::parser::types::DocumentOperations::Multiple(ops) if ops.len() == 1 => {
            ops.keys().next().map(|name| name.to_string())
        }
        _ => None,
    }
}
