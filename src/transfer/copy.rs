//! Copying one table, generically over its sea-orm entity.
use std::future::Future;
use std::pin::Pin;

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, Iterable, ModelTrait, PrimaryKeyToColumn, PrimaryKeyTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, TryInsertResult, Value,
};

use entity::{
    account, audit_event, billing_scope, budget_alert, cost_daily, cost_daily_by, cost_daily_tag,
    cost_line, cost_resource_daily, cost_view_audit, data_version, import_batch,
    organizational_unit, resource, resource_utilization, tenant, tenant_setting, workflow_request,
};

/// SQLite binds at most 32,766 parameters per statement (PostgreSQL 65,535); one row takes one
/// per column.
const MAX_PARAMETERS: usize = 30_000;

/// What to copy for one table.
pub(super) struct Job<'a> {
    pub from: &'a DatabaseTransaction,
    pub to: &'a DatabaseConnection,
    pub batch_rows: u64,
    /// Start after this id (serial-id tables only).
    pub resume_after: Option<i64>,
    pub bar: &'a indicatif::ProgressBar,
}

type Copying<'a> = Pin<Box<dyn Future<Output = Result<u64, DbErr>> + Send + 'a>>;

/// A table and how to copy it.
pub(super) struct Table {
    pub name: &'static str,
    /// The primary key is a single `BIGINT` auto-increment `id`.
    pub serial_id: bool,
    /// Copies the rows and returns how many were inserted.
    pub copy: for<'a> fn(Job<'a>) -> Copying<'a>,
}

/// Every table, in copy order. There are no foreign keys, but parents still go before the rows
/// that name them, so a partial copy reads sensibly.
pub(super) fn tables() -> Vec<Table> {
    vec![
        table::<organizational_unit::Entity>(),
        table::<tenant::Entity>(),
        table::<account::Entity>(),
        table::<import_batch::Entity>(),
        table::<billing_scope::Entity>(),
        table::<cost_line::Entity>(),
        table::<cost_daily::Entity>(),
        table::<cost_daily_tag::Entity>(),
        table::<cost_daily_by::Entity>(),
        table::<cost_view_audit::Entity>(),
        table::<audit_event::Entity>(),
        table::<data_version::Entity>(),
        table::<resource::Entity>(),
        table::<resource_utilization::Entity>(),
        table::<cost_resource_daily::Entity>(),
        table::<tenant_setting::Entity>(),
        table::<workflow_request::Entity>(),
        table::<budget_alert::Entity>(),
    ]
}

fn table<E>() -> Table
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    Table {
        name: E::default().table_name(),
        serial_id: <E::PrimaryKey as PrimaryKeyTrait>::auto_increment(),
        copy: boxed::<E>,
    }
}

fn boxed<E>(job: Job<'_>) -> Copying<'_>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    Box::pin(copy_rows::<E>(job))
}

async fn copy_rows<E>(job: Job<'_>) -> Result<u64, DbErr>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let keys: Vec<E::Column> = E::PrimaryKey::iter().map(|key| key.into_column()).collect();
    let rows_per_insert = (MAX_PARAMETERS / E::Column::iter().count()).max(1);
    let mut after: Option<Vec<Value>> = job.resume_after.map(|id| vec![Value::BigInt(Some(id))]);
    let mut copied = 0;
    loop {
        let mut query = E::find();
        if let Some(after) = &after {
            query = query.filter(past(&keys, after));
        }
        for key in &keys {
            query = query.order_by_asc(*key);
        }
        let rows = query.limit(job.batch_rows).all(job.from).await?;
        let Some(last) = rows.last() else { break };
        after = Some(keys.iter().map(|key| last.get(*key)).collect());
        let read = rows.len() as u64;

        // One transaction per batch: far fewer commits (fsyncs) than one per statement, and a
        // batch is either all there or not at all.
        let txn = job.to.begin().await?;
        let mut rows = rows.into_iter();
        loop {
            let chunk: Vec<E::ActiveModel> = rows
                .by_ref()
                .take(rows_per_insert)
                .map(IntoActiveModel::into_active_model)
                .collect();
            if chunk.is_empty() {
                break;
            }
            // Rows already in the target (a re-run) are skipped, not duplicated nor overwritten.
            let inserted = E::insert_many(chunk)
                .on_conflict_do_nothing()
                .exec_without_returning(&txn)
                .await?;
            if let TryInsertResult::Inserted(n) = inserted {
                copied += n;
            }
        }
        txn.commit().await?;
        job.bar.inc(read);
        if read < job.batch_rows {
            break;
        }
    }
    Ok(copied)
}

/// Rows whose primary key sorts after `after`, in the same order as `ORDER BY` the key columns:
/// a row value comparison is lexicographic on both databases.
fn past<C: ColumnTrait>(keys: &[C], after: &[Value]) -> Expr {
    match (keys, after) {
        ([key], [value]) => key.gt(value.clone()),
        _ => Expr::tuple(keys.iter().map(|key| key.into_expr()))
            .gt(Expr::tuple(after.iter().cloned().map(Expr::val))),
    }
}
