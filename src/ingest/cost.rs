//! Importing cost files: any format, one batch, one transaction, restatement-safe.
//!
//! 1. The files' SHA-256 is compared with every loaded batch: the same files again are a no-op
//!    that says so.
//! 2. A batch row is committed as `loading` with this process's pid and host *before* loading, so
//!    a load killed at any point is found on the next start and marked `failed` ([`recover`]).
//! 3. Lines stream into one transaction (COPY on PostgreSQL). Nothing is visible until it commits;
//!    a failure or a kill leaves the previous data as it was.
//! 4. For each billing scope (provider, billing account, billing period) in the files: if the
//!    stored delivery covers a later charge period than this one, this one is older and the
//!    stored one is kept (unless forced); otherwise the scope's earlier lines are replaced and its
//!    rollups rebuilt. Duplicate rows inside a file are kept: they are real charges.
use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};

use super::record::{CostRecord, RecordStream};
use super::rollup::{
    discard_scope, replace_scope, BillingScope, DailyKey, DimensionKey, ResourceDay, ResourceKey,
    RollupRows, Rollups, Sums, TagKey, SCOPE,
};
use super::store::{encode_copy, Arg, Line, Txn};
use super::{cur, focus, ImportError};
use crate::cost::money;
use entity::{account, billing_scope, import_batch};

/// The cost file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostFormat {
    /// FOCUS 1.0–1.2 CSV.
    Focus,
    /// AWS Cost and Usage Report: legacy or 2.0, CSV, gzip CSV or Parquet.
    Cur,
}

impl CostFormat {
    pub fn name(&self) -> &'static str {
        match self {
            CostFormat::Focus => "focus",
            CostFormat::Cur => "cur",
        }
    }

    fn open(&self, file: &Path) -> Result<RecordStream, ImportError> {
        match self {
            CostFormat::Focus => focus::open(file),
            CostFormat::Cur => cur::open(file),
        }
    }
}

/// How to run an import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Who imports (recorded in the batch and the audit log).
    pub actor: String,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Load even if the same files were loaded, or a newer delivery is stored.
    pub force: bool,
}

impl ImportOptions {
    pub fn by(actor: &str) -> ImportOptions {
        ImportOptions {
            actor: actor.to_string(),
            progress: false,
            force: false,
        }
    }
}

/// What happened to one billing scope.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum ScopeOutcome {
    /// The scope now holds this delivery.
    Replaced,
    /// The stored delivery covers a later charge period: it was kept.
    KeptNewer,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ScopeReport {
    pub scope: BillingScope,
    pub rows: u64,
    pub covered_until: DateTime<Utc>,
    pub outcome: ScopeOutcome,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CostImportReport {
    pub batch_id: String,
    /// `loaded`, or `skipped` when nothing newer was loaded.
    pub status: String,
    /// Rows read from the files.
    pub rows: u64,
    /// Rows whose account is under no tenant.
    pub unallocated_rows: u64,
    /// Billed cost read, per currency.
    pub totals: BTreeMap<String, Decimal>,
    pub scopes: Vec<ScopeReport>,
    pub seconds: f64,
    /// A sentence for people: what was loaded or why nothing was.
    pub message: String,
}

/// Imports cost files as one batch.
pub async fn import_cost(
    db: &DatabaseConnection,
    format: CostFormat,
    files: &[PathBuf],
    options: &ImportOptions,
) -> Result<CostImportReport, ImportError> {
    let started = Instant::now();
    let hash = hash_files(files)?;
    let source = files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let batch_id = uuid::Uuid::new_v4().to_string();
    if !options.force {
        let same = import_batch::Entity::find()
            .filter(import_batch::Column::FileHash.eq(hash.clone()))
            .filter(import_batch::Column::Status.eq("loaded"))
            .order_by_desc(import_batch::Column::StartedAt)
            .one(db)
            .await?;
        if let Some(same) = same {
            let message = format!(
                "unchanged: these files were already loaded by batch {} at {}; nothing to do",
                same.id,
                same.finished_at
                    .unwrap_or(same.started_at)
                    .format("%Y-%m-%d %H:%M:%S UTC")
            );
            record_batch(
                db,
                &batch_id,
                format,
                &source,
                &hash,
                &options.actor,
                "skipped",
                Some(&message),
            )
            .await?;
            crate::audit::record_event(
                db,
                crate::audit::Event {
                    actor: &options.actor,
                    role: None,
                    action: "cost.import",
                    tenant_id: None,
                    target: Some(&batch_id),
                    before: None,
                    after: Some(serde_json::json!({"format": format.name(), "status": "skipped", "message": message})),
                },
            )
            .await?;
            return Ok(CostImportReport {
                batch_id,
                status: "skipped".into(),
                rows: 0,
                unallocated_rows: 0,
                totals: BTreeMap::new(),
                scopes: Vec::new(),
                seconds: started.elapsed().as_secs_f64(),
                message,
            });
        }
    }
    record_batch(
        db,
        &batch_id,
        format,
        &source,
        &hash,
        &options.actor,
        "loading",
        None,
    )
    .await?;
    match load(db, format, files, options, &batch_id, started).await {
        Ok(report) => Ok(report),
        Err(err) => {
            let duration = started.elapsed().as_millis() as i64;
            // The load's transaction is gone; record why, outside it.
            let _ = import_batch::Entity::update(import_batch::ActiveModel {
                id: sea_orm::ActiveValue::Set(batch_id.clone()),
                status: sea_orm::ActiveValue::Set("failed".into()),
                error: sea_orm::ActiveValue::Set(Some(err.to_string())),
                finished_at: sea_orm::ActiveValue::Set(Some(Utc::now())),
                duration_ms: sea_orm::ActiveValue::Set(Some(duration)),
                ..Default::default()
            })
            .exec(db)
            .await;
            let _ = crate::audit::record_event(
                db,
                crate::audit::Event {
                    actor: &options.actor,
                    role: None,
                    action: "cost.import",
                    tenant_id: None,
                    target: Some(&batch_id),
                    before: None,
                    after: Some(serde_json::json!({"format": format.name(), "status": "failed", "error": err.to_string()})),
                },
            )
            .await;
            Err(err)
        }
    }
}

#[derive(Default)]
struct ScopeStats {
    rows: u64,
    covered_until: Option<DateTime<Utc>>,
    /// The tenants whose accounts have lines in the scope (`None`: unallocated).
    tenants: std::collections::BTreeSet<Option<String>>,
}

async fn load(
    db: &DatabaseConnection,
    format: CostFormat,
    files: &[PathBuf],
    options: &ImportOptions,
    batch_id: &str,
    started: Instant,
) -> Result<CostImportReport, ImportError> {
    let tenants_by_account: HashMap<String, Option<String>> = account::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.tenant_id))
        .collect();
    let stored: HashMap<BillingScope, DateTime<Utc>> = billing_scope::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| {
            let scope = BillingScope {
                provider: s.provider,
                billing_account_id: s.billing_account_id,
                billing_period_start: s.billing_period_start,
            };
            (scope, s.covered_until)
        })
        .collect();

    let mut txn = Txn::begin(db).await?;
    let read = stream_lines(
        &mut txn,
        format,
        files,
        tenants_by_account,
        options.progress,
        batch_id,
    )
    .await?;
    let ReadSummary {
        scopes,
        totals,
        rows,
        unallocated_rows,
    } = read;
    let streamed = started.elapsed();

    let now = Utc::now();
    let mut touched: std::collections::BTreeSet<Option<String>> = Default::default();
    let mut reports = Vec::with_capacity(scopes.len());
    for (scope, stats) in scopes {
        let covered_until = stats.covered_until.unwrap_or(now);
        let newer_stored = stored
            .get(&scope)
            .is_some_and(|stored| *stored > covered_until);
        let outcome = if newer_stored && !options.force {
            discard_scope(&mut txn, batch_id, &scope).await?;
            ScopeOutcome::KeptNewer
        } else {
            // Whoever has cost in the scope now, and whoever had it before, sees a change.
            touched.extend(stats.tenants.iter().cloned());
            // A scope's rows are always those of the batch `billing_scopes` names for it, so a
            // scope it does not name has no rows to replace: no need to scan the period (which
            // would read every row just loaded).
            if stored.contains_key(&scope) {
                let owners = txn
                    .query_texts(
                        &format!("SELECT DISTINCT tenant_id FROM cost_daily WHERE {SCOPE}"),
                        scope.args(),
                    )
                    .await?;
                touched.extend(owners);
                replace_scope(&mut txn, batch_id, &scope).await?;
            }
            let mut args = scope.args();
            txn.exec(
                &format!("DELETE FROM billing_scopes WHERE {SCOPE}"),
                args.clone(),
            )
            .await?;
            args.extend([
                batch_id.into(),
                covered_until.into(),
                (stats.rows as i64).into(),
                now.into(),
            ]);
            txn.exec(
                "INSERT INTO billing_scopes (provider, billing_account_id, billing_period_start, import_batch_id, \
                 covered_until, rows, loaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                args,
            )
            .await?;
            ScopeOutcome::Replaced
        };
        reports.push(ScopeReport {
            scope,
            rows: stats.rows,
            covered_until,
            outcome,
        });
    }

    for owner in &touched {
        let key = owner
            .clone()
            .unwrap_or_else(|| crate::cost::cache::UNALLOCATED.to_string());
        txn.exec(crate::cost::cache::BUMP_SQL, vec![key.into()])
            .await?;
    }
    let replaced = reports
        .iter()
        .filter(|r| r.outcome == ScopeOutcome::Replaced)
        .count();
    let kept: Vec<String> = reports
        .iter()
        .filter(|r| r.outcome == ScopeOutcome::KeptNewer)
        .map(|r| {
            format!(
                "{} {} {}",
                r.scope.provider,
                r.scope.billing_account_id,
                r.scope.billing_period_start.format("%Y-%m")
            )
        })
        .collect();
    let status = if replaced == 0 && rows > 0 {
        "skipped"
    } else {
        "loaded"
    };
    let totals: BTreeMap<String, Decimal> = totals
        .into_iter()
        .map(|(c, v)| (c, money::from_fixed(v)))
        .collect();
    let mut message = format!("{rows} lines, {replaced} billing scope(s) replaced");
    if !kept.is_empty() {
        message.push_str(&format!(
            "; older than the stored delivery, kept the stored one for: {} (use --force to load it anyway)",
            kept.join(", ")
        ));
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        batch = batch_id,
        rows,
        read_and_write_s = streamed.as_secs_f64(),
        rollups_s = seconds - streamed.as_secs_f64(),
        "cost import phases"
    );
    let scopes_json = serde_json::to_string(&reports).unwrap_or_default();
    let totals_json = serde_json::to_string(&totals).unwrap_or_default();
    txn.exec(
        "UPDATE import_batches SET status = $1, rows = $2, scopes = $3, totals = $4, finished_at = $5, \
         duration_ms = $6, error = $7 WHERE id = $8",
        vec![
            status.into(),
            (rows as i64).into(),
            scopes_json.clone().into(),
            totals_json.clone().into(),
            Utc::now().into(),
            ((seconds * 1000.0) as i64).into(),
            Arg::Text((!kept.is_empty()).then(|| message.clone())),
            batch_id.into(),
        ],
    )
    .await?;
    let after = serde_json::json!({"format": format.name(), "rows": rows, "status": status, "totals": totals, "scopes": reports});
    txn.exec(
        "INSERT INTO audit_events (occurred_at, actor, action, tenant_id, target, request_id, \"before\", \"after\") \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        vec![
            Utc::now().into(),
            options.actor.clone().into(),
            "cost.import".into(),
            Arg::Text(None),
            batch_id.into(),
            crate::telemetry::current_request_id().into(),
            Arg::Text(None),
            after.to_string().into(),
        ],
    )
    .await?;
    txn.commit().await?;
    Ok(CostImportReport {
        batch_id: batch_id.to_string(),
        status: status.into(),
        rows,
        unallocated_rows,
        totals,
        scopes: reports,
        seconds,
        message,
    })
}

/// What reading the files found, besides the lines themselves.
#[derive(Default)]
struct ReadSummary {
    scopes: BTreeMap<BillingScope, ScopeStats>,
    totals: BTreeMap<String, i128>,
    rows: u64,
    unallocated_rows: u64,
}

/// Rollup keys kept in memory per table before they are written out as partial sums.
const ROLLUP_CAPACITY: usize = 50_000;

/// What the parser hands the writer: rows, or for PostgreSQL rows already in COPY's format, so
/// that encoding happens on the parsing thread while the database ingests the previous chunk.
enum Chunk {
    Rows {
        lines: Vec<Line>,
        rollups: RollupRows,
    },
    Copy {
        lines: Vec<u8>,
        daily: Vec<u8>,
        by_dimension: Vec<u8>,
        tags: Vec<u8>,
        resources: Vec<u8>,
    },
}

impl Chunk {
    fn new(
        lines: Vec<Line>,
        rollups: RollupRows,
        encode: bool,
        batch_id: &str,
    ) -> Result<Chunk, ImportError> {
        if !encode {
            return Ok(Chunk::Rows { lines, rollups });
        }
        Ok(Chunk::Copy {
            lines: encode_copy(batch_id, &lines)?,
            daily: encode_copy(batch_id, &rollups.daily)?,
            by_dimension: encode_copy(batch_id, &rollups.by_dimension)?,
            tags: encode_copy(batch_id, &rollups.tags)?,
            resources: encode_copy(batch_id, &rollups.resources)?,
        })
    }

    async fn write(self, txn: &mut Txn, batch_id: &str) -> Result<(), sea_orm::DbErr> {
        match self {
            Chunk::Rows { lines, rollups } => {
                txn.write_rows(batch_id, &lines).await?;
                txn.write_rows(batch_id, &rollups.daily).await?;
                txn.write_rows(batch_id, &rollups.by_dimension).await?;
                txn.write_rows(batch_id, &rollups.tags).await?;
                txn.write_rows(batch_id, &rollups.resources).await
            }
            Chunk::Copy {
                lines,
                daily,
                by_dimension,
                tags,
                resources,
            } => {
                txn.write_copy::<Line>(lines).await?;
                txn.write_copy::<(DailyKey, Sums)>(daily).await?;
                txn.write_copy::<(DimensionKey, Sums)>(by_dimension).await?;
                txn.write_copy::<(TagKey, Sums)>(tags).await?;
                txn.write_copy::<(ResourceKey, ResourceDay)>(resources)
                    .await
            }
        }
    }
}

/// Parses the files and sums the rollups on a blocking thread while this task writes what it
/// hands over, so parsing and the database's work overlap (two cores, two stages).
async fn stream_lines(
    txn: &mut Txn,
    format: CostFormat,
    files: &[PathBuf],
    tenants_by_account: HashMap<String, Option<String>>,
    show_progress: bool,
    batch_id: &str,
) -> Result<ReadSummary, ImportError> {
    let chunk_rows = txn.chunk_rows();
    let encode = txn.uses_copy();
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Chunk>(2);
    let files = files.to_vec();
    let batch = batch_id.to_string();
    let parser = tokio::task::spawn_blocking(move || -> Result<ReadSummary, ImportError> {
        let progress = Progress::new(show_progress);
        let mut read = ReadSummary::default();
        let since = Utc::now().date_naive() - chrono::Days::new(super::rollup::RESOURCE_DAYS);
        let mut rollups = Rollups::new(ROLLUP_CAPACITY, since);
        let mut lines = Vec::with_capacity(chunk_rows);
        for file in &files {
            progress.file(file);
            for record in format.open(file)? {
                let record: CostRecord = record?;
                let tenant_id = tenants_by_account
                    .get(&record.account_id)
                    .cloned()
                    .flatten();
                read.unallocated_rows += tenant_id.is_none() as u64;
                *read.totals.entry(record.currency.clone()).or_default() +=
                    record.billed_cost as i128;
                let stats = read.scopes.entry(scope_of(&record)).or_default();
                stats.rows += 1;
                stats.covered_until = stats.covered_until.max(Some(record.charge_period_end));
                if !stats.tenants.contains(&tenant_id) {
                    stats.tenants.insert(tenant_id.clone());
                }
                let line = Line { record, tenant_id };
                rollups.add(&line);
                lines.push(line);
                read.rows += 1;
                if lines.len() >= chunk_rows {
                    progress.rows(read.rows);
                    let full = if rollups.is_full() {
                        rollups.drain()
                    } else {
                        RollupRows::default()
                    };
                    let taken = std::mem::replace(&mut lines, Vec::with_capacity(chunk_rows));
                    // The writer is gone only if it failed; its error is the one to report.
                    if sender
                        .blocking_send(Chunk::new(taken, full, encode, &batch)?)
                        .is_err()
                    {
                        return Ok(read);
                    }
                }
            }
        }
        let _ = sender.blocking_send(Chunk::new(lines, rollups.drain(), encode, &batch)?);
        progress.done(read.rows);
        Ok(read)
    });
    while let Some(chunk) = receiver.recv().await {
        if let Err(err) = chunk.write(txn, batch_id).await {
            drop(receiver);
            let _ = parser.await;
            return Err(err.into());
        }
    }
    parser
        .await
        .map_err(|e| ImportError::Database(sea_orm::DbErr::Custom(format!("parser thread: {e}"))))?
}

fn scope_of(record: &CostRecord) -> BillingScope {
    BillingScope {
        provider: record.provider.clone(),
        billing_account_id: record.billing_account_id.clone(),
        billing_period_start: record.billing_period_start,
    }
}

#[allow(clippy::too_many_arguments)]
async fn record_batch(
    db: &DatabaseConnection,
    id: &str,
    format: CostFormat,
    source: &str,
    hash: &str,
    actor: &str,
    status: &str,
    error: Option<&str>,
) -> Result<(), ImportError> {
    let now = Utc::now();
    import_batch::Entity::insert(import_batch::ActiveModel {
        id: sea_orm::ActiveValue::Set(id.to_string()),
        kind: sea_orm::ActiveValue::Set("cost".into()),
        source: sea_orm::ActiveValue::Set(source.to_string()),
        status: sea_orm::ActiveValue::Set(status.to_string()),
        rows: sea_orm::ActiveValue::Set(0),
        scopes: sea_orm::ActiveValue::Set(None),
        imported_by: sea_orm::ActiveValue::Set(Some(actor.to_string())),
        started_at: sea_orm::ActiveValue::Set(now),
        finished_at: sea_orm::ActiveValue::Set((status != "loading").then_some(now)),
        format: sea_orm::ActiveValue::Set(Some(format.name().into())),
        file_hash: sea_orm::ActiveValue::Set(Some(hash.to_string())),
        pid: sea_orm::ActiveValue::Set(Some(std::process::id() as i64)),
        host: sea_orm::ActiveValue::Set(Some(this_host())),
        error: sea_orm::ActiveValue::Set(error.map(str::to_string)),
        totals: sea_orm::ActiveValue::Set(None),
        duration_ms: sea_orm::ActiveValue::Set((status != "loading").then_some(0)),
    })
    .exec(db)
    .await?;
    Ok(())
}

fn this_host() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

/// SHA-256 over the files' bytes, in the order given.
fn hash_files(files: &[PathBuf]) -> Result<String, ImportError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    for file in files {
        let mut handle = std::fs::File::open(file)
            .map_err(|e| ImportError::Io(file.display().to_string(), e))?;
        loop {
            let n = handle
                .read(&mut buffer)
                .map_err(|e| ImportError::Io(file.display().to_string(), e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buffer[..n]);
        }
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Marks as failed the batches left `loading` by a process of this host that is gone (killed,
/// crashed, machine restarted). Their lines were never committed; this only tells the truth
/// about them. Returns how many were marked.
pub async fn recover(db: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let host = this_host();
    let me = std::process::id() as i64;
    let stuck = import_batch::Entity::find()
        .filter(import_batch::Column::Status.eq("loading"))
        .filter(import_batch::Column::Host.eq(host))
        .all(db)
        .await?;
    let mut marked = 0;
    for batch in stuck {
        let pid = batch.pid.unwrap_or(0);
        let alive = pid == me || (pid > 0 && Path::new(&format!("/proc/{pid}")).exists());
        if alive {
            continue;
        }
        import_batch::Entity::update(import_batch::ActiveModel {
            id: sea_orm::ActiveValue::Set(batch.id),
            status: sea_orm::ActiveValue::Set("failed".into()),
            error: sea_orm::ActiveValue::Set(Some(format!(
                "interrupted: the importing process (pid {pid}) ended before the import finished; nothing of it was stored"
            ))),
            finished_at: sea_orm::ActiveValue::Set(Some(Utc::now())),
            ..Default::default()
        })
        .exec(db)
        .await?;
        marked += 1;
    }
    Ok(marked)
}

/// A terminal progress line: rows read and rate.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new(enabled: bool) -> Progress {
        if !enabled || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} {human_pos} lines ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Progress(Some(bar))
    }

    fn file(&self, file: &Path) {
        if let Some(bar) = &self.0 {
            bar.set_message(file.display().to_string());
        }
    }

    fn rows(&self, rows: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(rows);
        }
    }

    fn done(&self, rows: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(rows);
            bar.finish_and_clear();
        }
    }
}
