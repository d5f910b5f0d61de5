//! Connecting to the database and bringing its schema up to date.
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::config::DatabaseSettings;

/// The two databases consoleai runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(format!(
                "CONSOLEAI_DATABASE_URL '{}' is neither sqlite:… nor postgres://…",
                redact(url)
            ))
        }
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Opens a pool. SQLite gets WAL and a busy timeout so readers never block the importer.
pub async fn connect(settings: &DatabaseSettings) -> Result<DatabaseConnection, String> {
    let mut connection = open(settings).await?;
    connection.set_metric_callback(count_statement);
    Ok(connection)
}

/// Counts every statement into the process metrics (`/metrics`) and the current request's tally.
pub fn count_statement(info: &sea_orm::metric::Info<'_>) {
    crate::metrics::record_statement(info.elapsed, info.failed);
}

/// How many connections the pool has open, idle, and at most.
pub fn pool_usage(db: &DatabaseConnection) -> (u32, u32, u32) {
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle() as u32,
                pool.options().get_max_connections(),
            )
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle() as u32,
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    }
}

async fn open(settings: &DatabaseSettings) -> Result<DatabaseConnection, String> {
    let backend = Backend::from_url(&settings.url)?;
    let mut options = ConnectOptions::new(settings.url.clone());
    options
        .max_connections(settings.max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if backend == Backend::Sqlite {
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30))
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
        });
    }
    if backend == Backend::Postgres {
        return connect_postgres(settings).await;
    }
    Database::connect(options)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", redact(&settings.url)))
}

/// PostgreSQL: a pool whose connections carry the current request's tenant set every time they
/// are handed out (see [`crate::tenancy::row_security`]) — on acquire for idle connections, on
/// connect for new ones.
async fn connect_postgres(settings: &DatabaseSettings) -> Result<DatabaseConnection, String> {
    use crate::tenancy::row_security;
    use sea_orm::sqlx::postgres::{PgConnectOptions, PgPoolOptions};
    let options: PgConnectOptions = settings
        .url
        .parse()
        .map_err(|e| format!("CONSOLEAI_DATABASE_URL {}: {e}", redact(&settings.url)))?;
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .before_acquire(|connection, _| {
            Box::pin(async move { row_security::apply(connection).await.map(|_| true) })
        })
        .after_connect(|connection, _| Box::pin(row_security::apply(connection)))
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open database {}: {e}", redact(&settings.url)))?;
    Ok(sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(
        pool,
    ))
}

/// Applies pending migrations. When none is pending nothing is written, so a server connecting
/// as a role that may not create tables (the row-level-security deployment) starts on a schema the
/// owner migrated.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    if up_to_date(db).await.unwrap_or(false) {
        return Ok(());
    }
    Migrator::up(db, None).await
}

/// Every migration is recorded as applied (read-only; an error means "cannot tell").
async fn up_to_date(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    let applied: std::collections::HashSet<String> = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations",
        ))
        .await?
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    Ok(Migrator::migrations()
        .iter()
        .all(|m| applied.contains(m.name())))
}

pub fn backend(db: &impl ConnectionTrait) -> Backend {
    match db.get_database_backend() {
        DbBackend::Postgres => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// One page of a list ordered newest first by a serial id.
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    /// Rows in the whole list, not only this page.
    pub total_count: u64,
}

/// The page of `query` after the row `after` (by descending `id`), at most `limit` rows.
pub async fn newest_first<E: sea_orm::EntityTrait>(
    db: &impl ConnectionTrait,
    query: sea_orm::Select<E>,
    id: impl sea_orm::ColumnTrait,
    after: Option<i64>,
    limit: u64,
) -> Result<Page<E::Model>, sea_orm::DbErr>
where
    E::Model: Sync,
{
    use sea_orm::{PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
    let total_count = query.clone().count(db).await?;
    let query = match after {
        Some(after) => query.filter(id.lt(after)),
        None => query,
    };
    let mut items = query.order_by_desc(id).limit(limit + 1).all(db).await?;
    let has_next = items.len() as u64 > limit;
    items.truncate(limit as usize);
    Ok(Page {
        items,
        has_next,
        total_count,
    })
}
