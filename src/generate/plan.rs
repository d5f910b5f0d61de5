//! Everything decided before any row is written: the organisation, each
//! account's resources with their prices and base cost, promotional credits
//! and the one deliberate cost spike. Rows are then a pure function of the
//! plan and the day, so the CSV writer can stream without keeping state.

use std::ops::Range;

use anyhow::{ensure, Context, Result};
use chrono::{Datelike, Duration, Months, NaiveDate};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::catalog::{
    self, IdKind, Service, CORE_SERVICES, REGIONS, SA_EAST_1, SERVICES, US_EAST_1,
};
use super::org::{random_string, Account, Org, Tenant, HEX, LOWER_ALNUM, UPPER_ALNUM};
use super::GenerateOptions;

/// Negotiated (private pricing) discount on every usage line: ListCost > BilledCost.
const PRIVATE_PRICING_FACTOR: (i64, u32) = (96, 2);
/// Share of the on-demand cost still paid when a Savings Plan covers usage.
pub(super) const SAVINGS_PLAN_FACTOR: (i64, u32) = (72, 2);
/// Multiplier on the normal cost of the spiking service.
pub(super) const SPIKE_FACTOR: f64 = 6.0;
/// Consecutive days the spike lasts.
pub(super) const SPIKE_DAYS: i64 = 2;
/// How many days before `end_date` the spike starts.
const SPIKE_LEAD_DAYS: i64 = 10;
/// Average days per month, used to turn a monthly growth rate into a daily one.
const DAYS_PER_MONTH: f64 = 30.4375;
/// Application names used in resource names and the `application` tag.
const COMPONENTS: &[&str] = &[
    "api", "web", "worker", "orders", "events", "users", "reports", "ingest", "search", "billing",
    "auth", "media",
];
/// Possible monthly promotional credit amounts in USD.
const CREDIT_AMOUNTS: &[i64] = &[100, 250, 500, 1000];

/// One billable resource and everything constant about its rows.
#[derive(Debug, Clone)]
pub(super) struct Resource {
    pub account: usize,
    pub service: usize,
    pub region: usize,
    pub id: String,
    pub name: String,
    /// Availability zone or the literal `NULL`.
    pub az: String,
    pub sku_id: String,
    pub sku_price_id: String,
    pub description: String,
    pub list_price: Decimal,
    pub contracted_price: Decimal,
    pub list_price_text: String,
    pub contracted_price_text: String,
    /// `list_price` as f64, to turn a target cost into a usage quantity.
    pub list_price_f64: f64,
    /// Cost in USD of an average weekday at the start of the period.
    pub base_daily: f64,
    /// Continuous daily growth rate (3-5% per month).
    pub growth_per_day: f64,
    /// Seed for the per-day noise, so a day's cost does not depend on write order.
    pub noise_key: u64,
    /// Usage covered by the organisation's Savings Plan.
    pub covered: bool,
    /// Tags JSON object text or the literal `NULL`.
    pub tags: String,
}

/// The single anomaly the demo is meant to surface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Spike {
    pub account: usize,
    pub service: usize,
    pub first_day: NaiveDate,
}

impl Spike {
    pub fn applies(&self, account: usize, service: usize, day: NaiveDate) -> bool {
        account == self.account
            && service == self.service
            && day >= self.first_day
            && day < self.first_day + Duration::days(SPIKE_DAYS)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub org: Org,
    pub resources: Vec<Resource>,
    /// Range into `resources` per account, indexed like `org.file.accounts`.
    pub account_resources: Vec<Range<usize>>,
    /// Monthly promotional credit cap per account, if it has one.
    pub credits: Vec<Option<Decimal>>,
    pub spike: Option<Spike>,
    pub savings_plan_arn: String,
    /// First day with cost (first day of the first month).
    pub first_day: NaiveDate,
    pub end_date: NaiveDate,
}

impl Plan {
    pub fn build(opts: &GenerateOptions) -> Result<Plan> {
        ensure!(opts.months >= 1, "months must be at least 1");
        let end_month = opts
            .end_date
            .with_day(1)
            .context("end_date has no first day of month")?;
        let first_day = end_month
            .checked_sub_months(Months::new(opts.months - 1))
            .context("months reaches before the supported date range")?;

        let mut rng = SmallRng::seed_from_u64(opts.seed);
        let org = Org::build(opts, &mut rng);
        let savings_plan_arn = format!(
            "arn:aws:savingsplans::{}:savingsplan/{}",
            org.payer().id,
            uuid(&mut rng)
        );

        let mut resources = Vec::new();
        let mut account_resources = Vec::with_capacity(org.file.accounts.len());
        for (index, account) in org.file.accounts.iter().enumerate() {
            let tenant = account.tenant.map(|t| &org.tenants[t]);
            let start = resources.len();
            for slot in 0..opts.resources_per_account {
                resources.push(new_resource(&mut rng, index, account, tenant, slot));
            }
            account_resources.push(start..resources.len());
        }

        let credits = org
            .file
            .accounts
            .iter()
            .map(|_| {
                rng.random_bool(0.3).then(|| {
                    Decimal::from(CREDIT_AMOUNTS[rng.random_range(0..CREDIT_AMOUNTS.len())])
                })
            })
            .collect();
        let spike = choose_spike(
            &mut rng,
            &org,
            &resources,
            &account_resources,
            first_day,
            opts.end_date,
        );

        Ok(Plan {
            org,
            resources,
            account_resources,
            credits,
            spike,
            savings_plan_arn,
            first_day,
            end_date: opts.end_date,
        })
    }
}

/// Picks a tenant's prod account and its most expensive service to spike
/// `SPIKE_LEAD_DAYS` before the end. No spike if that day is outside the period.
fn choose_spike(
    rng: &mut SmallRng,
    org: &Org,
    resources: &[Resource],
    account_resources: &[Range<usize>],
    first_day: NaiveDate,
    end_date: NaiveDate,
) -> Option<Spike> {
    if org.tenants.is_empty() {
        return None;
    }
    let tenant = &org.tenants[rng.random_range(0..org.tenants.len())];
    let account = *tenant.accounts.first()?;
    let mut per_service = vec![0.0_f64; SERVICES.len()];
    for r in &resources[account_resources[account].clone()] {
        per_service[r.service] += r.base_daily;
    }
    let service = per_service
        .iter()
        .enumerate()
        .filter(|(_, cost)| **cost > 0.0)
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)?;
    let first = end_date - Duration::days(SPIKE_LEAD_DAYS);
    (first >= first_day).then_some(Spike {
        account,
        service,
        first_day: first,
    })
}

/// Core services first, then a weighted draw so EC2 dominates like in real estates.
fn pick_service(rng: &mut SmallRng, slot: usize) -> usize {
    if let Some(kind) = CORE_SERVICES.get(slot) {
        return catalog::service_index(*kind);
    }
    let total: u32 = SERVICES.iter().map(|s| s.weight).sum();
    let mut ticket = rng.random_range(0..total);
    for (i, s) in SERVICES.iter().enumerate() {
        if ticket < s.weight {
            return i;
        }
        ticket -= s.weight;
    }
    0
}

/// Tenants with index 3, 7, ... run mostly out of Sao Paulo; everyone else mostly in N. Virginia.
fn pick_region(
    rng: &mut SmallRng,
    service: &Service,
    tenant: Option<&Tenant>,
    account: &Account,
) -> usize {
    if service.global {
        return US_EAST_1;
    }
    let latam = account.tenant.is_some_and(|t| t % 4 == 3);
    let p_sa = match (tenant, latam) {
        (Some(_), true) => 0.7,
        (Some(_), false) => 0.15,
        (None, _) => 0.1,
    };
    if rng.random_bool(p_sa) {
        SA_EAST_1
    } else {
        US_EAST_1
    }
}

fn new_resource(
    rng: &mut SmallRng,
    index: usize,
    account: &Account,
    tenant: Option<&Tenant>,
    slot: usize,
) -> Resource {
    let service_index = pick_service(rng, slot);
    let service = &SERVICES[service_index];
    let region_index = pick_region(rng, service, tenant, account);
    let region = &REGIONS[region_index];
    let sku = &service.skus[rng.random_range(0..service.skus.len())];

    let factor = Decimal::new(region.price_factor.0, region.price_factor.1);
    let list_price = (Decimal::new(sku.price.0, sku.price.1) * factor)
        .round_dp(10)
        .normalize();
    let private = Decimal::new(PRIVATE_PRICING_FACTOR.0, PRIVATE_PRICING_FACTOR.1);
    let contracted_price = (list_price * private).round_dp(10).normalize();
    let sku_id = sku_id(&[service.name, sku.label, region.id]);

    let component = COMPONENTS[rng.random_range(0..COMPONENTS.len())];
    let (id, name) = identity(rng, service.kind, account, region.id, component, slot);
    let az = if service.zonal {
        format!("{}{}", region.id, ['a', 'b', 'c'][rng.random_range(0..3)])
    } else {
        "NULL".to_string()
    };

    let (low, high) = service.base_daily;
    let region_premium = if region_index == SA_EAST_1 { 1.3 } else { 1.0 };
    let base_daily = (low + rng.random::<f64>() * (high - low))
        * account.weight
        * tenant.map_or(1.0, |t| t.scale)
        * region_premium;
    let monthly_growth = 0.03 + rng.random::<f64>() * 0.02;
    let covered =
        service.savings_plan && matches!(account.env, "prod" | "shared") && rng.random_bool(0.6);

    Resource {
        account: index,
        service: service_index,
        region: region_index,
        id,
        name,
        az,
        sku_price_id: format!("{sku_id}.JRTCKXETXF.6YS6EN2CT7"),
        sku_id,
        description: format!("${list_price} per {}", sku.per),
        list_price_text: list_price.to_string(),
        contracted_price_text: contracted_price.to_string(),
        list_price_f64: list_price.to_f64().unwrap_or(1.0),
        list_price,
        contracted_price,
        base_daily,
        growth_per_day: (1.0 + monthly_growth).ln() / DAYS_PER_MONTH,
        noise_key: rng.random(),
        covered,
        tags: tags_json(rng, account, tenant, component),
    }
}

/// `ResourceId` and `ResourceName` in the shape AWS uses for each service.
fn identity(
    rng: &mut SmallRng,
    kind: IdKind,
    account: &Account,
    region: &str,
    component: &str,
    slot: usize,
) -> (String, String) {
    let acct = &account.id;
    let name = format!("{}-{component}-{}", account.name, slot + 1);
    let id = match kind {
        IdKind::Ec2Instance => format!("i-0{}", random_string(rng, HEX, 16)),
        IdKind::EbsVolume => format!("vol-0{}", random_string(rng, HEX, 16)),
        IdKind::S3Bucket => {
            let bucket = format!("{name}-{}", random_string(rng, LOWER_ALNUM, 6));
            return (bucket.clone(), bucket);
        }
        IdKind::RdsDb => format!("arn:aws:rds:{region}:{acct}:db:{name}"),
        IdKind::DynamoTable => format!("arn:aws:dynamodb:{region}:{acct}:table/{name}"),
        IdKind::LambdaFunction => format!("arn:aws:lambda:{region}:{acct}:function:{name}"),
        IdKind::EcsService => format!(
            "arn:aws:ecs:{region}:{acct}:service/{}-cluster/{name}",
            account.name
        ),
        IdKind::EksCluster => format!("arn:aws:eks:{region}:{acct}:cluster/{name}"),
        IdKind::CloudFrontDistribution => {
            format!(
                "arn:aws:cloudfront::{acct}:distribution/E{}",
                random_string(rng, UPPER_ALNUM, 13)
            )
        }
        IdKind::LoadBalancer => format!(
            "arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/app/{name}/{}",
            random_string(rng, HEX, 16)
        ),
        IdKind::NatGateway => format!(
            "arn:aws:ec2:{region}:{acct}:natgateway/nat-0{}",
            random_string(rng, HEX, 16)
        ),
        IdKind::LogGroup => format!("arn:aws:logs:{region}:{acct}:log-group:/aws/ecs/{name}"),
        IdKind::KmsKey => format!("arn:aws:kms:{region}:{acct}:key/{}", uuid(rng)),
        IdKind::SqsQueue => format!("arn:aws:sqs:{region}:{acct}:{name}"),
        IdKind::SageMakerEndpoint => format!("arn:aws:sagemaker:{region}:{acct}:endpoint/{name}"),
        IdKind::RedshiftCluster => format!("arn:aws:redshift:{region}:{acct}:cluster:{name}"),
        IdKind::ElastiCacheCluster => format!("arn:aws:elasticache:{region}:{acct}:cluster:{name}"),
        IdKind::Secret => format!(
            "arn:aws:secretsmanager:{region}:{acct}:secret:{name}-{}",
            random_string(
                rng,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                6
            )
        ),
        IdKind::KinesisStream => format!("arn:aws:kinesis:{region}:{acct}:stream/{name}"),
        IdKind::CognitoUserPool => format!(
            "arn:aws:cognito-idp:{region}:{acct}:userpool/{region}_{}",
            random_string(
                rng,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                9
            )
        ),
        IdKind::HostedZone => format!(
            "arn:aws:route53:::hostedzone/Z{}",
            random_string(rng, UPPER_ALNUM, 20)
        ),
        IdKind::SnsTopic => format!("arn:aws:sns:{region}:{acct}:{name}"),
        IdKind::GuardDutyDetector => {
            format!(
                "arn:aws:guardduty:{region}:{acct}:detector/{}",
                random_string(rng, HEX, 32)
            )
        }
        IdKind::GlueJob => format!("arn:aws:glue:{region}:{acct}:job/{name}"),
    };
    (id, name)
}

/// Cost allocation tags as FOCUS JSON text. Most resources are tagged, with a
/// slightly varying key set; a few (more often in unallocated accounts) are not.
fn tags_json(
    rng: &mut SmallRng,
    account: &Account,
    tenant: Option<&Tenant>,
    component: &str,
) -> String {
    let untagged = if tenant.is_some() { 0.08 } else { 0.4 };
    if rng.random_bool(untagged) {
        return "NULL".to_string();
    }
    let mut tags = serde_json::Map::new();
    tags.insert("environment".into(), account.env.into());
    let team = match tenant {
        Some(t) => {
            tags.insert("cost-center".into(), t.cost_center.clone().into());
            Some(t.slug.clone())
        }
        None => rng.random_bool(0.5).then(|| "platform".to_string()),
    };
    if rng.random_bool(0.6) {
        tags.insert("application".into(), component.into());
    }
    if let Some(team) = team {
        if rng.random_bool(0.25) {
            tags.insert("owner".into(), format!("{team}@example.com").into());
        }
        tags.insert("team".into(), team.into());
    }
    if rng.random_bool(0.4) {
        tags.insert("managed-by".into(), "terraform".into());
    }
    serde_json::Value::Object(tags).to_string()
}

/// Random RFC 4122-shaped identifier (lower-case hex).
fn uuid(rng: &mut SmallRng) -> String {
    format!(
        "{}-{}-4{}-{}-{}",
        random_string(rng, HEX, 8),
        random_string(rng, HEX, 4),
        random_string(rng, HEX, 3),
        random_string(rng, HEX, 4),
        random_string(rng, HEX, 12)
    )
}

/// Stable 16-character SKU id derived from its identifying parts, so the
/// same SKU in the same region has the same id in every account.
fn sku_id(parts: &[&str]) -> String {
    let mut state = parts.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, part| {
        part.bytes()
            .chain(std::iter::once(0))
            .fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    });
    (0..16)
        .map(|_| {
            state = splitmix64(state);
            UPPER_ALNUM[(state % UPPER_ALNUM.len() as u64) as usize] as char
        })
        .collect()
}

/// SplitMix64 finaliser: a cheap, well-mixed hash of a 64-bit value.
pub(super) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
