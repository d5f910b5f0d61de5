//! The monthly report as a PDF.
//!
//! [`MonthlyReport`] is a plain snapshot of one tenant's month — totals, breakdowns, the daily trend of the
//! last three months, rightsizing recommendations and the decisions taken — and [`render`] lays it out as an
//! A4 PDF: a header, a totals block, a line chart of the trend drawn with PDF path operators, and tables that
//! flow onto further pages when they are long. The text uses the built-in Helvetica fonts with
//! WinAnsiEncoding, so no font files are embedded and every word stays extractable.
//!
//! Nothing here touches the database or HTTP: fill the struct, call [`render`], and store or serve the bytes.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

mod metrics;
mod pdf;
#[cfg(test)]
mod tests;

pub use pdf::render;

/// One tenant's month, ready to be rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthlyReport {
    pub tenant_name: String,
    pub tenant_ou_id: String,
    /// The reported month, `"2026-10"`.
    pub month: String,
    pub generated_at: DateTime<Utc>,
    /// The currency every amount is in, `"USD"`.
    pub currency: String,
    /// This month's total.
    pub total: Decimal,
    /// The previous month's total.
    pub previous_total: Decimal,
    /// The monthly budget, if one is set.
    pub budget: Option<Decimal>,
    /// Cost by service, biggest first.
    pub by_service: Vec<(String, Decimal)>,
    /// Cost by account, biggest first, labelled `"name (id)"`.
    pub by_account: Vec<(String, Decimal)>,
    /// Daily cost over the last three months, for the chart.
    pub trend: Vec<(NaiveDate, Decimal)>,
    pub recommendations: Vec<ReportRecommendation>,
    pub decisions: Vec<ReportDecision>,
}

/// A rightsizing recommendation as the report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRecommendation {
    pub resource: String,
    pub finding: String,
    pub current_type: String,
    /// `None` when the finding has no target type (idle: stop or delete it).
    pub recommended_type: Option<String>,
    pub monthly_savings: Decimal,
}

/// A change request decided in the month.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDecision {
    pub date: NaiveDate,
    pub kind: String,
    pub summary: String,
    pub status: String,
    pub decider: String,
    /// The monthly cost impact: positive adds cost, negative saves.
    pub monthly_delta: Decimal,
}
