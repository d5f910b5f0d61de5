//! Rightsizing: which instances and volumes are bigger (or smaller) than their load, and what
//! changing them is worth.
//!
//! `catalog` holds the built-in public list prices (EC2, RDS and EBS in us-east-1 and
//! sa-east-1, from `data/prices/`) and the [`PriceBook`] that lets a tenant's own billed unit
//! prices take precedence; `engine` turns one resource's shape, state, utilisation and cost into
//! a [`Recommendation`]. Monthly means hourly × 730, as on AWS's pricing pages.
pub mod catalog;
pub mod engine;

#[cfg(test)]
mod tests;

pub use catalog::{
    Catalog, CatalogError, InstanceSpec, PriceBook, PriceSource, Service, HOURS_PER_MONTH,
};
pub use engine::{
    recommend, total_savings, volume_monthly, Finding, Kind, Recommendation, ResourceInput,
    Thresholds,
};
