//! What runs: EC2 instances, EBS volumes and RDS instances, with their utilisation and cost.
pub mod import;
pub mod parse;
pub mod view;

pub use import::{import_inventory, import_utilization, InventoryReport, UtilizationReport};
