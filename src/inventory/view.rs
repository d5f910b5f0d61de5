//! A tenant's resources as the API shows them: each with its cost of the last 30 days, its
//! utilisation and its rightsizing recommendation.
//!
//! Built for many tenants at once in a fixed number of statements — resources, their costs, their
//! utilisation, the unit prices the tenants were billed — whatever the number of tenants or
//! resources; recommendations are computed in memory (the engine is pure), so they are always
//! those of the current inventory, utilisation, prices and cost.
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Statement, Value,
};

use crate::cost::money;
use crate::rightsizing::{
    self, Catalog, Kind, PriceBook, Recommendation, ResourceInput, Thresholds,
};
use crate::tenancy::TenantRef;
use entity::{resource, resource_utilization};

/// How far back a resource's own cost is summed.
pub const COST_WINDOW_DAYS: u64 = 30;

/// One resource with everything the API shows about it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ResourceView {
    pub model: resource::Model,
    /// Billed cost of the last 30 days, per currency (picos).
    pub cost_30d: BTreeMap<String, i128>,
    pub utilization: Vec<resource_utilization::Model>,
    pub recommendation: Option<Recommendation>,
    /// The highest hourly list unit price its cost lines carried in the window, if any.
    pub hourly_billed: Option<Decimal>,
}

impl ResourceView {
    pub fn cost_usd(&self) -> Decimal {
        money::from_fixed(self.cost_30d.get("USD").copied().unwrap_or(0))
    }

    fn metric(&self, name: &str) -> Option<(Decimal, Decimal)> {
        let u = self.utilization.iter().find(|u| u.metric == name)?;
        Some((
            Decimal::from_str(&u.p95).ok()?,
            Decimal::from_str(&u.max).ok()?,
        ))
    }
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every resource of `tenants` (terminated ones included), keyed by tenant id.
pub async fn tenant_resources(
    db: &impl ConnectionTrait,
    tenants: &[TenantRef],
    today: NaiveDate,
    thresholds: &Thresholds,
) -> Result<BTreeMap<String, Vec<ResourceView>>, DbErr> {
    let mut out: BTreeMap<String, Vec<ResourceView>> = tenants
        .iter()
        .map(|t| (t.id().to_string(), Vec::new()))
        .collect();
    if tenants.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = tenants.iter().map(|t| t.id().to_string()).collect();
    let resources = resource::Entity::find()
        .filter(resource::Column::TenantId.is_in(ids.clone()))
        .order_by_asc(resource::Column::Id)
        .all(db)
        .await?;
    let since = today - Days::new(COST_WINDOW_DAYS - 1);

    // Cost per (tenant, resource key, currency) and the hourly unit prices billed, in one pass.
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = ids.iter().map(|i| Value::from(i.clone())).collect();
    values.push(since.into());
    let sql = format!(
        "SELECT tenant_id, resource_id, currency, {sum}, MAX(hourly_unit_price) AS hourly \
         FROM cost_resource_daily WHERE tenant_id IN ({tenants}) AND usage_date >= ${since} \
         GROUP BY tenant_id, resource_id, currency",
        sum = money::sum_sql("billed_cost", "amount"),
        tenants = placeholders(1, ids.len()),
        since = ids.len() + 1,
    );
    let mut costs: HashMap<(String, String), BTreeMap<String, i128>> = HashMap::new();
    let mut hourly: HashMap<(String, String), Decimal> = HashMap::new();
    for row in db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
    {
        let tenant: String = row.try_get("", "tenant_id")?;
        let id: String = row.try_get("", "resource_id")?;
        let currency: String = row.try_get("", "currency")?;
        let amount = money::read_sum(&row, backend, "amount")?;
        if let Some(price) = row
            .try_get::<Option<String>>("", "hourly")?
            .and_then(|p| Decimal::from_str(&p).ok())
        {
            hourly.insert((tenant.clone(), id.clone()), price);
        }
        *costs
            .entry((tenant, id))
            .or_default()
            .entry(currency)
            .or_default() += amount;
    }

    // The tenants' utilisation in one statement, whatever the number of resources (a list of
    // resource ids would need one statement per few hundred of them).
    let mut utilization: HashMap<String, Vec<resource_utilization::Model>> = HashMap::new();
    let of_tenants = sea_orm::sea_query::Query::select()
        .column(resource::Column::ResourceId)
        .from(resource::Entity)
        .and_where(resource::Column::TenantId.is_in(ids.clone()))
        .to_owned();
    for u in resource_utilization::Entity::find()
        .filter(resource_utilization::Column::ResourceId.in_subquery(of_tenants))
        .all(db)
        .await?
    {
        utilization
            .entry(u.resource_id.clone())
            .or_default()
            .push(u);
    }

    for model in resources {
        let Some(tenant) = model.tenant_id.clone() else {
            continue;
        };
        let mut cost = BTreeMap::new();
        for key in [Some(&model.resource_id), model.arn.as_ref()]
            .into_iter()
            .flatten()
        {
            if let Some(c) = costs.get(&(tenant.clone(), key.clone())) {
                for (currency, amount) in c {
                    *cost.entry(currency.clone()).or_default() += amount;
                }
            }
        }
        let hourly_billed = [Some(&model.resource_id), model.arn.as_ref()]
            .into_iter()
            .flatten()
            .find_map(|key| hourly.get(&(tenant.clone(), key.clone())).copied());
        let view = ResourceView {
            utilization: utilization.remove(&model.resource_id).unwrap_or_default(),
            cost_30d: cost,
            model,
            recommendation: None,
            hourly_billed,
        };
        out.entry(tenant).or_default().push(view);
    }

    // Prices the tenant was billed take precedence over the catalog.
    let now = today
        .and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
        .unwrap_or_else(Utc::now);
    for views in out.values_mut() {
        let prices = price_book(views);
        let volumes: HashMap<&str, &ResourceView> = views
            .iter()
            .filter(|v| v.model.kind == "EBS_VOLUME")
            .map(|v| (v.model.resource_id.as_str(), v))
            .collect();
        let recommendations: Vec<Option<Recommendation>> = views
            .iter()
            .map(|v| recommend(v, &volumes, &prices, now, thresholds))
            .collect();
        for (view, recommendation) in views.iter_mut().zip(recommendations) {
            view.recommendation = recommendation;
        }
    }
    Ok(out)
}

/// A tenant's price book: the catalog, overridden by the unit prices its own resources were billed.
pub fn price_book(views: &[ResourceView]) -> PriceBook<'static> {
    let mut prices = PriceBook::new(Catalog::builtin());
    for v in views {
        if let Some(price) = v.hourly_billed {
            prices.observe(&v.model.resource_type, &v.model.region, price);
        }
    }
    prices
}

fn recommend(
    view: &ResourceView,
    volumes: &HashMap<&str, &ResourceView>,
    prices: &PriceBook,
    now: DateTime<Utc>,
    thresholds: &Thresholds,
) -> Option<Recommendation> {
    let m = &view.model;
    let kind = match m.kind.as_str() {
        "EC2_INSTANCE" => Kind::Ec2Instance,
        "EBS_VOLUME" => Kind::EbsVolume,
        _ => Kind::RdsInstance,
    };
    let attached_to: Vec<String> = m
        .attached_to
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok())
        .unwrap_or_default();
    // A stopped instance still pays for its volumes: their own cost, else their list price.
    let (attached_gib, attached_monthly) = if kind == Kind::Ec2Instance {
        let mut gib = 0;
        let mut monthly = Decimal::ZERO;
        for id in &attached_to {
            if let Some(v) = volumes.get(id.as_str()) {
                gib += v.model.size_gib.unwrap_or(0);
                let listed = rightsizing::volume_monthly(
                    prices.catalog,
                    &v.model.resource_type,
                    &v.model.region,
                    v.model.size_gib.unwrap_or(0),
                    v.model.iops,
                )
                .map(|(storage, iops)| storage + iops);
                monthly += if v.cost_usd() > Decimal::ZERO {
                    v.cost_usd()
                } else {
                    listed.unwrap_or_default()
                };
            }
        }
        (Some(gib), Some(monthly))
    } else {
        (m.size_gib, None)
    };
    let cpu = view.metric("cpu");
    let observed = view.cost_usd();
    let input = ResourceInput {
        kind,
        resource_type: &m.resource_type,
        region: &m.region,
        state: &m.state,
        size_gib: attached_gib,
        iops: m.iops,
        attached: !attached_to.is_empty(),
        stopped_since: (m.state == "stopped")
            .then_some(m.state_changed_at)
            .flatten(),
        cpu_p95: cpu.map(|c| c.0),
        cpu_max: cpu.map(|c| c.1),
        mem_p95: view.metric("memory").map(|m| m.0),
        monthly_cost_observed: (observed > Decimal::ZERO).then_some(observed),
        attached_volumes_monthly: attached_monthly,
    };
    rightsizing::recommend(&input, prices, now, thresholds)
}

/// The shape key of a tenant's resource views in the cost cache.
pub fn cache_shape(today: NaiveDate, thresholds: &Thresholds) -> String {
    format!("inventory|{today}|{thresholds:?}")
}

/// One tenant's resource views, from the cache or built.
pub async fn of_tenant(
    cache: &crate::cost::cache::CostCache,
    db: &impl ConnectionTrait,
    tenant: &TenantRef,
    today: NaiveDate,
    thresholds: &Thresholds,
) -> crate::error::AppResult<Vec<ResourceView>> {
    let owner = crate::tenancy::CostOwner::Tenant(tenant.clone());
    cache
        .get_or_compute(db, &owner, cache_shape(today, thresholds), || async {
            let mut all =
                tenant_resources(db, std::slice::from_ref(tenant), today, thresholds).await?;
            Ok(all.remove(tenant.id()).unwrap_or_default())
        })
        .await
}

/// One resource by its row id, if the scope may see it (an unallocated one: ADMIN only).
pub async fn resource_in_scope(
    db: &impl ConnectionTrait,
    scope: &crate::tenancy::TenantScope,
    id: i64,
    cache: &crate::cost::cache::CostCache,
    today: NaiveDate,
    thresholds: &Thresholds,
) -> crate::error::AppResult<Option<ResourceView>> {
    let Some(model) = resource::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let Some(tenant) = model.tenant_id.as_deref().and_then(|t| scope.tenant(t)) else {
        return Ok(None);
    };
    Ok(of_tenant(cache, db, &tenant, today, thresholds)
        .await?
        .into_iter()
        .find(|v| v.model.id == id))
}
