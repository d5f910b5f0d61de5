//! Inventory and rightsizing in the API: `Tenant.inventory`, `Tenant.rightsizing`, `Resource`,
//! `Recommendation`. The domain work is in `crate::inventory::view` and `crate::rightsizing`.
use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Enum, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::ids;
use super::pagination::{KeyCursor, MAX_PAGE};
use crate::cost::money;
use crate::cost::report::Money;
use crate::error::AppError;
use crate::inventory::view::ResourceView;
use crate::rightsizing::{Finding, PriceSource};

/// What kind of resource.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ResourceKind {
    Ec2Instance,
    EbsVolume,
    RdsInstance,
}

impl ResourceKind {
    fn stored(self) -> &'static str {
        match self {
            ResourceKind::Ec2Instance => "EC2_INSTANCE",
            ResourceKind::EbsVolume => "EBS_VOLUME",
            ResourceKind::RdsInstance => "RDS_INSTANCE",
        }
    }

    fn from_stored(kind: &str) -> ResourceKind {
        match kind {
            "EC2_INSTANCE" => ResourceKind::Ec2Instance,
            "EBS_VOLUME" => ResourceKind::EbsVolume,
            _ => ResourceKind::RdsInstance,
        }
    }
}

/// Narrows the inventory. Every given condition must hold.
#[derive(InputObject, Default, Debug)]
pub struct InventoryFilter {
    pub kind: Option<ResourceKind>,
    /// e.g. `running`, `stopped`, `available`, `terminated`. Terminated resources are hidden
    /// unless asked for by state.
    pub state: Option<String>,
    pub region: Option<String>,
    /// The 12-digit account id.
    pub account: Option<String>,
    /// `key` (has the tag) or `key=value`.
    pub tag: Option<String>,
    /// Part of the resource id, name or type, case-insensitive.
    pub text: Option<String>,
}

/// What to sort the inventory by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum InventoryOrderField {
    /// Cost of the last 30 days.
    #[default]
    Cost,
    Name,
    LaunchedAt,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum OrderDirection {
    Asc,
    #[default]
    Desc,
}

/// Sort order (default: cost, highest first).
#[derive(InputObject, Default, Debug)]
pub struct InventoryOrder {
    #[graphql(default)]
    pub field: InventoryOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl InventoryFilter {
    fn matches(&self, v: &ResourceView) -> bool {
        let m = &v.model;
        let tags: std::collections::BTreeMap<String, String> = m
            .tags
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        self.kind.is_none_or(|k| k.stored() == m.kind)
            && match &self.state {
                Some(state) => state.eq_ignore_ascii_case(&m.state),
                None => m.state != "terminated",
            }
            && self.region.as_ref().is_none_or(|r| r == &m.region)
            && self.account.as_ref().is_none_or(|a| a == &m.account_id)
            && self.tag.as_ref().is_none_or(|t| match t.split_once('=') {
                Some((k, val)) => tags.get(k).is_some_and(|x| x == val),
                None => tags.contains_key(t),
            })
            && self.text.as_ref().is_none_or(|text| {
                let text = text.to_lowercase();
                [
                    Some(&m.resource_id),
                    m.name.as_ref(),
                    Some(&m.resource_type),
                ]
                .into_iter()
                .flatten()
                .any(|s| s.to_lowercase().contains(&text))
            })
    }
}

/// Sorts views by an order (ties by resource id, so pages are stable).
pub fn sort(views: &mut [ResourceView], order: &InventoryOrder) {
    views.sort_by(|a, b| {
        let by = match order.field {
            InventoryOrderField::Cost => a.cost_usd().cmp(&b.cost_usd()),
            InventoryOrderField::Name => a.model.name.cmp(&b.model.name),
            InventoryOrderField::LaunchedAt => a.model.launched_at.cmp(&b.model.launched_at),
        };
        let by = if order.direction == OrderDirection::Desc {
            by.reverse()
        } else {
            by
        };
        by.then_with(|| a.model.resource_id.cmp(&b.model.resource_id))
    });
}

pub fn filter(views: Vec<ResourceView>, filter: &InventoryFilter) -> Vec<ResourceView> {
    views.into_iter().filter(|v| filter.matches(v)).collect()
}

/// Offset pagination over a list computed whole (a tenant's inventory is sorted by derived
/// values such as cost, which no index holds).
pub fn page<T, N, E: async_graphql::ObjectType>(
    items: Vec<T>,
    first: Option<i32>,
    after: Option<String>,
    extra: E,
    node: impl Fn(T) -> N,
) -> Result<Connection<KeyCursor, N, E>, AppError>
where
    N: async_graphql::OutputType,
{
    let first = first.unwrap_or(50);
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(AppError::bad_input(format!(
            "first must be between 1 and {MAX_PAGE}, got {first}"
        )));
    }
    let start = match after {
        None => 0,
        Some(cursor) => KeyCursor::decode_cursor(&cursor)
            .ok()
            .and_then(|c| c.0.parse::<usize>().ok())
            .map(|i| i + 1)
            .ok_or_else(|| AppError::bad_input("after is not a cursor from this list"))?,
    };
    let total = items.len();
    let mut connection =
        Connection::with_additional_fields(start > 0, start + (first as usize) < total, extra);
    connection.edges.extend(
        items
            .into_iter()
            .enumerate()
            .skip(start)
            .take(first as usize)
            .map(|(i, item)| Edge::new(KeyCursor(i.to_string()), node(item))),
    );
    Ok(connection)
}

/// One EC2 instance, EBS volume or RDS instance.
pub struct Resource(pub Box<ResourceView>);

/// A USD amount (rightsizing figures are in USD, as the price lists are).
pub fn usd(amount: Decimal) -> Money {
    Money {
        amount: amount.normalize(),
        currency: "USD".into(),
    }
}

/// A tag.
#[derive(SimpleObject)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// How hard a resource worked over a window.
#[derive(SimpleObject)]
pub struct Utilization {
    /// `cpu` or `memory` (percent), `read_ops` or `write_ops` (per second).
    pub metric: String,
    pub p95: Decimal,
    pub max: Decimal,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub samples: i32,
}

#[Object]
impl Resource {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode("Resource", &self.0.model.id.to_string())
    }
    /// `i-…`, `vol-…` or the RDS instance identifier.
    async fn resource_id(&self) -> &str {
        &self.0.model.resource_id
    }
    async fn arn(&self) -> Option<&str> {
        self.0.model.arn.as_deref()
    }
    async fn kind(&self) -> ResourceKind {
        ResourceKind::from_stored(&self.0.model.kind)
    }
    /// Instance type, volume type or DB instance class.
    #[graphql(name = "type")]
    async fn resource_type(&self) -> &str {
        &self.0.model.resource_type
    }
    async fn state(&self) -> &str {
        &self.0.model.state
    }
    async fn region(&self) -> &str {
        &self.0.model.region
    }
    async fn account_id(&self) -> &str {
        &self.0.model.account_id
    }
    /// The `Name` tag.
    async fn name(&self) -> Option<&str> {
        self.0.model.name.as_deref()
    }
    async fn size_gib(&self) -> Option<i64> {
        self.0.model.size_gib
    }
    async fn tags(&self) -> Vec<Tag> {
        let tags: std::collections::BTreeMap<String, String> = self
            .0
            .model
            .tags
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_default();
        tags.into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect()
    }
    async fn launched_at(&self) -> Option<DateTime<Utc>> {
        self.0.model.launched_at
    }
    /// When the latest inventory snapshot listed it.
    async fn last_seen_at(&self) -> DateTime<Utc> {
        self.0.model.last_seen_at
    }
    /// Its own billed cost over the last 30 days, per currency (joined from the bill by resource
    /// id or ARN).
    #[graphql(name = "cost30d")]
    async fn cost_30d(&self) -> Vec<Money> {
        self.0
            .cost_30d
            .iter()
            .map(|(c, a)| Money {
                amount: money::from_fixed(*a),
                currency: c.clone(),
            })
            .collect()
    }
    async fn utilization(&self) -> Vec<Utilization> {
        self.0
            .utilization
            .iter()
            .map(|u| Utilization {
                metric: u.metric.clone(),
                p95: u.p95.parse().unwrap_or_default(),
                max: u.max.parse().unwrap_or_default(),
                window_start: u.window_start,
                window_end: u.window_end,
                samples: u.samples,
            })
            .collect()
    }
    /// What rightsizing says about it; null when nothing can be said (no utilisation, an
    /// unpriced type, a terminated resource).
    async fn recommendation(&self) -> Option<Recommendation> {
        self.0
            .recommendation
            .as_ref()
            .map(|_| Recommendation(self.0.clone()))
    }
}

/// A rightsizing recommendation, as AWS Compute Optimizer would phrase it, from the tenant's own
/// utilisation and bill.
pub struct Recommendation(pub Box<ResourceView>);

impl Recommendation {
    fn rec(&self) -> &crate::rightsizing::Recommendation {
        self.0
            .recommendation
            .as_ref()
            .expect("built only with a recommendation")
    }
}

#[Object]
impl Recommendation {
    /// Opaque global ID (one recommendation per resource).
    async fn id(&self) -> ID {
        ids::encode("Recommendation", &self.0.model.id.to_string())
    }
    async fn finding(&self) -> Finding {
        self.rec().finding
    }
    async fn current_type(&self) -> &str {
        &self.rec().current_type
    }
    /// The type to move to; null when the advice is to stop or delete it, or to leave it.
    async fn recommended_type(&self) -> Option<&str> {
        self.rec().recommended_type.as_deref()
    }
    async fn current_monthly_cost(&self) -> Money {
        usd(self.rec().current_monthly)
    }
    async fn projected_monthly_cost(&self) -> Money {
        usd(self.rec().projected_monthly)
    }
    /// Negative when the advice costs more (under-provisioned).
    async fn estimated_monthly_savings(&self) -> Money {
        usd(self.rec().savings_monthly)
    }
    /// Savings as a percentage of the current cost.
    async fn savings_percent(&self) -> Decimal {
        self.rec().savings_percent
    }
    /// 0 (none) to 4 (very high): how likely following the advice is to hurt the workload.
    async fn performance_risk(&self) -> i32 {
        self.rec().performance_risk as i32
    }
    /// The reason, in words.
    async fn reason(&self) -> &str {
        &self.rec().reason
    }
    /// Where the current price came from: the tenant's bill or the catalog.
    async fn price_source(&self) -> PriceSource {
        self.rec().price_source
    }
    async fn resource(&self) -> Resource {
        Resource(self.0.clone())
    }
}

/// The extra fields of the rightsizing list.
#[derive(SimpleObject)]
pub struct RightsizingTotals {
    pub total_count: u64,
    /// Sum of the positive savings of the whole list (not only this page).
    pub total_estimated_monthly_savings: Money,
}

pub type ResourceConnection = Connection<KeyCursor, Resource, super::pagination::Totals>;
pub type RecommendationConnection = Connection<KeyCursor, Recommendation, RightsizingTotals>;

/// Positive savings of a set of views.
pub fn savings(views: &[ResourceView]) -> Decimal {
    let recs: Vec<crate::rightsizing::Recommendation> = views
        .iter()
        .filter_map(|v| v.recommendation.clone())
        .collect();
    crate::rightsizing::total_savings(&recs)
}
