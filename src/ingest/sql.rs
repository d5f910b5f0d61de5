//! Small helpers for the importers' statements.
use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

/// Runs `sql` (with `$1…$n` placeholders, which both SQLite and PostgreSQL accept) with `values`.
pub async fn execute(
    db: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<u64, DbErr> {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    Ok(db.execute_raw(statement).await?.rows_affected())
}
