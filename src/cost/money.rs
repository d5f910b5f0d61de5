//! Exact money on both databases.
//!
//! SQLite has no decimal type: it would store amounts as TEXT or REAL and `SUM` them as floating
//! point. So amounts are stored as `BIGINT` fixed-point at scale 10^-12 (picos of the currency unit;
//! real cost files carry up to 11 decimals), and summed as two integer sums, the whole units and the
//! remainder (`SUM(x / 10^12)`, `SUM(x % 10^12)`), which cannot overflow for any realistic row
//! count (each remainder is below 10^12, so 9.2 million rows per group fit in SQLite's 64 bits;
//! PostgreSQL sums `BIGINT` into `NUMERIC` anyway). The two parts are recombined in `i128`.
//! A single stored value is limited to ±9,223,372.036854775807 currency units; the importer
//! rejects anything larger with the file, line and column rather than storing a wrong number.
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::{DbBackend, QueryResult};

/// Decimal places kept.
pub const SCALE: u32 = 12;
/// 10^SCALE, as it appears in SQL.
pub const ONE: i64 = 1_000_000_000_000;

/// Converts an amount to its stored form. Digits past the 12th decimal are rounded half to even.
pub fn to_fixed(amount: Decimal) -> Result<i64, String> {
    let rounded = amount.round_dp_with_strategy(SCALE, RoundingStrategy::MidpointNearestEven);
    let scaled = rounded
        .checked_mul(Decimal::from(ONE))
        .ok_or_else(|| format!("amount {amount} is too large"))?;
    rust_decimal::prelude::ToPrimitive::to_i64(&scaled)
        .ok_or_else(|| format!("amount {amount} is outside ±9223372.036854775807"))
}

/// The exact decimal of a stored (or summed) fixed-point amount.
pub fn from_fixed(picos: i128) -> Decimal {
    Decimal::try_from_i128_with_scale(picos, SCALE)
        .unwrap_or_else(|_| Decimal::from_i128_with_scale(picos / ONE as i128, 0))
        .normalize()
}

/// The SQL of an overflow-safe sum of `column`, as two output columns `{alias}_u` and `{alias}_r`.
pub fn sum_sql(column: &str, alias: &str) -> String {
    format!("SUM({column} / {ONE}) AS {alias}_u, SUM({column} % {ONE}) AS {alias}_r")
}

/// Reads back a sum written by [`sum_sql`], in picos.
pub fn read_sum(
    row: &QueryResult,
    backend: DbBackend,
    alias: &str,
) -> Result<i128, sea_orm::DbErr> {
    let part = |suffix: &str| -> Result<i128, sea_orm::DbErr> {
        let name = format!("{alias}_{suffix}");
        match backend {
            // PostgreSQL's SUM(bigint) is NUMERIC.
            DbBackend::Postgres => {
                let value: Option<Decimal> = row.try_get("", &name)?;
                Ok(value.map(|d| d.trunc().mantissa()).unwrap_or(0))
            }
            _ => {
                let value: Option<i64> = row.try_get("", &name)?;
                Ok(value.unwrap_or(0) as i128)
            }
        }
    };
    Ok(part("u")? * ONE as i128 + part("r")?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn round_trips_eleven_decimals() {
        let d = Decimal::from_str("0.00001605990").unwrap();
        let fixed = to_fixed(d).unwrap();
        assert_eq!(fixed, 16_059_900);
        assert_eq!(from_fixed(fixed as i128), d.normalize());
    }

    #[test]
    fn negative_amounts_keep_their_sign() {
        let d = Decimal::from_str("-12.345678901234").unwrap();
        assert_eq!(from_fixed(to_fixed(d).unwrap() as i128), d);
    }

    #[test]
    fn rounds_half_even_past_twelve_decimals() {
        let d = Decimal::from_str("0.0000000000005").unwrap();
        assert_eq!(to_fixed(d).unwrap(), 0);
        let d = Decimal::from_str("0.0000000000015").unwrap();
        assert_eq!(to_fixed(d).unwrap(), 2);
    }

    #[test]
    fn refuses_amounts_that_do_not_fit() {
        assert!(to_fixed(Decimal::from(10_000_000)).is_err());
        assert!(to_fixed(Decimal::from(9_000_000)).is_ok());
    }

    #[test]
    fn split_sum_recombines_exactly() {
        // What the database returns for SUM(x / ONE) and SUM(x % ONE) over -1.5 and 2.75.
        let values = [-1_500_000_000_000i64, 2_750_000_000_000];
        let units: i128 = values.iter().map(|v| (v / ONE) as i128).sum();
        let rest: i128 = values.iter().map(|v| (v % ONE) as i128).sum();
        assert_eq!(
            from_fixed(units * ONE as i128 + rest),
            Decimal::from_str("1.25").unwrap()
        );
    }
}
