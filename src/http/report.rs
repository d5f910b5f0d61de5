//! `GET /reports/{tenant}/{YYYY-MM}.pdf`: a tenant's monthly report, for a caller who may see
//! the tenant (anyone else gets 404, as for a tenant that does not exist). Audited as a read of
//! the tenant's cost.
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::graphql::{authenticate, unauthenticated};
use super::AppState;
use crate::audit::{self, CostView, Viewer};
use crate::cost::period::Month;
use crate::error::AppError;
use crate::tenancy::{directory, TenantScope};

pub async fn monthly_pdf(
    State(state): State<AppState>,
    Path((tenant, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let principal = match authenticate(&state, &headers).await {
        Ok(p) => p,
        Err(err) => return unauthenticated(err),
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let scope = TenantScope::of(&principal);
    let rendered = crate::tenancy::row_security::within(
        &scope,
        render(&state, principal, &tenant, &file, request_id),
    )
    .await;
    match rendered {
        Ok((name, pdf)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            pdf,
        )
            .into_response(),
        Err(err) => {
            if let AppError::Internal(detail) = &err {
                tracing::error!(error = %detail, "report failed");
            }
            let status = match err {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::BadUserInput(_) => StatusCode::BAD_REQUEST,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (status, Json(err.body())).into_response()
        }
    }
}

async fn render(
    state: &AppState,
    principal: crate::auth::Principal,
    tenant: &str,
    file: &str,
    request_id: Option<String>,
) -> Result<(String, Vec<u8>), AppError> {
    let month = file
        .strip_suffix(".pdf")
        .ok_or_else(|| AppError::bad_input("the report is {tenant}/{YYYY-MM}.pdf"))
        .and_then(Month::parse)?;
    let services = &state.services;
    let db = &services.db;
    let scope = TenantScope::of(&principal);
    let (reference, model) = directory::tenant(db, &scope, tenant)
        .await?
        .ok_or_else(|| AppError::NotFound("no such tenant".into()))?;
    let today = chrono::Utc::now().date_naive();
    let settings =
        crate::workflow::settings::of_tenant(db, &reference, services.approval_threshold).await?;
    let data = crate::cost::monthly_report::gather(
        db,
        &services.cache,
        &services.thresholds,
        &reference,
        &model,
        month,
        today,
        settings.monthly_budget,
    )
    .await?;
    let viewer = Viewer {
        subject: principal.subject.clone(),
        role: principal.role.as_str(),
        operation_name: Some("Report.pdf".into()),
        request_id,
    };
    audit::record_cost_views(
        db,
        &viewer,
        &[CostView {
            tenant_id: Some(reference.id()),
            view: "Report.pdf",
            period: month.to_string(),
        }],
    )
    .await?;
    let pdf = tokio::task::spawn_blocking(move || crate::report::render(&data))
        .await
        .map_err(AppError::internal)?;
    Ok((format!("consoleai-{}-{month}.pdf", reference.id()), pdf))
}
