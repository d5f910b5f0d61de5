//! Everything decided before any row is written: the organisation, each
//! account's resources with their prices and base cost, promotional credits
//! and the one deliberate cost spike. Rows are then a pure function of the
//! plan and the day, so the CSV writer can stream without keeping state.
//!
//! EC2 instances, EBS volumes and RDS instances also get what the inventory
//! and utilisation files state about them (type, size, zone, attachments,
//! state, load); their daily cost follows from exactly those facts.

use std::ops::Range;

use anyhow::{ensure, Context, Result};
use chrono::{Datelike, Duration, Months, NaiveDate, NaiveDateTime};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::catalog::{
    self, has_inventory, IdKind, PriceList, Service, CORE_SERVICES, EC2_TYPES, RDS_CLASSES,
    REGIONS, SA_EAST_1, SERVICES, US_EAST_1, VOLUME_TYPES,
};
use super::org::{random_string, Account, Org, Tenant, HEX, LOWER_ALNUM, UPPER_ALNUM};
use super::GenerateOptions;

/// Negotiated (private pricing) discount on every usage-based line: ListCost > BilledCost.
/// Lines of inventoried resources are billed at the public list price.
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

/// Hours an instance runs on a full day.
const HOURS_PER_DAY: i64 = 24;
/// EBS storage is billed per GB-month; a day is 1/30 of a month here.
const DAYS_PER_GB_MONTH: i64 = 30;
/// Time of day (UTC) at which stopped instances were stopped.
const STOP_HOUR: u32 = 10;
/// Stopped instances stopped at least this many days before `end_date` (so
/// they have been stopped for more than a week at its start)…
const STOP_MIN_DAYS_BEFORE_END: i64 = 8;
/// …and at most this many.
const STOP_MAX_DAYS_BEFORE_END: i64 = 40;
/// Chance that an account's second or later instance is stopped.
const STOPPED_SHARE: f64 = 0.15;
/// Chance that an extra EBS volume is attached to one of the account's instances.
const ATTACHED_SHARE: f64 = 0.6;
/// An instance gets at most this many EBS volumes (`/dev/xvda`, `/dev/sdf` … `/dev/sdo`).
const MAX_VOLUMES_PER_INSTANCE: usize = 11;
/// Root volume sizes in GiB.
const ROOT_SIZES: &[i64] = &[8, 20, 30, 50, 100];
/// Data (and unattached) volume sizes in GiB.
const DATA_SIZES: &[i64] = &[100, 200, 250, 500, 750, 1000, 1500, 2000];
/// RDS allocated storage in GiB.
const RDS_STORAGE: &[i64] = &[20, 50, 100, 200, 500];
/// The first running instances of every tenant get these loads (rotated by
/// tenant), so rightsizing has every kind of finding for every tenant.
const GUARANTEED_PROFILES: [Profile; 4] = [
    Profile::OverProvisioned,
    Profile::Idle,
    Profile::UnderProvisioned,
    Profile::Optimized,
];

/// How hard a running instance works, chosen so the rightsizing rules
/// (idle under 5% CPU p95, over-provisioned under 40% CPU and 50% memory,
/// under-provisioned over 90% CPU) reach this finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Profile {
    Idle,
    OverProvisioned,
    UnderProvisioned,
    Optimized,
}

/// Utilisation over the 14 days ending at `end_date`, in percent with two
/// decimals, as `(p95, max)` with `p95 <= max <= 100`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Load {
    pub profile: Profile,
    pub cpu: (Decimal, Decimal),
    /// Written for EC2 instances only (CloudWatch agent); RDS reports CPU.
    pub memory: (Decimal, Decimal),
}

/// Usage and cost of one day of an inventoried resource (cost = list = billed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fixed {
    pub quantity: Decimal,
    pub cost: Decimal,
}

#[derive(Debug, Clone)]
pub(super) struct Instance {
    pub instance_type: &'static str,
    pub launched: NaiveDateTime,
    /// When it was stopped; `None` while running.
    pub stopped: Option<NaiveDateTime>,
    /// Indices into [`Plan::resources`] of its EBS volumes, root volume first.
    pub volumes: Vec<usize>,
    /// `None` for stopped instances (no utilisation is reported for them).
    pub load: Option<Load>,
}

#[derive(Debug, Clone)]
pub(super) struct Attachment {
    /// Index into [`Plan::resources`] of the instance.
    pub instance: usize,
    pub device: String,
    pub at: NaiveDateTime,
    pub delete_on_termination: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Volume {
    pub volume_type: &'static str,
    pub size_gib: i64,
    pub iops: i64,
    pub created: NaiveDateTime,
    /// `None` for an unattached (`available`) volume.
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Clone)]
pub(super) struct Database {
    pub class: &'static str,
    /// `DBInstanceIdentifier` (the last part of the ARN used as `ResourceId`).
    pub identifier: String,
    pub storage_gib: i64,
    pub created: NaiveDateTime,
    pub load: Load,
}

/// What the inventory states about a resource, if it is inventoried.
#[derive(Debug, Clone)]
pub(super) enum Detail {
    /// Usage-based: not in the inventory.
    Metered,
    Instance(Instance),
    Volume(Volume),
    Database(Database),
}

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
    /// Inventoried resources: the same usage and cost every full day.
    pub fixed: Option<Fixed>,
    /// Stopped instances: the last day with a row and that day's partial usage.
    pub stop: Option<(NaiveDate, Fixed)>,
    pub detail: Detail,
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
    /// One usage line per hour instead of per day.
    pub hourly: bool,
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
        let prices = PriceList::load().context("reading the built-in price lists")?;

        let mut rng = SmallRng::seed_from_u64(opts.seed);
        let org = Org::build(opts, &mut rng);
        let savings_plan_arn = format!(
            "arn:aws:savingsplans::{}:savingsplan/{}",
            org.payer().id,
            uuid(&mut rng)
        );

        let mut resources = Vec::new();
        let mut account_resources = Vec::with_capacity(org.file.accounts.len());
        let mut running_per_tenant = vec![0usize; org.tenants.len()];
        for (index, account) in org.file.accounts.iter().enumerate() {
            let tenant = account.tenant.map(|t| (t, &org.tenants[t]));
            let start = resources.len();
            let mut builder = AccountBuilder {
                rng: &mut rng,
                prices: &prices,
                first_day,
                end_date: opts.end_date,
                index,
                account,
                tenant: tenant.map(|(_, t)| t),
                guaranteed: tenant.map(|(i, _)| (i, &mut running_per_tenant[i])),
                resources: &mut resources,
                start,
                instances: Vec::new(),
            };
            builder.fill(opts.resources_per_account);
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
            hourly: opts.hourly,
        })
    }
}

/// Picks a tenant's prod account and its most expensive usage-based service
/// to spike `SPIKE_LEAD_DAYS` before the end. No spike if that day is outside
/// the period. Inventoried services are never picked: an instance cannot run
/// more than 24 hours a day, nor a volume grow six-fold and shrink back.
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
        if !has_inventory(SERVICES[r.service].kind) {
            per_service[r.service] += r.base_daily;
        }
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
fn pick_service(rng: &mut SmallRng, draw: usize) -> usize {
    if let Some(kind) = CORE_SERVICES.get(draw) {
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

fn pick<T: Copy>(rng: &mut SmallRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// A random availability zone of the region.
fn zone(rng: &mut SmallRng, region: &str) -> String {
    format!("{region}{}", pick(rng, &['a', 'b', 'c']))
}

/// A daytime moment between `min_days` and `max_days` (exclusive) before `day`.
fn days_before(rng: &mut SmallRng, day: NaiveDate, min_days: i64, max_days: i64) -> NaiveDateTime {
    let date = day - Duration::days(rng.random_range(min_days..max_days));
    date.and_hms_opt(
        rng.random_range(8..19),
        rng.random_range(0..60),
        rng.random_range(0..60),
    )
    .expect("generated time components are in range")
}

/// Percent with two decimals from hundredths, capped at 100.
fn percent(hundredths: i64) -> Decimal {
    Decimal::new(hundredths.min(10_000), 2)
}

/// Utilisation for a profile, inside the profile's band with a margin from
/// the rightsizing thresholds. Over-provisioned loads stay low enough (CPU
/// p95 at most 30%, memory at most 32%) that the next size down of any
/// family holds them under its 70% headroom target.
fn load(rng: &mut SmallRng, profile: Profile) -> Load {
    let (cpu_p95, cpu_peak, mem_p95) = match profile {
        Profile::Idle => (20..=350, 100..=900, 500..=3000),
        Profile::OverProvisioned => (800..=3000, 500..=2500, 1000..=3200),
        Profile::Optimized => (4500..=8000, 500..=2000, 3500..=8000),
        Profile::UnderProvisioned => (9100..=9850, 100..=900, 4000..=8500),
    };
    let cpu = rng.random_range(cpu_p95);
    let cpu_max = cpu + rng.random_range(cpu_peak);
    let mem = rng.random_range(mem_p95);
    let mem_max = mem + rng.random_range(200..=1500);
    Load {
        profile,
        cpu: (percent(cpu), percent(cpu_max)),
        memory: (percent(mem), percent(mem_max)),
    }
}

/// A profile drawn by how often each shows up in a real estate.
fn random_profile(rng: &mut SmallRng) -> Profile {
    match rng.random_range(0..100) {
        0..45 => Profile::Optimized,
        45..75 => Profile::OverProvisioned,
        75..88 => Profile::Idle,
        _ => Profile::UnderProvisioned,
    }
}

/// What a resource's identity, placement and tags have in common across services.
struct Common {
    id: String,
    name: String,
    tags: String,
}

/// Fills one account with resources, keeping inventory facts consistent
/// (root volumes follow their instance, attached volumes share its zone).
struct AccountBuilder<'a> {
    rng: &'a mut SmallRng,
    prices: &'a PriceList,
    first_day: NaiveDate,
    end_date: NaiveDate,
    index: usize,
    account: &'a Account,
    tenant: Option<&'a Tenant>,
    /// Tenant index and how many running instances it has so far.
    guaranteed: Option<(usize, &'a mut usize)>,
    resources: &'a mut Vec<Resource>,
    /// Index of the account's first resource.
    start: usize,
    /// Indices of the account's instances so far.
    instances: Vec<usize>,
}

impl AccountBuilder<'_> {
    /// Adds exactly `count` resources. Every instance gets a root volume
    /// (counted among them) unless it is the account's only resource.
    fn fill(&mut self, count: usize) {
        let mut draw = 0;
        while self.resources.len() - self.start < count {
            let left = count - (self.resources.len() - self.start);
            let service = pick_service(self.rng, draw);
            draw += 1;
            match SERVICES[service].kind {
                IdKind::Ec2Instance if left == 1 && !self.instances.is_empty() => {}
                IdKind::Ec2Instance => self.instance(service, left >= 2),
                IdKind::EbsVolume => self.extra_volume(service),
                IdKind::RdsDb => self.database(service),
                _ => self.metered(service),
            }
        }
    }

    fn slot(&self) -> usize {
        self.resources.len() - self.start
    }

    fn common(&mut self, service: usize, region: usize) -> Common {
        let component = pick(self.rng, COMPONENTS);
        let slot = self.slot();
        let (id, name) = identity(
            self.rng,
            SERVICES[service].kind,
            self.account,
            REGIONS[region].id,
            component,
            slot,
        );
        let tags = tags_json(self.rng, self.account, self.tenant, component);
        Common { id, name, tags }
    }

    /// The load of the next running instance: the tenant's first four cover
    /// every finding, later ones (and unallocated accounts) are drawn.
    fn next_instance_profile(&mut self) -> Profile {
        match &mut self.guaranteed {
            Some((tenant, seen)) if **seen < GUARANTEED_PROFILES.len() => {
                let profile = GUARANTEED_PROFILES[(**seen + *tenant) % GUARANTEED_PROFILES.len()];
                **seen += 1;
                profile
            }
            _ => random_profile(self.rng),
        }
    }

    /// When a stopped instance was stopped: a day in the period, more than a
    /// week before `end_date`. `None` if the period is too short for one.
    fn stop_time(&mut self) -> Option<NaiveDateTime> {
        let latest = self.end_date - Duration::days(STOP_MIN_DAYS_BEFORE_END);
        let earliest = (self.end_date - Duration::days(STOP_MAX_DAYS_BEFORE_END))
            .max(self.first_day + Duration::days(1));
        if earliest > latest {
            return None;
        }
        let span = (latest - earliest).num_days();
        let day = earliest + Duration::days(self.rng.random_range(0..=span));
        day.and_hms_opt(STOP_HOUR, 0, 0)
    }

    /// Instance types (or RDS classes) for which the rightsizing rules can
    /// reach the profile's finding: a smaller size to move to when
    /// over-provisioned (with fewer vCPUs for RDS, whose memory is not
    /// reported), a bigger one when under-provisioned.
    fn types_for(
        &self,
        pool: &[&'static str],
        region: &str,
        profile: Option<Profile>,
        rds: bool,
    ) -> Vec<&'static str> {
        pool.iter()
            .copied()
            .filter(|t| match profile {
                Some(Profile::OverProvisioned) => self.prices.has_smaller(t, region, rds),
                Some(Profile::UnderProvisioned) => self.prices.has_bigger(t, region),
                _ => true,
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        service: usize,
        region: usize,
        az: String,
        common: Common,
        sku_label: &str,
        description: String,
        unit_price: Decimal,
        fixed: Fixed,
        stop: Option<(NaiveDate, Fixed)>,
        covered: bool,
        detail: Detail,
    ) -> usize {
        let sku_id = sku_id(&[SERVICES[service].name, sku_label, REGIONS[region].id]);
        let price_text = unit_price.to_string();
        self.resources.push(Resource {
            account: self.index,
            service,
            region,
            id: common.id,
            name: common.name,
            az,
            sku_price_id: format!("{sku_id}.JRTCKXETXF.6YS6EN2CT7"),
            sku_id,
            description,
            list_price: unit_price,
            contracted_price: unit_price,
            list_price_text: price_text.clone(),
            contracted_price_text: price_text,
            list_price_f64: unit_price.to_f64().unwrap_or(1.0),
            base_daily: fixed.cost.to_f64().unwrap_or(0.0),
            growth_per_day: 0.0,
            noise_key: self.rng.random(),
            covered,
            tags: common.tags,
            fixed: Some(fixed),
            stop,
            detail,
        });
        self.resources.len() - 1
    }

    /// An EC2 instance billed per hour at its type's list price, with its
    /// root volume when `with_root`. Only the account's first instance is
    /// never stopped, so every account keeps one running.
    fn instance(&mut self, service: usize, with_root: bool) {
        let spec = &SERVICES[service];
        let region = pick_region(self.rng, spec, self.tenant, self.account);
        let region_id = REGIONS[region].id;
        let common = self.common(service, region);
        let az = zone(self.rng, region_id);
        let launched = days_before(self.rng, self.first_day, 15, 900);
        let stopped = if !self.instances.is_empty() && self.rng.random_bool(STOPPED_SHARE) {
            self.stop_time()
        } else {
            None
        };
        let profile = stopped.is_none().then(|| self.next_instance_profile());
        let instance_type = pick(
            self.rng,
            &self.types_for(EC2_TYPES, region_id, profile, false),
        );
        let hourly = self
            .prices
            .instance(instance_type, region_id)
            .expect("PriceList::load checked every EC2 type")
            .hourly;
        let load = profile.map(|p| load(self.rng, p));
        let covered = spec.savings_plan
            && matches!(self.account.env, "prod" | "shared")
            && self.rng.random_bool(0.6);
        let hours = |h: i64| Fixed {
            quantity: Decimal::from(h),
            cost: hourly * Decimal::from(h),
        };
        let stop = stopped.map(|t| (t.date(), hours(i64::from(STOP_HOUR))));
        let tags = common.tags.clone();
        let name = common.name.clone();
        let at = self.push(
            service,
            region,
            az.clone(),
            common,
            instance_type,
            format!("${hourly} per On Demand Linux {instance_type} Instance Hour"),
            hourly,
            hours(HOURS_PER_DAY),
            stop,
            covered,
            Detail::Instance(Instance {
                instance_type,
                launched,
                stopped,
                volumes: Vec::new(),
                load,
            }),
        );
        self.instances.push(at);
        if with_root {
            let size = pick(self.rng, ROOT_SIZES);
            let root = Common {
                id: format!("vol-0{}", random_string(self.rng, HEX, 16)),
                name: format!("{name}-root"),
                tags,
            };
            self.volume(
                catalog::service_index(IdKind::EbsVolume),
                region,
                az,
                root,
                size,
                launched,
                Some((at, true)),
            );
        }
    }

    /// An EBS volume beyond root volumes: attached to one of the account's
    /// instances (as a data volume in its zone) or left unattached.
    fn extra_volume(&mut self, service: usize) {
        let target = if !self.instances.is_empty() && self.rng.random_bool(ATTACHED_SHARE) {
            Some(pick(self.rng, &self.instances))
        } else {
            None
        };
        let target = target.filter(|&i| match &self.resources[i].detail {
            Detail::Instance(inst) => inst.volumes.len() < MAX_VOLUMES_PER_INSTANCE,
            _ => false,
        });
        let size = pick(self.rng, DATA_SIZES);
        match target {
            Some(instance) => {
                let owner = &self.resources[instance];
                let (region, az) = (owner.region, owner.az.clone());
                let tags = owner.tags.clone();
                let Detail::Instance(inst) = &owner.detail else {
                    unreachable!("instances holds instance indices")
                };
                let name = format!("{}-data-{}", owner.name, inst.volumes.len());
                let launched = inst.launched;
                let span = (self.first_day - launched.date()).num_days().max(1);
                let created = launched + Duration::days(self.rng.random_range(0..span));
                let data = Common {
                    id: format!("vol-0{}", random_string(self.rng, HEX, 16)),
                    name,
                    tags,
                };
                self.volume(
                    service,
                    region,
                    az,
                    data,
                    size,
                    created,
                    Some((instance, false)),
                );
            }
            None => {
                let region = pick_region(self.rng, &SERVICES[service], self.tenant, self.account);
                let common = self.common(service, region);
                let az = zone(self.rng, REGIONS[region].id);
                let created = days_before(self.rng, self.first_day, 20, 600);
                self.volume(service, region, az, common, size, created, None);
            }
        }
    }

    /// An EBS volume billed per GB-month at its type's list price, 1/30 of a
    /// month per day. `attach` is the instance and whether it is the root volume.
    #[allow(clippy::too_many_arguments)]
    fn volume(
        &mut self,
        service: usize,
        region: usize,
        az: String,
        common: Common,
        size_gib: i64,
        created: NaiveDateTime,
        attach: Option<(usize, bool)>,
    ) {
        let region_id = REGIONS[region].id;
        let volume_type = pick(self.rng, VOLUME_TYPES);
        let gb_month = self
            .prices
            .ebs_gb_month(volume_type, region_id)
            .expect("PriceList::load checked every volume type");
        let iops = match volume_type {
            "gp2" => (3 * size_gib).clamp(100, 16_000),
            _ => 3_000,
        };
        let days = Decimal::from(DAYS_PER_GB_MONTH);
        let fixed = Fixed {
            quantity: (Decimal::from(size_gib) / days).round_dp(10),
            cost: (Decimal::from(size_gib) * gb_month / days).round_dp(10),
        };
        let attachment = attach.map(|(instance, root)| {
            let device = match &self.resources[instance].detail {
                Detail::Instance(inst) if root || inst.volumes.is_empty() => {
                    "/dev/xvda".to_string()
                }
                Detail::Instance(inst) => {
                    let letter = (b'f' + (inst.volumes.len() - 1) as u8) as char;
                    format!("/dev/sd{letter}")
                }
                _ => unreachable!("volumes attach to instances"),
            };
            Attachment {
                instance,
                device,
                at: created,
                delete_on_termination: root,
            }
        });
        let at = self.push(
            service,
            region,
            az,
            common,
            volume_type,
            format!(
                "${gb_month} per GB-month of General Purpose SSD ({volume_type}) provisioned storage"
            ),
            gb_month,
            fixed,
            None,
            false,
            Detail::Volume(Volume {
                volume_type,
                size_gib,
                iops,
                created,
                attachment,
            }),
        );
        if let Some((instance, _)) = attach {
            if let Detail::Instance(inst) = &mut self.resources[instance].detail {
                inst.volumes.push(at);
            }
        }
    }

    /// A Single-AZ RDS for PostgreSQL instance billed per hour at its class's list price.
    fn database(&mut self, service: usize) {
        let spec = &SERVICES[service];
        let region = pick_region(self.rng, spec, self.tenant, self.account);
        let region_id = REGIONS[region].id;
        let common = self.common(service, region);
        let az = zone(self.rng, region_id);
        let profile = random_profile(self.rng);
        let class = pick(
            self.rng,
            &self.types_for(RDS_CLASSES, region_id, Some(profile), true),
        );
        let hourly = self
            .prices
            .instance(class, region_id)
            .expect("PriceList::load checked every RDS class")
            .hourly;
        let load = load(self.rng, profile);
        let storage_gib = pick(self.rng, RDS_STORAGE);
        let created = days_before(self.rng, self.first_day, 30, 900);
        let identifier = common.name.clone();
        self.push(
            service,
            region,
            az,
            common,
            class,
            format!("${hourly} per RDS {class} Single-AZ instance hour (or partial hour) running PostgreSQL"),
            hourly,
            Fixed {
                quantity: Decimal::from(HOURS_PER_DAY),
                cost: hourly * Decimal::from(HOURS_PER_DAY),
            },
            None,
            false,
            Detail::Database(Database {
                class,
                identifier,
                storage_gib,
                created,
                load,
            }),
        );
    }

    /// A usage-based resource priced from one of its service's SKUs, with
    /// growth, noise and weekend dips applied per day by the writer.
    fn metered(&mut self, service_index: usize) {
        let service = &SERVICES[service_index];
        let region_index = pick_region(self.rng, service, self.tenant, self.account);
        let region = &REGIONS[region_index];
        let sku = &service.skus[self.rng.random_range(0..service.skus.len())];

        let factor = Decimal::new(region.price_factor.0, region.price_factor.1);
        let list_price = (Decimal::new(sku.price.0, sku.price.1) * factor)
            .round_dp(10)
            .normalize();
        let private = Decimal::new(PRIVATE_PRICING_FACTOR.0, PRIVATE_PRICING_FACTOR.1);
        let contracted_price = (list_price * private).round_dp(10).normalize();
        let sku_id = sku_id(&[service.name, sku.label, region.id]);

        let common = self.common(service_index, region_index);
        let az = if service.zonal {
            zone(self.rng, region.id)
        } else {
            "NULL".to_string()
        };

        let (low, high) = service.base_daily;
        let region_premium = if region_index == SA_EAST_1 { 1.3 } else { 1.0 };
        let base_daily = (low + self.rng.random::<f64>() * (high - low))
            * self.account.weight
            * self.tenant.map_or(1.0, |t| t.scale)
            * region_premium;
        let monthly_growth = 0.03 + self.rng.random::<f64>() * 0.02;
        let covered = service.savings_plan
            && matches!(self.account.env, "prod" | "shared")
            && self.rng.random_bool(0.6);

        self.resources.push(Resource {
            account: self.index,
            service: service_index,
            region: region_index,
            id: common.id,
            name: common.name,
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
            noise_key: self.rng.random(),
            covered,
            tags: common.tags,
            fixed: None,
            stop: None,
            detail: Detail::Metered,
        });
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
