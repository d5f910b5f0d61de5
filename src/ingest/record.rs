//! The cost model every cost file maps to: one line of the bill, FOCUS-shaped.
use chrono::{DateTime, NaiveDate, Utc};

/// One charge, as the importers hand it to the store. Amounts are fixed-point at scale 10^-12
/// (`crate::cost::money`). Optional text is `None` for empty cells and literal `NULL`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRecord {
    pub provider: String,
    pub billing_account_id: String,
    /// The usage account (FOCUS `SubAccountId`, CUR `lineItem/UsageAccountId`).
    pub account_id: String,
    pub account_name: Option<String>,
    pub billing_period_start: NaiveDate,
    pub charge_period_start: DateTime<Utc>,
    pub charge_period_end: DateTime<Utc>,
    pub service_name: Option<String>,
    pub service_category: Option<String>,
    pub region: Option<String>,
    pub availability_zone: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
    /// FOCUS ChargeCategory: Usage, Purchase, Tax, Credit, Adjustment.
    pub charge_category: String,
    pub charge_frequency: Option<String>,
    pub sku_id: Option<String>,
    pub pricing_unit: Option<String>,
    /// Decimal text, verbatim.
    pub pricing_quantity: Option<String>,
    /// Decimal text, verbatim.
    pub list_unit_price: Option<String>,
    pub billed_cost: i64,
    pub effective_cost: i64,
    pub list_cost: i64,
    /// ISO 4217.
    pub currency: String,
    /// Tags as a compact JSON object text; `None` when there are none.
    pub tags: Option<String>,
}

impl CostRecord {
    /// The day the charge is counted on: the UTC date its charge period starts.
    pub fn usage_date(&self) -> NaiveDate {
        self.charge_period_start.date_naive()
    }
}

/// A stream of records read from one file; errors name the file, line and column.
pub type RecordStream = Box<dyn Iterator<Item = Result<CostRecord, super::ImportError>> + Send>;
