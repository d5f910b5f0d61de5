//! Checking that the target holds what the source holds: row counts, and exact cost totals.
use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
};

use super::copy::Table;
use super::{count, max_id, TableReport, TransferError};
use crate::cost::money;

/// The tables whose cost totals are compared: the lines as imported, and the rollup the API reads.
const COST_TABLES: [&str; 2] = ["cost_daily", "cost_lines"];
const METRICS: [&str; 3] = ["billed", "effective", "list"];

/// (tenant, month `YYYY-MM`, currency).
type Group = (Option<String>, String, String);
/// Billed, effective and list cost, in picos.
type Totals = BTreeMap<Group, [i128; 3]>;

/// Returns the number of (tenant, month, currency) groups compared.
pub(super) async fn verify(
    source: &DatabaseTransaction,
    target: &DatabaseConnection,
    tables: &[Table],
    reports: &[TableReport],
    target_was_empty: bool,
) -> Result<usize, TransferError> {
    for (table, report) in tables.iter().zip(reports) {
        verify_count(source, target, table, report, target_was_empty).await?;
    }
    let mut groups = 0;
    for table in COST_TABLES {
        // A target that had rows of its own before may have more beyond the source's ids; the
        // rows the source has are those up to its highest id.
        let up_to = match target_was_empty {
            true => None,
            false => Some(max_id(source, table).await?.unwrap_or(0)),
        };
        let in_source = totals(source, table, None).await?;
        let in_target = totals(target, table, up_to).await?;
        groups += compare(table, &in_source, &in_target)?;
    }
    Ok(groups)
}

async fn verify_count(
    source: &DatabaseTransaction,
    target: &DatabaseConnection,
    table: &Table,
    report: &TableReport,
    target_was_empty: bool,
) -> Result<(), TransferError> {
    let mismatch = |what: String, target_rows: u64| TransferError::Mismatch {
        what,
        source_value: format!("{} rows", report.source_rows),
        target_value: format!("{target_rows} rows"),
    };
    if target_was_empty {
        if report.target_rows != report.source_rows {
            return Err(mismatch(
                format!("the row count of {}", table.name),
                report.target_rows,
            ));
        }
    } else if table.serial_id {
        // Rows the target had beyond the source's highest id are its own; up to it, the target must
        // hold exactly the source's rows. A gap there (rows deleted below the resume point) shows.
        let max = max_id(source, table.name).await?.unwrap_or(0);
        let rows = count(target, table.name, Some(max)).await?;
        if rows != report.source_rows {
            return Err(mismatch(
                format!("the row count of {} up to id {max}", table.name),
                rows,
            ));
        }
    } else if report.target_rows < report.source_rows {
        return Err(mismatch(
            format!("the row count of {}", table.name),
            report.target_rows,
        ));
    }
    Ok(())
}

/// Each group's three totals, exactly: the database sums integers (see `money::sum_sql`).
async fn totals(
    db: &impl ConnectionTrait,
    table: &str,
    up_to: Option<i64>,
) -> Result<Totals, DbErr> {
    let backend = db.get_database_backend();
    // `usage_date` is a DATE on PostgreSQL and `YYYY-MM-DD` text on SQLite.
    let month = match backend {
        DbBackend::Postgres => "to_char(usage_date, 'YYYY-MM')",
        _ => "substr(usage_date, 1, 7)",
    };
    let sums = METRICS
        .map(|m| money::sum_sql(&format!("{m}_cost"), m))
        .join(", ");
    let filter = up_to
        .map(|id| format!("WHERE id <= {id}"))
        .unwrap_or_default();
    let sql = format!(
        "SELECT tenant_id, {month} AS month, currency, {sums} FROM {table} {filter} \
         GROUP BY tenant_id, {month}, currency"
    );
    let mut out = Totals::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?
    {
        let group = (
            row.try_get::<Option<String>>("", "tenant_id")?,
            row.try_get::<String>("", "month")?,
            row.try_get::<String>("", "currency")?,
        );
        let mut sums = [0i128; 3];
        for (sum, metric) in sums.iter_mut().zip(METRICS) {
            *sum = money::read_sum(&row, backend, metric)?;
        }
        out.insert(group, sums);
    }
    Ok(out)
}

fn compare(table: &str, source: &Totals, target: &Totals) -> Result<usize, TransferError> {
    let groups: BTreeSet<&Group> = source.keys().chain(target.keys()).collect();
    for group @ (tenant, month, currency) in &groups {
        let (a, b) = (source.get(group), target.get(group));
        for (i, metric) in METRICS.iter().enumerate() {
            if a.map(|t| t[i]) == b.map(|t| t[i]) {
                continue;
            }
            let amount = |t: Option<&[i128; 3]>| match t {
                Some(t) => format!("{} {currency}", money::from_fixed(t[i])),
                None => "absent".to_string(),
            };
            let tenant = tenant
                .as_deref()
                .map(|t| format!("tenant {t}"))
                .unwrap_or("unallocated cost".into());
            return Err(TransferError::Mismatch {
                what: format!("the {metric} cost in {table} for {tenant} in {month} ({currency})"),
                source_value: amount(a),
                target_value: amount(b),
            });
        }
    }
    Ok(groups.len())
}
