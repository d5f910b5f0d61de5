//! What things cost: totals, breakdowns and trends over the daily rollups, for one owner
//! (a visible tenant or the unallocated cost) at a time or for many tenants in one query.
pub mod cache;
pub mod dimension;
pub mod money;
pub mod monthly_report;
pub mod outlook;
pub mod period;
pub mod query;
pub mod report;

pub use dimension::{CostDimension, CostMetric};
