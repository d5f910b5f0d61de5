//! Importers: files in, rows out, all-or-nothing.
//!
//! Every importer runs in one database transaction: a file that fails halfway leaves what was
//! stored before untouched, and the error names the file, the line and the column (or field).
pub mod error;
pub mod focus;
pub mod org;
mod rollup;
mod sql;

pub use error::ImportError;
pub use focus::{import_focus, FocusImportReport};
pub use org::{import_org, OrgImportOptions, OrgImportReport};
