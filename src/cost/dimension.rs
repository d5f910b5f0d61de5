//! The axes cost can be cut along, and the three cost metrics.

/// What to break cost down by.
#[derive(
    async_graphql::Enum,
    Copy,
    Clone,
    Eq,
    PartialEq,
    Debug,
    Hash,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum CostDimension {
    /// The provider's service (FOCUS `ServiceName`), e.g. "Amazon Elastic Compute Cloud".
    Service,
    /// The FOCUS service category, e.g. "Compute".
    ServiceCategory,
    /// The usage account (FOCUS `SubAccountId`).
    Account,
    /// The region id, e.g. "us-east-1".
    Region,
    /// Usage, Purchase, Tax, Credit or Adjustment.
    ChargeCategory,
    /// The cloud provider, e.g. "AWS".
    Provider,
    /// The value of one tag key (give `tagKey`); cost without that tag has a null key.
    Tag,
}

/// Which cost to read. FOCUS keeps all three for every line.
#[derive(
    async_graphql::Enum,
    Copy,
    Clone,
    Eq,
    PartialEq,
    Ord,
    PartialOrd,
    Debug,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum CostMetric {
    /// What is invoiced (FOCUS `BilledCost`): the default.
    #[default]
    Billed,
    /// Amortised cost after discounts and commitments (FOCUS `EffectiveCost`).
    Effective,
    /// Cost at public list prices (FOCUS `ListCost`).
    List,
}

impl CostMetric {
    pub fn column(&self) -> &'static str {
        match self {
            CostMetric::Billed => "billed_cost",
            CostMetric::Effective => "effective_cost",
            CostMetric::List => "list_cost",
        }
    }
}

/// A dimension resolved for querying: which table, which column, which filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Grouping {
    None,
    Column(&'static str),
    Tag(String),
}

impl Grouping {
    pub fn new(
        dimension: Option<CostDimension>,
        tag_key: Option<String>,
    ) -> Result<Grouping, crate::error::AppError> {
        use CostDimension::*;
        let column = match dimension {
            None => return Ok(Grouping::None),
            Some(Tag) => {
                return match tag_key.filter(|k| !k.trim().is_empty()) {
                    Some(key) => Ok(Grouping::Tag(key)),
                    None => Err(crate::error::AppError::bad_input(
                        "groupBy TAG needs tagKey",
                    )),
                }
            }
            Some(Service) => "service_name",
            Some(ServiceCategory) => "service_category",
            Some(Account) => "account_id",
            Some(Region) => "region",
            Some(ChargeCategory) => "charge_category",
            Some(Provider) => "provider",
        };
        Ok(Grouping::Column(column))
    }
}
