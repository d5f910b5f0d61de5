//! Importers: files in, rows out, all-or-nothing.
//!
//! Every importer runs in one database transaction: a file that fails halfway leaves what was
//! stored before untouched, and the error names the file, the line and the column (or field).
pub mod cost;
pub mod cur;
pub mod error;
pub mod focus;
pub mod org;
pub mod record;
mod rollup;
mod sql;
mod store;

pub use cost::{import_cost, recover, CostFormat, CostImportReport, ImportOptions};
pub use error::ImportError;
pub use org::{import_org, OrgImportOptions, OrgImportReport};
pub use sql::execute as execute_sql;
