//! Where an import writes: one transaction, on either database.
//!
//! On PostgreSQL cost lines go in with `COPY … FROM STDIN`, the fastest way in (several times
//! faster than multi-row INSERTs); sea-orm has no COPY, so the PostgreSQL transaction is a plain
//! sqlx one on the pool sea-orm already holds. On SQLite, multi-row INSERTs inside one large
//! transaction. Everything else an import runs is plain SQL with `$1…$n` placeholders, which both
//! databases accept, executed by [`Txn::exec`].
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::{self, Postgres};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait, Value,
};

use super::record::CostRecord;

/// A statement argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(i64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(Some(v))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(v)
    }
}
impl From<NaiveDate> for Arg {
    fn from(v: NaiveDate) -> Self {
        Arg::Date(v)
    }
}
impl From<DateTime<Utc>> for Arg {
    fn from(v: DateTime<Utc>) -> Self {
        Arg::Time(v)
    }
}

impl From<Arg> for Value {
    fn from(arg: Arg) -> Value {
        match arg {
            Arg::Text(v) => v.into(),
            Arg::Int(v) => v.into(),
            Arg::Date(v) => v.into(),
            Arg::Time(v) => v.into(),
        }
    }
}

/// The columns of `cost_lines` an import writes, in the order both writers use.
const LINE_COLUMNS: &str = "import_batch_id, tenant_id, provider, billing_account_id, account_id, account_name, \
    billing_period_start, charge_period_start, charge_period_end, usage_date, service_name, service_category, \
    region, availability_zone, resource_id, resource_type, charge_category, charge_frequency, sku_id, \
    pricing_unit, pricing_quantity, list_unit_price, billed_cost, effective_cost, list_cost, currency, tags";
const LINE_COLUMN_COUNT: usize = 27;

/// A cost line ready to store: the record and the tenant its account belongs to.
pub struct Line {
    pub record: CostRecord,
    pub tenant_id: Option<String>,
}

/// One import's transaction.
pub enum Txn {
    Orm(DatabaseTransaction),
    Pg(sqlx::Transaction<'static, Postgres>),
}

fn pg_err(err: sqlx::Error) -> DbErr {
    DbErr::Custom(format!("postgres: {err}"))
}

impl Txn {
    pub async fn begin(db: &DatabaseConnection) -> Result<Txn, DbErr> {
        Ok(match db.get_database_backend() {
            DbBackend::Postgres => Txn::Pg(
                db.get_postgres_connection_pool()
                    .begin()
                    .await
                    .map_err(pg_err)?,
            ),
            _ => Txn::Orm(db.begin().await?),
        })
    }

    pub fn backend(&self) -> DbBackend {
        match self {
            Txn::Pg(_) => DbBackend::Postgres,
            Txn::Orm(t) => t.get_database_backend(),
        }
    }

    /// Lines buffered before each write: COPY wants large chunks; SQLite's bound-parameter limit
    /// (32,766) caps one INSERT at 1,200 rows of 27 columns.
    pub fn chunk_rows(&self) -> usize {
        match self {
            Txn::Pg(_) => 20_000,
            Txn::Orm(_) => 1_200,
        }
    }

    /// Runs one statement; returns the rows it touched.
    pub async fn exec(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, DbErr> {
        match self {
            Txn::Orm(t) => {
                let values: Vec<Value> = args.into_iter().map(Value::from).collect();
                let statement =
                    Statement::from_sql_and_values(t.get_database_backend(), sql, values);
                Ok(t.execute_raw(statement).await?.rows_affected())
            }
            Txn::Pg(t) => {
                let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
                for arg in args {
                    query = match arg {
                        Arg::Text(v) => query.bind(v),
                        Arg::Int(v) => query.bind(v),
                        Arg::Date(v) => query.bind(v),
                        Arg::Time(v) => query.bind(v),
                    };
                }
                Ok(query
                    .execute(&mut **t)
                    .await
                    .map_err(pg_err)?
                    .rows_affected())
            }
        }
    }

    /// The first column of every row a query returns, as optional text.
    pub async fn query_texts(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Vec<Option<String>>, DbErr> {
        match self {
            Txn::Orm(t) => {
                let values: Vec<Value> = args.into_iter().map(Value::from).collect();
                let statement =
                    Statement::from_sql_and_values(t.get_database_backend(), sql, values);
                let rows = t.query_all_raw(statement).await?;
                rows.iter()
                    .map(|r| r.try_get_by_index::<Option<String>>(0))
                    .collect()
            }
            Txn::Pg(t) => {
                let mut query =
                    sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.to_string()));
                for arg in args {
                    query = match arg {
                        Arg::Text(v) => query.bind(v),
                        Arg::Int(v) => query.bind(v),
                        Arg::Date(v) => query.bind(v),
                        Arg::Time(v) => query.bind(v),
                    };
                }
                query.fetch_all(&mut **t).await.map_err(pg_err)
            }
        }
    }

    /// Appends cost lines of `batch_id`.
    pub async fn write_lines(&mut self, batch_id: &str, lines: &[Line]) -> Result<(), DbErr> {
        if lines.is_empty() {
            return Ok(());
        }
        match self {
            Txn::Pg(t) => {
                let mut buffer = Vec::with_capacity(lines.len() * 400);
                for line in lines {
                    copy_row(&mut buffer, batch_id, line);
                }
                let mut copy = t
                    .copy_in_raw(&format!("COPY cost_lines ({LINE_COLUMNS}) FROM STDIN"))
                    .await
                    .map_err(pg_err)?;
                copy.send(buffer).await.map_err(pg_err)?;
                copy.finish().await.map_err(pg_err)?;
                Ok(())
            }
            Txn::Orm(_) => {
                // Plain `?`s: numbered names would be resolved one by one, which is quadratic
                // over 30,000 parameters.
                let row = format!("({})", ["?"; LINE_COLUMN_COUNT].join(","));
                let mut placeholders = Vec::with_capacity(lines.len());
                let mut args = Vec::with_capacity(lines.len() * LINE_COLUMN_COUNT);
                for line in lines {
                    placeholders.push(row.as_str());
                    args.extend(line_args(batch_id, line));
                }
                let sql = format!(
                    "INSERT INTO cost_lines ({LINE_COLUMNS}) VALUES {}",
                    placeholders.join(",")
                );
                self.exec(&sql, args).await.map(|_| ())
            }
        }
    }

    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Txn::Orm(t) => t.commit().await,
            Txn::Pg(t) => t.commit().await.map_err(pg_err),
        }
    }
}

fn line_args(batch_id: &str, line: &Line) -> Vec<Arg> {
    let r = &line.record;
    vec![
        batch_id.into(),
        line.tenant_id.clone().into(),
        r.provider.clone().into(),
        r.billing_account_id.clone().into(),
        r.account_id.clone().into(),
        r.account_name.clone().into(),
        r.billing_period_start.into(),
        r.charge_period_start.into(),
        r.charge_period_end.into(),
        r.usage_date().into(),
        r.service_name.clone().into(),
        r.service_category.clone().into(),
        r.region.clone().into(),
        r.availability_zone.clone().into(),
        r.resource_id.clone().into(),
        r.resource_type.clone().into(),
        r.charge_category.clone().into(),
        r.charge_frequency.clone().into(),
        r.sku_id.clone().into(),
        r.pricing_unit.clone().into(),
        r.pricing_quantity.clone().into(),
        r.list_unit_price.clone().into(),
        r.billed_cost.into(),
        r.effective_cost.into(),
        r.list_cost.into(),
        r.currency.clone().into(),
        r.tags.clone().into(),
    ]
}

/// One row in COPY's text format: tab-separated, `\N` for NULL, backslash escapes.
fn copy_row(out: &mut Vec<u8>, batch_id: &str, line: &Line) {
    use std::io::Write;
    let r = &line.record;
    let field = |out: &mut Vec<u8>, value: Option<&str>, last: bool| {
        match value {
            None => out.extend_from_slice(b"\\N"),
            Some(text) => {
                for byte in text.bytes() {
                    match byte {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        other => out.push(other),
                    }
                }
            }
        }
        out.push(if last { b'\n' } else { b'\t' });
    };
    let time = |t: &DateTime<Utc>| t.format("%Y-%m-%d %H:%M:%S%.f+00").to_string();
    field(out, Some(batch_id), false);
    field(out, line.tenant_id.as_deref(), false);
    field(out, Some(&r.provider), false);
    field(out, Some(&r.billing_account_id), false);
    field(out, Some(&r.account_id), false);
    field(out, r.account_name.as_deref(), false);
    field(out, Some(&r.billing_period_start.to_string()), false);
    field(out, Some(&time(&r.charge_period_start)), false);
    field(out, Some(&time(&r.charge_period_end)), false);
    field(out, Some(&r.usage_date().to_string()), false);
    field(out, r.service_name.as_deref(), false);
    field(out, r.service_category.as_deref(), false);
    field(out, r.region.as_deref(), false);
    field(out, r.availability_zone.as_deref(), false);
    field(out, r.resource_id.as_deref(), false);
    field(out, r.resource_type.as_deref(), false);
    field(out, Some(&r.charge_category), false);
    field(out, r.charge_frequency.as_deref(), false);
    field(out, r.sku_id.as_deref(), false);
    field(out, r.pricing_unit.as_deref(), false);
    field(out, r.pricing_quantity.as_deref(), false);
    field(out, r.list_unit_price.as_deref(), false);
    let _ = write!(
        out,
        "{}\t{}\t{}\t",
        r.billed_cost, r.effective_cost, r.list_cost
    );
    field(out, Some(&r.currency), false);
    field(out, r.tags.as_deref(), true);
}
