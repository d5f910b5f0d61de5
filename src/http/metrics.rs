//! `GET /metrics`: the process metrics in the Prometheus text format, with the pool's usage and
//! the import history read at scrape time. It carries no tenant data (operation names and
//! counts only); expose it to the scraper's network, not to the internet.
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use sea_orm::{ConnectionTrait, Statement};

use super::AppState;
use crate::metrics::{self, Gauges};

pub async fn scrape(State(state): State<AppState>) -> impl IntoResponse {
    let db = &state.services.db;
    let (pool_size, pool_idle, pool_max) = crate::db::pool_usage(db);
    let mut gauges = Gauges {
        pool_size,
        pool_idle,
        pool_max,
        ..Default::default()
    };
    match import_history(db).await {
        Ok((rows, batches)) => {
            gauges.import_rows = rows;
            gauges.import_batches = batches;
        }
        Err(e) => tracing::warn!(error = %e, "metrics: import history unreadable"),
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(&gauges),
    )
}

type Counts = Vec<(String, String, i64)>;

/// Rows loaded by finished imports per (kind, format), and batches per (kind, status).
async fn import_history(
    db: &sea_orm::DatabaseConnection,
) -> Result<(Counts, Counts), sea_orm::DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT kind, COALESCE(format, '') AS format, status, COUNT(*) AS batches, \
             CAST(COALESCE(SUM(rows), 0) AS BIGINT) AS loaded FROM import_batches GROUP BY kind, format, status",
        ))
        .await?;
    let (mut loaded, mut batches) = (Counts::new(), Counts::new());
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let format: String = row.try_get("", "format")?;
        let status: String = row.try_get("", "status")?;
        let count: i64 = row.try_get("", "batches")?;
        let sum: i64 = row.try_get("", "loaded")?;
        if status == "loaded" {
            loaded.push((kind.clone(), format, sum));
        }
        match batches
            .iter_mut()
            .find(|(k, s, _)| *k == kind && *s == status)
        {
            Some(entry) => entry.2 += count,
            None => batches.push((kind, status, count)),
        }
    }
    Ok((loaded, batches))
}
