//! DataLoaders: the Summary asks for every visible tenant's month-to-date cost and trend; these
//! turn N tenants into one version read, one query for the tenants not cached, and one audit
//! insert per kind of value, whatever N is.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use crate::audit;
use crate::cost::cache::CostCache;
use crate::cost::report::{self, CostSeries, CostSnapshot};
use crate::cost::CostMetric;
use crate::error::AppError;
use crate::tenancy::TenantRef;

pub struct SummaryLoader {
    db: DatabaseConnection,
    cache: Arc<CostCache>,
    thresholds: Arc<crate::rightsizing::Thresholds>,
    approval_threshold: rust_decimal::Decimal,
    today: NaiveDate,
    /// The request's cost reads, recorded when it is answered.
    audit: Arc<audit::CostViewBuffer>,
}

impl SummaryLoader {
    pub fn new(
        services: &super::context::Services,
        today: NaiveDate,
        audit: Arc<audit::CostViewBuffer>,
    ) -> Self {
        SummaryLoader {
            audit,
            db: services.db.clone(),
            cache: services.cache.clone(),
            thresholds: services.thresholds.clone(),
            approval_threshold: services.approval_threshold,
            today,
        }
    }

    /// Every read of cost is audited, served from the cache or not: noted here, written with the
    /// request's other reads when it is answered.
    fn audit(&self, view: &str, period: String, tenants: &[TenantRef]) {
        for tenant in tenants {
            self.audit.push(Some(tenant.id()), view, period.clone());
        }
    }
}

/// A tenant's month-to-date cost in one metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MonthToDate(pub TenantRef, pub CostMetric);

/// A tenant's monthly totals over the last `months` months in one metric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MonthlyTrend(pub TenantRef, pub u32, pub CostMetric);

/// A tenant's monthly savings available from rightsizing (USD).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SavingsAvailable(pub TenantRef);

impl Loader<SavingsAvailable> for SummaryLoader {
    type Value = rust_decimal::Decimal;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[SavingsAvailable],
    ) -> Result<HashMap<SavingsAvailable, Self::Value>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let (db, today) = (&self.db, self.today);
        let thresholds = self.thresholds.as_ref();
        let shape = crate::inventory::view::cache_shape(today, thresholds);
        let views = self
            .cache
            .get_or_compute_many(db, &tenants, &shape, |missing| async move {
                Ok(
                    crate::inventory::view::tenant_resources(db, &missing, today, thresholds)
                        .await?,
                )
            })
            .await?;
        self.audit(
            "Tenant.savingsAvailable",
            format!("last 30 days to {today}"),
            &tenants,
        );
        Ok(tenants
            .into_iter()
            .map(|t| {
                let savings = views
                    .get(t.id())
                    .map(|v| super::inventory::savings(v))
                    .unwrap_or_default();
                (SavingsAvailable(t), savings)
            })
            .collect())
    }
}

/// All of a tenant's resource views (inventory and rightsizing share them: one build per request,
/// however many fields ask at the same time).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantViews(pub TenantRef);

impl Loader<TenantViews> for SummaryLoader {
    type Value = std::sync::Arc<Vec<crate::inventory::view::ResourceView>>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[TenantViews],
    ) -> Result<HashMap<TenantViews, Self::Value>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let (db, today) = (&self.db, self.today);
        let thresholds = self.thresholds.as_ref();
        let shape = crate::inventory::view::cache_shape(today, thresholds);
        let mut views = self
            .cache
            .get_or_compute_many(db, &tenants, &shape, |missing| async move {
                Ok(
                    crate::inventory::view::tenant_resources(db, &missing, today, thresholds)
                        .await?,
                )
            })
            .await?;
        Ok(tenants
            .into_iter()
            .map(|t| {
                let value = std::sync::Arc::new(views.remove(t.id()).unwrap_or_default());
                (TenantViews(t), value)
            })
            .collect())
    }
}

/// Groups keys by their parameters, so each distinct set of parameters costs one query.
fn by_params<K, P: Ord>(
    keys: &[K],
    split: impl Fn(&K) -> (P, TenantRef),
) -> BTreeMap<P, Vec<TenantRef>> {
    let mut groups: BTreeMap<P, Vec<TenantRef>> = BTreeMap::new();
    for key in keys {
        let (params, tenant) = split(key);
        groups.entry(params).or_default().push(tenant);
    }
    groups
}

impl Loader<MonthToDate> for SummaryLoader {
    type Value = CostSnapshot;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MonthToDate],
    ) -> Result<HashMap<MonthToDate, CostSnapshot>, Self::Error> {
        let mut out = HashMap::new();
        for (metric, tenants) in by_params(keys, |k| (k.1, k.0.clone())) {
            let (db, today) = (&self.db, self.today);
            let shape = format!("mtd|{today}|{metric:?}");
            let snapshots = self
                .cache
                .get_or_compute_many(db, &tenants, &shape, |missing| async move {
                    report::month_to_date_by_tenant(db, &missing, today, metric).await
                })
                .await?;
            let period = crate::cost::period::Month::containing(today).to_string();
            self.audit("Tenant.monthToDate", period, &tenants);
            for tenant in tenants {
                if let Some(snapshot) = snapshots.get(tenant.id()) {
                    out.insert(MonthToDate(tenant, metric), snapshot.clone());
                }
            }
        }
        Ok(out)
    }
}

impl Loader<MonthlyTrend> for SummaryLoader {
    type Value = Vec<CostSeries>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MonthlyTrend],
    ) -> Result<HashMap<MonthlyTrend, Vec<CostSeries>>, Self::Error> {
        let mut out = HashMap::new();
        for ((months, metric), tenants) in by_params(keys, |k| ((k.1, k.2), k.0.clone())) {
            let (db, today) = (&self.db, self.today);
            let shape = format!("monthly|{today}|{months}|{metric:?}");
            let mut series = self
                .cache
                .get_or_compute_many(db, &tenants, &shape, |missing| async move {
                    report::monthly_trend_by_tenant(db, &missing, months, today, metric).await
                })
                .await?;
            let range = report::trend_range(months, today);
            self.audit(
                "Tenant.monthlyTrend",
                format!("{}..{}", range.start, today),
                &tenants,
            );
            for tenant in tenants {
                let value = series.remove(tenant.id()).unwrap_or_default();
                out.insert(MonthlyTrend(tenant, months, metric), value);
            }
        }
        Ok(out)
    }
}

/// A tenant's open change requests (PENDING or AWAITING_ADMIN).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PendingRequests(pub TenantRef);

impl Loader<PendingRequests> for SummaryLoader {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[PendingRequests],
    ) -> Result<HashMap<PendingRequests, u64>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let counts = crate::workflow::list::open_counts(&self.db, &tenants)
            .await
            .map_err(AppError::from)?;
        Ok(tenants
            .into_iter()
            .map(|t| {
                let n = counts.get(t.id()).copied().unwrap_or(0);
                (PendingRequests(t), n)
            })
            .collect())
    }
}

/// A tenant's workflow settings (approval threshold, budget).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantSettingsOf(pub TenantRef);

impl Loader<TenantSettingsOf> for SummaryLoader {
    type Value = crate::workflow::settings::TenantSettings;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[TenantSettingsOf],
    ) -> Result<HashMap<TenantSettingsOf, Self::Value>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let settings =
            crate::workflow::settings::of_tenants(&self.db, &tenants, self.approval_threshold)
                .await
                .map_err(AppError::from)?;
        Ok(settings
            .into_iter()
            .map(|(t, s)| (TenantSettingsOf(t), s))
            .collect())
    }
}

/// A tenant's outlook: forecast and anomalous days (budgets are judged against it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutlookOf(pub TenantRef);

/// A tenant's outlook with the causes of its anomalies (reads the full daily cells).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExplainedOutlookOf(pub TenantRef);

impl SummaryLoader {
    /// Outlooks of the keys' tenants, cached under `kind`, audited as `view`.
    async fn outlooks<Fut>(
        &self,
        tenants: Vec<TenantRef>,
        kind: &str,
        view: &str,
        compute: impl FnOnce(Vec<TenantRef>) -> Fut,
    ) -> Result<BTreeMap<String, crate::cost::outlook::Outlook>, async_graphql::Error>
    where
        Fut: std::future::Future<
            Output = crate::error::AppResult<BTreeMap<String, crate::cost::outlook::Outlook>>,
        >,
    {
        let today = self.today;
        let outlooks = self
            .cache
            .get_or_compute_many(&self.db, &tenants, &format!("{kind}|{today}"), compute)
            .await?;
        let from = today - chrono::Days::new(crate::cost::outlook::HISTORY_DAYS - 1);
        self.audit(view, format!("{from}..{today}"), &tenants);
        Ok(outlooks)
    }
}

impl Loader<OutlookOf> for SummaryLoader {
    type Value = crate::cost::outlook::Outlook;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OutlookOf],
    ) -> Result<HashMap<OutlookOf, Self::Value>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let (db, today) = (&self.db, self.today);
        let mut outlooks = self
            .outlooks(
                tenants.clone(),
                "outlook",
                "Tenant.outlook",
                |missing| async move { crate::cost::outlook::outlooks(db, &missing, today).await },
            )
            .await?;
        Ok(tenants
            .into_iter()
            .filter_map(|t| Some((OutlookOf(t.clone()), outlooks.remove(t.id())?)))
            .collect())
    }
}

impl Loader<ExplainedOutlookOf> for SummaryLoader {
    type Value = crate::cost::outlook::Outlook;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ExplainedOutlookOf],
    ) -> Result<HashMap<ExplainedOutlookOf, Self::Value>, Self::Error> {
        let tenants: Vec<TenantRef> = keys.iter().map(|k| k.0.clone()).collect();
        let (db, today) = (&self.db, self.today);
        let mut outlooks = self
            .outlooks(
                tenants.clone(),
                "outlook-explained",
                "Tenant.anomalies",
                |missing| async move { crate::cost::outlook::explained(db, &missing, today).await },
            )
            .await?;
        Ok(tenants
            .into_iter()
            .filter_map(|t| Some((ExplainedOutlookOf(t.clone()), outlooks.remove(t.id())?)))
            .collect())
    }
}

/// Forgets every value the request's loaders hold: a mutation calls it after its change, so its own
/// answer and the fields after it read what it changed.
pub fn forget(
    loader: &async_graphql::dataloader::DataLoader<
        SummaryLoader,
        async_graphql::dataloader::HashMapCache,
    >,
) {
    loader.clear::<MonthToDate>();
    loader.clear::<MonthlyTrend>();
    loader.clear::<SavingsAvailable>();
    loader.clear::<TenantViews>();
    loader.clear::<PendingRequests>();
    loader.clear::<TenantSettingsOf>();
    loader.clear::<OutlookOf>();
    loader.clear::<ExplainedOutlookOf>();
}

/// Loads what the selected per-tenant fields of a page of tenants need, for the whole page at once.
///
/// The fields would batch by themselves (each asks its loader, which waits a moment for the other
/// tenants' keys), but only as far as every tenant's field is reached within that moment; on a
/// busy machine a page of 100 tenants splits into several batches, and the statement count with
/// it. Asked here, up front, each loader gets all the page's keys in one call; the fields then
/// find their values in the request's loader cache. Errors are left to the fields to report.
pub async fn prime(
    ctx: &async_graphql::Context<'_>,
    request: &super::RequestContext,
    tenants: &[TenantRef],
) {
    use futures_util::FutureExt;
    let node = ctx.look_ahead().field("edges").field("node");
    let selected = |names: &[&str]| names.iter().any(|n| node.field(n).exists());
    let loader = &request.summary;
    let all = || tenants.iter().cloned();
    let mut work = Vec::new();
    if selected(&["savingsAvailable"]) {
        work.push(
            loader
                .load_many(all().map(SavingsAvailable))
                .map(|_| ())
                .boxed(),
        );
    }
    if selected(&["budgetStatus", "budget", "anomalyCount", "forecast"]) {
        work.push(loader.load_many(all().map(OutlookOf)).map(|_| ()).boxed());
    }
    if selected(&[
        "monthlyBudget",
        "budgetStatus",
        "budget",
        "approvalThreshold",
    ]) {
        work.push(
            loader
                .load_many(all().map(TenantSettingsOf))
                .map(|_| ())
                .boxed(),
        );
    }
    if selected(&["pendingRequestCount"]) {
        work.push(
            loader
                .load_many(all().map(PendingRequests))
                .map(|_| ())
                .boxed(),
        );
    }
    for field in node.field("monthToDate").selection_fields() {
        let metric = argument(&field, "metric").map_or(Some(CostMetric::default()), metric_of);
        if let Some(metric) = metric {
            work.push(
                loader
                    .load_many(all().map(move |t| MonthToDate(t, metric)))
                    .map(|_| ())
                    .boxed(),
            );
        }
    }
    for field in node.field("monthlyTrend").selection_fields() {
        let metric = argument(&field, "metric").map_or(Some(CostMetric::default()), metric_of);
        let months = match argument(&field, "months") {
            None => Some(3),
            Some(async_graphql::Value::Number(n)) => n.as_u64().filter(|m| (1..=24).contains(m)),
            Some(_) => None,
        };
        if let (Some(metric), Some(months)) = (metric, months) {
            work.push(
                loader
                    .load_many(all().map(move |t| MonthlyTrend(t, months as u32, metric)))
                    .map(|_| ())
                    .boxed(),
            );
        }
    }
    futures_util::future::join_all(work).await;
}

/// A field's argument as the request gave it (variables resolved).
fn argument(field: &async_graphql::SelectionField<'_>, name: &str) -> Option<async_graphql::Value> {
    field
        .arguments()
        .ok()?
        .into_iter()
        .find(|(n, _)| n.as_str() == name)
        .map(|(_, v)| v)
}

fn metric_of(value: async_graphql::Value) -> Option<CostMetric> {
    match value {
        async_graphql::Value::Enum(name) => match name.as_str() {
            "BILLED" => Some(CostMetric::Billed),
            "EFFECTIVE" => Some(CostMetric::Effective),
            "LIST" => Some(CostMetric::List),
            _ => None,
        },
        _ => None,
    }
}
