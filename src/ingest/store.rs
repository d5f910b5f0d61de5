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
use super::rollup::{DailyKey, DimensionKey, Owner, ResourceDay, ResourceKey, Sums, TagKey};

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

/// A cost line ready to store: the record and the tenant its account belongs to.
pub struct Line {
    pub record: CostRecord,
    pub tenant_id: Option<String>,
}

/// One value of a row being written, borrowed from what it describes.
pub enum Field<'a> {
    Text(Option<&'a str>),
    Int(i64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

/// Something written as rows of one table.
pub trait Rows {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    /// The row's values, in [`Rows::COLUMNS`] order.
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr>;
}

fn text(value: &Option<String>) -> Field<'_> {
    Field::Text(value.as_deref())
}

impl Rows for Line {
    const TABLE: &'static str = "cost_lines";
    const COLUMNS: &'static [&'static str] = &[
        "import_batch_id",
        "tenant_id",
        "provider",
        "billing_account_id",
        "account_id",
        "account_name",
        "billing_period_start",
        "charge_period_start",
        "charge_period_end",
        "usage_date",
        "service_name",
        "service_category",
        "region",
        "availability_zone",
        "resource_id",
        "resource_type",
        "charge_category",
        "charge_frequency",
        "sku_id",
        "pricing_unit",
        "pricing_quantity",
        "list_unit_price",
        "billed_cost",
        "effective_cost",
        "list_cost",
        "currency",
        "tags",
    ];
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr> {
        let r = &self.record;
        Ok(vec![
            Field::Text(Some(batch_id)),
            text(&self.tenant_id),
            Field::Text(Some(&r.provider)),
            Field::Text(Some(&r.billing_account_id)),
            Field::Text(Some(&r.account_id)),
            text(&r.account_name),
            Field::Date(r.billing_period_start),
            Field::Time(r.charge_period_start),
            Field::Time(r.charge_period_end),
            Field::Date(r.usage_date()),
            text(&r.service_name),
            text(&r.service_category),
            text(&r.region),
            text(&r.availability_zone),
            text(&r.resource_id),
            text(&r.resource_type),
            Field::Text(Some(&r.charge_category)),
            text(&r.charge_frequency),
            text(&r.sku_id),
            text(&r.pricing_unit),
            text(&r.pricing_quantity),
            text(&r.list_unit_price),
            Field::Int(r.billed_cost),
            Field::Int(r.effective_cost),
            Field::Int(r.list_cost),
            Field::Text(Some(&r.currency)),
            text(&r.tags),
        ])
    }
}

/// A rollup cell must fit the stored `BIGINT`.
fn cell(sum: i128, owner: &Owner) -> Result<Field<'static>, DbErr> {
    i64::try_from(sum).map(Field::Int).map_err(|_| {
        DbErr::Custom(format!(
            "the cost of account {} on {} exceeds ±9,223,372.036854775807 {} in one day's rollup cell",
            owner.account_id, owner.usage_date, owner.currency
        ))
    })
}

fn owner_fields<'a>(owner: &'a Owner, batch_id: &'a str) -> Vec<Field<'a>> {
    vec![
        Field::Text(Some(batch_id)),
        text(&owner.tenant_id),
        Field::Date(owner.usage_date),
        Field::Date(owner.billing_period_start),
        Field::Text(Some(&owner.provider)),
        Field::Text(Some(&owner.billing_account_id)),
        Field::Text(Some(&owner.account_id)),
        Field::Text(Some(&owner.currency)),
    ]
}

impl Rows for (DailyKey, Sums) {
    const TABLE: &'static str = "cost_daily";
    const COLUMNS: &'static [&'static str] = &[
        "import_batch_id",
        "tenant_id",
        "usage_date",
        "billing_period_start",
        "provider",
        "billing_account_id",
        "account_id",
        "currency",
        "service_name",
        "service_category",
        "region",
        "charge_category",
        "billed_cost",
        "effective_cost",
        "list_cost",
        "line_count",
    ];
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr> {
        let (key, sums) = self;
        let mut fields = owner_fields(&key.owner, batch_id);
        fields.extend([
            text(&key.service_name),
            text(&key.service_category),
            text(&key.region),
            Field::Text(Some(&key.charge_category)),
            cell(sums.billed, &key.owner)?,
            cell(sums.effective, &key.owner)?,
            cell(sums.list, &key.owner)?,
            Field::Int(sums.lines),
        ]);
        Ok(fields)
    }
}

impl Rows for (DimensionKey, Sums) {
    const TABLE: &'static str = "cost_daily_by";
    const COLUMNS: &'static [&'static str] = &[
        "import_batch_id",
        "tenant_id",
        "usage_date",
        "billing_period_start",
        "provider",
        "billing_account_id",
        "dimension",
        "dimension_key",
        "currency",
        "billed_cost",
        "effective_cost",
        "list_cost",
    ];
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr> {
        let (key, sums) = self;
        let o = &key.owner;
        Ok(vec![
            Field::Text(Some(batch_id)),
            text(&o.tenant_id),
            Field::Date(o.usage_date),
            Field::Date(o.billing_period_start),
            Field::Text(Some(&o.provider)),
            Field::Text(Some(&o.billing_account_id)),
            Field::Text(Some(key.dimension)),
            text(&key.key),
            Field::Text(Some(&o.currency)),
            cell(sums.billed, o)?,
            cell(sums.effective, o)?,
            cell(sums.list, o)?,
        ])
    }
}

impl Rows for (ResourceKey, ResourceDay) {
    const TABLE: &'static str = "cost_resource_daily";
    const COLUMNS: &'static [&'static str] = &[
        "import_batch_id",
        "tenant_id",
        "usage_date",
        "billing_period_start",
        "provider",
        "billing_account_id",
        "account_id",
        "currency",
        "resource_id",
        "billed_cost",
        "effective_cost",
        "list_cost",
        "hourly_unit_price",
    ];
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr> {
        let (key, day) = self;
        let mut fields = owner_fields(&key.owner, batch_id);
        fields.extend([
            Field::Text(Some(&key.resource_id)),
            cell(day.sums.billed, &key.owner)?,
            cell(day.sums.effective, &key.owner)?,
            cell(day.sums.list, &key.owner)?,
            text(&day.hourly_unit_price),
        ]);
        Ok(fields)
    }
}

impl Rows for (TagKey, Sums) {
    const TABLE: &'static str = "cost_daily_tags";
    const COLUMNS: &'static [&'static str] = &[
        "import_batch_id",
        "tenant_id",
        "usage_date",
        "billing_period_start",
        "provider",
        "billing_account_id",
        "account_id",
        "currency",
        "tag_key",
        "tag_value",
        "billed_cost",
        "effective_cost",
        "list_cost",
    ];
    fn fields<'a>(&'a self, batch_id: &'a str) -> Result<Vec<Field<'a>>, DbErr> {
        let (key, sums) = self;
        let mut fields = owner_fields(&key.owner, batch_id);
        fields.extend([
            Field::Text(Some(&key.key)),
            Field::Text(Some(&key.value)),
            cell(sums.billed, &key.owner)?,
            cell(sums.effective, &key.owner)?,
            cell(sums.list, &key.owner)?,
        ]);
        Ok(fields)
    }
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

    /// Lines handed from the parser to the writer at a time: large enough for COPY to stream,
    /// small enough that the few chunks in flight keep memory flat.
    pub fn chunk_rows(&self) -> usize {
        match self {
            Txn::Pg(_) => 25_000,
            Txn::Orm(_) => 10_000,
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

    /// Sends rows already encoded by [`encode_copy`] (PostgreSQL only).
    pub async fn write_copy<R: Rows>(&mut self, bytes: Vec<u8>) -> Result<(), DbErr> {
        let Txn::Pg(t) = self else {
            return Err(DbErr::Custom("COPY needs PostgreSQL".into()));
        };
        if bytes.is_empty() {
            return Ok(());
        }
        let statement = format!(
            "COPY {} ({}) FROM STDIN WITH (FORMAT binary)",
            R::TABLE,
            R::COLUMNS.join(", ")
        );
        let mut copy = t.copy_in_raw(&statement).await.map_err(pg_err)?;
        copy.send(bytes).await.map_err(pg_err)?;
        copy.finish().await.map_err(pg_err)?;
        Ok(())
    }

    /// Whether lines go in by COPY (then the parser encodes them, see [`encode_copy`]).
    pub fn uses_copy(&self) -> bool {
        matches!(self, Txn::Pg(_))
    }

    /// Appends rows of `batch_id` to their table.
    pub async fn write_rows<R: Rows>(&mut self, batch_id: &str, rows: &[R]) -> Result<(), DbErr> {
        if rows.is_empty() {
            return Ok(());
        }
        let columns = R::COLUMNS.join(", ");
        match self {
            Txn::Pg(_) => {
                let bytes = encode_copy(batch_id, rows)?;
                self.write_copy::<R>(bytes).await
            }
            Txn::Orm(_) => {
                // Plain `?`s: numbered names would be resolved one by one, which is quadratic
                // over tens of thousands of parameters. SQLite binds at most 32,766.
                let per_statement = 30_000 / R::COLUMNS.len();
                let row = format!("({})", vec!["?"; R::COLUMNS.len()].join(","));
                for chunk in rows.chunks(per_statement) {
                    let mut args = Vec::with_capacity(chunk.len() * R::COLUMNS.len());
                    for r in chunk {
                        args.extend(r.fields(batch_id)?.into_iter().map(Arg::from));
                    }
                    let values = vec![row.as_str(); chunk.len()].join(",");
                    let sql = format!("INSERT INTO {} ({columns}) VALUES {values}", R::TABLE);
                    self.exec(&sql, args).await?;
                }
                Ok(())
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

impl From<Field<'_>> for Arg {
    fn from(field: Field<'_>) -> Arg {
        match field {
            Field::Text(v) => Arg::Text(v.map(str::to_string)),
            Field::Int(v) => Arg::Int(v),
            Field::Date(v) => Arg::Date(v),
            Field::Time(v) => Arg::Time(v),
        }
    }
}

/// Rows in COPY's binary format, ready for [`Txn::write_copy`]. Pure, so it can run on the
/// parsing thread while the database ingests the previous chunk. Binary rather than text: the
/// server then reads lengths and fixed-width integers instead of scanning for delimiters and
/// parsing digits, dates and timestamps, which was a sixth of its work per line.
pub fn encode_copy<R: Rows>(batch_id: &str, rows: &[R]) -> Result<Vec<u8>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(rows.len() * 16 * R::COLUMNS.len() + 32);
    out.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    out.extend_from_slice(&0i32.to_be_bytes()); // flags: no OIDs
    out.extend_from_slice(&0i32.to_be_bytes()); // no header extension
    for row in rows {
        copy_row(&mut out, &row.fields(batch_id)?);
    }
    out.extend_from_slice(&(-1i16).to_be_bytes());
    Ok(out)
}

/// PostgreSQL's epoch for dates and timestamps.
fn pg_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a valid date")
}

/// One row in COPY's binary format: the field count, then each field as its length (-1: NULL)
/// and its bytes — text as UTF-8, `bigint` as 8 bytes big-endian, `date` as days and
/// `timestamptz` as microseconds since 2000-01-01 UTC.
fn copy_row(out: &mut Vec<u8>, fields: &[Field<'_>]) {
    out.extend_from_slice(&(fields.len() as i16).to_be_bytes());
    for field in fields {
        match field {
            Field::Text(None) => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Field::Text(Some(text)) => {
                out.extend_from_slice(&(text.len() as i32).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Field::Int(v) => {
                out.extend_from_slice(&8i32.to_be_bytes());
                out.extend_from_slice(&v.to_be_bytes());
            }
            Field::Date(d) => {
                let days = (*d - pg_epoch()).num_days() as i32;
                out.extend_from_slice(&4i32.to_be_bytes());
                out.extend_from_slice(&days.to_be_bytes());
            }
            Field::Time(t) => {
                let epoch = pg_epoch().and_time(chrono::NaiveTime::MIN).and_utc();
                let micros = (*t - epoch).num_microseconds().unwrap_or(i64::MAX);
                out.extend_from_slice(&8i32.to_be_bytes());
                out.extend_from_slice(&micros.to_be_bytes());
            }
        }
    }
}
