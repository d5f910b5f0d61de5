//! sea-orm entities, one module per table. Money columns are fixed-point `i64` at scale 10^-12
//! (`consoleai::cost::money` converts them to and from `Decimal`).
pub mod account;
pub mod audit_event;
pub mod billing_scope;
pub mod budget_alert;
pub mod cost_daily;
pub mod cost_daily_by;
pub mod cost_daily_tag;
pub mod cost_line;
pub mod cost_resource_daily;
pub mod cost_view_audit;
pub mod data_version;
pub mod import_batch;
pub mod organizational_unit;
pub mod resource;
pub mod resource_utilization;
pub mod tenant;
pub mod tenant_setting;
pub mod workflow_request;
