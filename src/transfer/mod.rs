//! Copying a whole consoleai database into another one: SQLite to PostgreSQL when a team outgrows
//! the embedded database, or PostgreSQL to SQLite for a local copy.
//!
//! - Every table is copied with its primary keys as they are, so the copy is faithful and a re-run
//!   inserts only what is missing (`ON CONFLICT DO NOTHING` on the primary key).
//! - Rows stream in primary-key order, a batch at a time (keyset pagination: memory stays flat
//!   whatever the size). Tables with a serial id resume after the highest id the target holds, so
//!   an interrupted transfer continues where it stopped.
//! - The source is read inside one snapshot, so what is verified is exactly what was copied even if
//!   the application keeps writing to the source meanwhile.
//! - Afterwards every table's row count, and the billed, effective and list cost per (tenant,
//!   month, currency) in `cost_daily` and `cost_lines`, are compared on both sides, to the pico.
mod copy;
mod verify;

use std::io::IsTerminal;

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, Statement, TransactionTrait,
};

use copy::{Job, Table};

/// How to run a transfer.
#[derive(Debug, Clone)]
pub struct TransferOptions {
    /// Copy into a target that already holds rows (also how an interrupted transfer is resumed).
    pub into_non_empty: bool,
    /// Rows read from the source per query, and written to the target per transaction.
    pub batch_rows: u64,
    /// One progress bar per table, when stderr is a terminal.
    pub progress: bool,
}

impl Default for TransferOptions {
    fn default() -> TransferOptions {
        TransferOptions {
            into_non_empty: false,
            batch_rows: 5_000,
            progress: false,
        }
    }
}

/// What happened to one table.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableReport {
    pub table: &'static str,
    /// Rows in the source's snapshot.
    pub source_rows: u64,
    /// Rows this run inserted; rows the target already had are not counted.
    pub copied_rows: u64,
    /// Rows in the target afterwards.
    pub target_rows: u64,
}

/// What a transfer did, in copy order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TransferReport {
    pub tables: Vec<TableReport>,
    /// The (tenant, month, currency) groups whose cost totals were compared, over `cost_daily`
    /// and `cost_lines` together.
    pub verified_totals: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error(
        "the target database is not empty: table {table} has {rows} rows; transfer into an empty \
         database, or pass --into-non-empty to add to it (which also resumes an interrupted transfer)"
    )]
    NonEmptyTarget { table: &'static str, rows: u64 },
    #[error("the copy does not match the source: {what} is {source_value} in the source but {target_value} in the target")]
    Mismatch {
        what: String,
        source_value: String,
        target_value: String,
    },
    #[error("copying table {table}: {source}")]
    Table { table: &'static str, source: DbErr },
    #[error("database error during the transfer: {0}")]
    Database(#[from] DbErr),
}

/// The tables copied, in copy order.
pub fn table_names() -> Vec<&'static str> {
    copy::tables().iter().map(|t| t.name).collect()
}

/// Copies every table of `from` into `to` and verifies the copy. Both must be migrated.
pub async fn transfer(
    from: &DatabaseConnection,
    to: &DatabaseConnection,
    options: &TransferOptions,
) -> Result<TransferReport, TransferError> {
    let tables = copy::tables();

    // Checked before anything is written, so a refused transfer leaves the target untouched.
    let mut target_before = Vec::with_capacity(tables.len());
    for table in &tables {
        target_before.push(count(to, table.name, None).await?);
    }
    if !options.into_non_empty {
        if let Some((table, rows)) = tables
            .iter()
            .zip(&target_before)
            .find(|(_, rows)| **rows > 0)
        {
            return Err(TransferError::NonEmptyTarget {
                table: table.name,
                rows: *rows,
            });
        }
    }
    let target_was_empty = target_before.iter().all(|rows| *rows == 0);

    let source = snapshot(from).await?;
    let progress = Progress::new(options.progress);
    let mut reports = Vec::with_capacity(tables.len());
    for (table, before) in tables.iter().zip(target_before) {
        let report = copy_table(&source, to, table, before, options, &progress).await?;
        reports.push(report);
    }
    if to.get_database_backend() == DbBackend::Postgres {
        reset_sequences(to, &tables).await?;
    }
    let verified_totals = verify::verify(&source, to, &tables, &reports, target_was_empty).await?;
    // Read-only: nothing to keep.
    source.rollback().await?;
    Ok(TransferReport {
        tables: reports,
        verified_totals,
    })
}

async fn copy_table(
    source: &DatabaseTransaction,
    to: &DatabaseConnection,
    table: &Table,
    target_before: u64,
    options: &TransferOptions,
    progress: &Progress,
) -> Result<TableReport, TransferError> {
    let source_rows = count(source, table.name, None).await?;
    // Copies insert in id order, each statement atomically, so after an interruption the target
    // holds every row up to its highest id: there is no need to read those again.
    let resume_after = match table.serial_id && target_before > 0 {
        true => max_id(to, table.name).await?,
        false => None,
    };
    let already = match resume_after {
        Some(id) => count(source, table.name, Some(id)).await?,
        None => 0,
    };
    let bar = progress.table(table.name, source_rows, already);
    let job = Job {
        from: source,
        to,
        batch_rows: options.batch_rows.max(1),
        resume_after,
        bar: &bar,
    };
    let copied_rows = (table.copy)(job)
        .await
        .map_err(|source| TransferError::Table {
            table: table.name,
            source,
        })?;
    bar.finish();
    Ok(TableReport {
        table: table.name,
        source_rows,
        copied_rows,
        target_rows: count(to, table.name, None).await?,
    })
}

/// A consistent view of the source for the whole transfer.
async fn snapshot(from: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match from.get_database_backend() {
        DbBackend::Postgres => {
            from.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
        }
        // A SQLite transaction reads one snapshot from its first read on (WAL mode); it takes no
        // isolation settings.
        _ => from.begin().await,
    }
}

/// Rows were inserted with explicit ids, which PostgreSQL sequences do not see: without this the
/// next insert by the application would collide with a copied row.
async fn reset_sequences(to: &DatabaseConnection, tables: &[Table]) -> Result<(), DbErr> {
    for table in tables.iter().filter(|t| t.serial_id) {
        let name = table.name;
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('{name}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
        );
        to.execute_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await?;
    }
    Ok(())
}

/// Rows in `table`, or only those with `id <= up_to`.
async fn count(db: &impl ConnectionTrait, table: &str, up_to: Option<i64>) -> Result<u64, DbErr> {
    let filter = up_to
        .map(|id| format!(" WHERE id <= {id}"))
        .unwrap_or_default();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}{filter}");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("COUNT(*) of {table}")))?;
    Ok(row.try_get::<i64>("", "n")?.max(0) as u64)
}

/// The highest `id` of a serial-id table; `None` when it is empty.
async fn max_id(db: &impl ConnectionTrait, table: &str) -> Result<Option<i64>, DbErr> {
    let sql = format!("SELECT MAX(id) AS m FROM {table}");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<i64>>("", "m")?,
        None => None,
    })
}

/// One bar per table, or nothing when not asked for or stderr is not a terminal.
struct Progress(Option<indicatif::MultiProgress>);

impl Progress {
    fn new(enabled: bool) -> Progress {
        Progress((enabled && std::io::stderr().is_terminal()).then(indicatif::MultiProgress::new))
    }

    fn table(&self, name: &'static str, rows: u64, done: u64) -> indicatif::ProgressBar {
        let Some(multi) = &self.0 else {
            return indicatif::ProgressBar::hidden();
        };
        let bar = multi.add(indicatif::ProgressBar::new(rows));
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg:<20} [{bar:30}] {human_pos}/{human_len} rows ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar.set_message(name);
        bar.set_position(done);
        bar
    }
}
