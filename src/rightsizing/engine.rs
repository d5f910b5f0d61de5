//! Rightsizing rules: from one resource's shape, state, utilisation and cost to a finding,
//! a recommended type and the money it moves. Pure functions; no database, no clock.
//!
//! The rules follow the way AWS Compute Optimizer explains its findings, applied to the tenant's
//! own data:
//!
//! * **Idle** — a running EC2 or RDS instance whose CPU p95 is under `idle_cpu_p95` (5%): stop or
//!   terminate it; the whole monthly cost is saved. An EC2 instance stopped for more than
//!   `stopped_days` (7) still pays for its EBS volumes: those are saved. An unattached
//!   (`available`) EBS volume: its whole monthly cost is saved.
//! * **Over-provisioned** — CPU p95 under `over_cpu_p95` (40%) and memory p95 under
//!   `over_mem_p95` (50%): the smallest size of the same family, in the same region, whose
//!   projected CPU p95 (`p95 × current vCPU ÷ candidate vCPU`) stays at or under
//!   `headroom_target` (70%) and whose memory holds the memory in use with the same headroom
//!   (`memory × mem p95 ÷ headroom`). When memory utilisation is unknown only CPU decides,
//!   candidates must have fewer vCPUs than the current type (and, of sizes with equal vCPUs, the
//!   one with the most memory), and the performance risk is one step higher. No smaller size
//!   fits → **Optimized**.
//! * **Under-provisioned** — CPU p95 over `under_cpu_p95` (90%): the next size up (negative
//!   savings).
//! * **Optimized** — anything else with utilisation data; nothing to save.
//!
//! The current monthly cost is the resource's own cost from the bill when given, else its
//! hourly price × 730 (the tenant's observed unit price first, the catalog's otherwise). Money
//! in a [`Recommendation`] is rounded to the cent.
use chrono::{DateTime, Duration, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::catalog::{hours_per_month, Catalog, InstanceSpec, PriceBook, PriceSource};

/// What the rules concluded about a resource.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, async_graphql::Enum,
)]
pub enum Finding {
    /// Bigger than its load needs: a smaller size would do.
    OverProvisioned,
    /// Running hot: the next size up is recommended.
    UnderProvisioned,
    /// The size fits the load.
    Optimized,
    /// Paid for but doing nothing: stop, terminate or delete it.
    Idle,
}

/// What kind of resource is being judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, async_graphql::Enum)]
#[graphql(name = "RightsizingResourceKind")]
pub enum Kind {
    Ec2Instance,
    EbsVolume,
    RdsInstance,
}

/// Where the rules draw their lines, in percent (and days).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    /// CPU p95 under this (and memory under `over_mem_p95`) → over-provisioned. Default 40.
    pub over_cpu_p95: Decimal,
    /// Memory p95 under this (with CPU under `over_cpu_p95`) → over-provisioned. Default 50.
    pub over_mem_p95: Decimal,
    /// CPU p95 over this → under-provisioned. Default 90.
    pub under_cpu_p95: Decimal,
    /// CPU p95 under this on a running instance → idle. Default 5.
    pub idle_cpu_p95: Decimal,
    /// Projected CPU (and memory) p95 after a resize must stay at or under this. Default 70.
    pub headroom_target: Decimal,
    /// An EC2 instance stopped for longer than this many days is idle. Default 7.
    pub stopped_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            over_cpu_p95: Decimal::from(40),
            over_mem_p95: Decimal::from(50),
            under_cpu_p95: Decimal::from(90),
            idle_cpu_p95: Decimal::from(5),
            headroom_target: Decimal::from(70),
            stopped_days: 7,
        }
    }
}

/// One resource as the inventory and the bill know it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceInput<'a> {
    pub kind: Kind,
    /// Instance type (`m5.xlarge`, `db.r6g.large`) or EBS volume type (`gp2`, `io1`).
    pub resource_type: &'a str,
    pub region: &'a str,
    /// As AWS reports it: `running`/`stopped` (EC2), `available`/`stopped` (RDS),
    /// `available`/`in-use` (EBS).
    pub state: &'a str,
    /// EBS: the volume's size. EC2: the total size of its attached EBS volumes (used in the
    /// reason of a stopped instance).
    pub size_gib: Option<i64>,
    /// Provisioned IOPS (io1/io2 volumes).
    pub iops: Option<i64>,
    /// EBS: attached to an instance.
    pub attached: bool,
    /// EC2: when it was stopped.
    pub stopped_since: Option<DateTime<Utc>>,
    /// Percent, over the observation window.
    pub cpu_p95: Option<Decimal>,
    /// Percent, over the observation window.
    pub cpu_max: Option<Decimal>,
    /// Percent, over the observation window (needs the CloudWatch agent on EC2).
    pub mem_p95: Option<Decimal>,
    /// Its own cost over the last 30 days, from the bill.
    pub monthly_cost_observed: Option<Decimal>,
    /// EC2: what its attached EBS volumes cost per month.
    pub attached_volumes_monthly: Option<Decimal>,
}

/// What to do about one resource, and what it is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Recommendation {
    pub finding: Finding,
    pub current_type: String,
    /// The type to move to; `None` when the advice is to stop/delete it or to leave it as is.
    pub recommended_type: Option<String>,
    /// USD per month now.
    pub current_monthly: Decimal,
    /// USD per month after following the advice.
    pub projected_monthly: Decimal,
    /// `current − projected`; negative when the advice costs more (under-provisioned).
    pub savings_monthly: Decimal,
    /// `savings ÷ current × 100`, two decimals.
    pub savings_percent: Decimal,
    /// 0 (none) to 4 (very high): how likely the advice is to hurt the workload.
    pub performance_risk: u8,
    /// The finding in words.
    pub reason: String,
    /// Where the current cost came from.
    pub price_source: PriceSource,
}

/// Judges one resource. `None` when nothing can be said: no utilisation data and not an idle
/// case, an unknown type or price, or a state the rules do not cover (terminated, in-use volume…).
pub fn recommend(
    input: &ResourceInput,
    prices: &PriceBook,
    now: DateTime<Utc>,
    t: &Thresholds,
) -> Option<Recommendation> {
    match input.kind {
        Kind::EbsVolume => recommend_volume(input, prices.catalog),
        Kind::Ec2Instance | Kind::RdsInstance => {
            let state = input.state.trim().to_ascii_lowercase();
            if input.kind == Kind::Ec2Instance && state == "stopped" {
                return recommend_stopped(input, now, t);
            }
            let running = match input.kind {
                Kind::Ec2Instance => state == "running",
                _ => matches!(state.as_str(), "available" | "running" | "backing-up"),
            };
            if running {
                recommend_running(input, prices, t)
            } else {
                None
            }
        }
    }
}

/// Sum of the positive savings (resizes up are costs, not negative savings, in a total).
pub fn total_savings(recs: &[Recommendation]) -> Decimal {
    recs.iter()
        .map(|r| r.savings_monthly)
        .filter(|s| s.is_sign_positive() && !s.is_zero())
        .sum()
}

/// Monthly list price of an EBS volume: `size × GB-month` plus, for types that bill
/// provisioned IOPS (io1, io2), `iops × IOPS-month`. Returns `(storage, iops)`.
pub fn volume_monthly(
    catalog: &Catalog,
    volume_type: &str,
    region: &str,
    size_gib: i64,
    iops: Option<i64>,
) -> Option<(Decimal, Decimal)> {
    let storage = catalog.ebs_gb_month(volume_type, region)? * Decimal::from(size_gib.max(0));
    let iops_cost = match (catalog.ebs_iops_month(volume_type, region), iops) {
        (Some(price), Some(n)) if n > 0 => price * Decimal::from(n),
        _ => Decimal::ZERO,
    };
    Some((storage, iops_cost))
}

fn recommend_volume(input: &ResourceInput, catalog: &Catalog) -> Option<Recommendation> {
    let state = input.state.trim().to_ascii_lowercase();
    let unattached = state == "available" || (state.is_empty() && !input.attached);
    if !unattached {
        return None;
    }
    let volume_type = input.resource_type.trim().to_ascii_lowercase();
    let listed = input
        .size_gib
        .and_then(|size| volume_monthly(catalog, &volume_type, input.region, size, input.iops));
    let (current, source) = match (input.monthly_cost_observed, listed) {
        (Some(observed), _) => (cents(observed), PriceSource::Observed),
        (None, Some((storage, iops))) => (cents(storage + iops), PriceSource::Catalog),
        (None, None) => return None,
    };
    let mut what = format!("unattached {volume_type} volume");
    if let Some(size) = input.size_gib {
        what.push_str(&format!(", {size} GiB"));
    }
    if let Some(iops) = input.iops.filter(|&n| n > 0) {
        if catalog.ebs_iops_month(&volume_type, input.region).is_some() {
            what.push_str(&format!(" and {} provisioned IOPS", group_thousands(iops)));
        }
    }
    let breakdown = match listed {
        Some((storage, iops)) if !iops.is_zero() && source == PriceSource::Catalog => format!(
            " ({} storage + {} IOPS)",
            money(cents(storage)),
            money(cents(iops))
        ),
        _ => String::new(),
    };
    let reason = format!(
        "{what} (state available): nothing can read or write it while it is detached; \
         snapshot it if the data matters, then delete it to save {}/month{breakdown} (100.00%)",
        money(current)
    );
    Some(idle(input.resource_type, current, reason, source))
}

/// Stop or delete it: the whole current cost is the saving, at no risk.
fn idle(
    resource_type: &str,
    current: Decimal,
    reason: String,
    source: PriceSource,
) -> Recommendation {
    build(
        Finding::Idle,
        resource_type,
        None,
        current,
        Decimal::ZERO,
        0,
        reason,
        source,
    )
}

fn recommend_stopped(
    input: &ResourceInput,
    now: DateTime<Utc>,
    t: &Thresholds,
) -> Option<Recommendation> {
    let since = input.stopped_since?;
    let stopped_for = now - since;
    if stopped_for <= Duration::days(t.stopped_days) {
        return None;
    }
    let volumes = input
        .attached_volumes_monthly
        .filter(|v| v.is_sign_positive() && !v.is_zero())?;
    let current = cents(volumes);
    let storage = match input.size_gib {
        Some(size) => format!("{size} GiB of EBS"),
        None => "its EBS volumes".to_string(),
    };
    let reason = format!(
        "stopped since {} ({} days) but still paying for {storage} ({}/month): snapshot what \
         is worth keeping, then terminate it and delete the volumes to save {}/month (100.00%)",
        since.format("%Y-%m-%d"),
        stopped_for.num_days(),
        money(current),
        money(current)
    );
    Some(idle(
        input.resource_type,
        current,
        reason,
        PriceSource::Observed,
    ))
}

fn recommend_running(
    input: &ResourceInput,
    prices: &PriceBook,
    t: &Thresholds,
) -> Option<Recommendation> {
    let cpu = input.cpu_p95?;
    let listed = prices.hourly(input.resource_type, input.region);
    let (current_raw, source) = match (input.monthly_cost_observed, listed) {
        (Some(observed), _) => (observed, PriceSource::Observed),
        (None, Some((hourly, src))) => (hourly * hours_per_month(), src),
        (None, None) => return None,
    };
    let current = cents(current_raw);
    let usage = describe_usage(cpu, input.cpu_max, input.mem_p95);

    if cpu < t.idle_cpu_p95 {
        let action = match input.kind {
            Kind::RdsInstance => "stop it, or delete it after a final snapshot,",
            _ => "stop or terminate it",
        };
        let reason = format!(
            "{usage}: CPU p95 is under {}%, so it is idle; {action} to save {}/month (100.00%)",
            pct(t.idle_cpu_p95),
            money(current)
        );
        return Some(idle(input.resource_type, current, reason, source));
    }

    let spec = prices.catalog.instance(input.resource_type, input.region)?;
    let sizes = prices.catalog.family_sizes(&spec.family, input.region);
    let at = sizes
        .iter()
        .position(|s| s.instance_type == spec.instance_type)?;

    if cpu > t.under_cpu_p95 {
        let risk = if input.cpu_max.is_some_and(|m| m >= Decimal::from(99)) {
            4
        } else {
            3
        };
        let bigger = sizes[at + 1..].iter().find_map(|s| {
            prices
                .hourly(&s.instance_type, input.region)
                .map(|(h, _)| (*s, cents(h * hours_per_month())))
        });
        return Some(match bigger {
            Some((next, projected)) => {
                let projected_cpu = cpu * Decimal::from(spec.vcpu) / Decimal::from(next.vcpu);
                let reason = format!(
                    "{usage}: CPU p95 is over {}%, so it is running out of CPU; {} ({} vCPU, {} GiB) \
                     would run at ~{}% CPU p95; costs {}/month more ({}%)",
                    pct(t.under_cpu_p95),
                    next.instance_type,
                    next.vcpu,
                    pct(next.memory_gib),
                    pct(projected_cpu),
                    money(projected - current),
                    two_dp(percent_of(current - projected, current))
                );
                build(
                    Finding::UnderProvisioned,
                    input.resource_type,
                    Some(next.instance_type.clone()),
                    current,
                    projected,
                    risk,
                    reason,
                    source,
                )
            }
            None => {
                let reason = format!(
                    "{usage}: CPU p95 is over {}%, so it is running out of CPU, and no larger {} size \
                     is listed in {}; consider a bigger family",
                    pct(t.under_cpu_p95),
                    spec.family,
                    input.region
                );
                build(
                    Finding::UnderProvisioned,
                    input.resource_type,
                    None,
                    current,
                    current,
                    risk,
                    reason,
                    source,
                )
            }
        });
    }

    let memory_low = input.mem_p95.is_none_or(|m| m < t.over_mem_p95);
    if cpu < t.over_cpu_p95 && memory_low {
        if let Some(pick) = smaller_fit(spec, &sizes[..at], input, prices, current, t) {
            let mut reason = format!(
                "{usage}: {} ({} vCPU, {} GiB) would run at ~{}% CPU p95",
                pick.spec.instance_type,
                pick.spec.vcpu,
                pct(pick.spec.memory_gib),
                pct(pick.cpu)
            );
            if let Some(mem) = pick.memory {
                reason.push_str(&format!(" and ~{}% memory p95", pct(mem)));
            } else {
                reason.push_str(
                    " (memory utilisation unknown: install the CloudWatch agent to confirm)",
                );
            }
            reason.push_str(&format!(
                "; saves {}/month ({}%)",
                money(current - pick.monthly),
                two_dp(percent_of(current - pick.monthly, current))
            ));
            return Some(build(
                Finding::OverProvisioned,
                input.resource_type,
                Some(pick.spec.instance_type.clone()),
                current,
                pick.monthly,
                pick.risk,
                reason,
                source,
            ));
        }
        let reason = format!(
            "{usage}: {} is already the smallest {} size that keeps CPU{} p95 at or under {}%",
            spec.instance_type,
            spec.family,
            if input.mem_p95.is_some() {
                " and memory"
            } else {
                ""
            },
            pct(t.headroom_target)
        );
        return Some(build(
            Finding::Optimized,
            input.resource_type,
            None,
            current,
            current,
            0,
            reason,
            source,
        ));
    }

    let reason = format!(
        "{usage}: within {}–{}% CPU p95, the size fits the load",
        pct(t.over_cpu_p95),
        pct(t.under_cpu_p95)
    );
    Some(build(
        Finding::Optimized,
        input.resource_type,
        None,
        current,
        current,
        0,
        reason,
        source,
    ))
}

struct Fit<'c> {
    spec: &'c InstanceSpec,
    cpu: Decimal,
    memory: Option<Decimal>,
    monthly: Decimal,
    risk: u8,
}

/// The smallest of `smaller` (ordered smallest first) that holds the load under the headroom
/// target and costs less than `current`.
fn smaller_fit<'c>(
    spec: &InstanceSpec,
    smaller: &[&'c InstanceSpec],
    input: &ResourceInput,
    prices: &PriceBook,
    current: Decimal,
    t: &Thresholds,
) -> Option<Fit<'c>> {
    let cpu = input.cpu_p95?;
    let headroom = t.headroom_target;
    let hundred = Decimal::from(100);
    for (i, cand) in smaller.iter().enumerate() {
        if input.mem_p95.is_none() {
            // CPU alone cannot justify less memory at the same vCPU count: only fewer vCPUs,
            // and of equal-vCPU sizes only the one with the most memory.
            if cand.vcpu >= spec.vcpu {
                continue;
            }
            if smaller[i + 1..].iter().any(|o| o.vcpu == cand.vcpu) {
                continue;
            }
        }
        let projected_cpu = cpu * Decimal::from(spec.vcpu) / Decimal::from(cand.vcpu);
        if projected_cpu > headroom {
            continue;
        }
        let projected_mem = match input.mem_p95 {
            Some(mem) => {
                let in_use = spec.memory_gib * mem / hundred;
                let needed = in_use * hundred / headroom;
                if cand.memory_gib < needed {
                    continue;
                }
                Some(in_use * hundred / cand.memory_gib)
            }
            None => None,
        };
        let Some((hourly, _)) = prices.hourly(&cand.instance_type, &cand.region) else {
            continue;
        };
        let monthly = cents(hourly * hours_per_month());
        if monthly >= current {
            continue;
        }
        let closest = projected_mem.map_or(projected_cpu, |m| m.max(projected_cpu));
        let base: u8 = if closest * Decimal::from(4) > headroom * Decimal::from(3) {
            2
        } else {
            1
        };
        let risk = if input.mem_p95.is_some() {
            base
        } else if projected_cpu > Decimal::from(50) {
            3
        } else {
            (base + 1).min(3)
        };
        return Some(Fit {
            spec: cand,
            cpu: projected_cpu,
            memory: projected_mem,
            monthly,
            risk,
        });
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn build(
    finding: Finding,
    current_type: &str,
    recommended_type: Option<String>,
    current: Decimal,
    projected: Decimal,
    performance_risk: u8,
    reason: String,
    price_source: PriceSource,
) -> Recommendation {
    let current = cents(current);
    let projected = cents(projected);
    let savings = current - projected;
    Recommendation {
        finding,
        current_type: current_type.to_string(),
        recommended_type,
        current_monthly: current,
        projected_monthly: projected,
        savings_monthly: savings,
        savings_percent: two_dp(percent_of(savings, current)),
        performance_risk,
        reason,
        price_source,
    }
}

fn describe_usage(cpu: Decimal, cpu_max: Option<Decimal>, mem: Option<Decimal>) -> String {
    let mut s = format!("CPU p95 {}%", pct(cpu));
    if let Some(max) = cpu_max {
        s.push_str(&format!(" (max {}%)", pct(max)));
    }
    match mem {
        Some(m) => s.push_str(&format!(" and memory p95 {}%", pct(m))),
        None => s.push_str(", memory unknown"),
    }
    s
}

fn percent_of(part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        Decimal::ZERO
    } else {
        part * Decimal::from(100) / whole
    }
}

/// Rounded to the cent, two decimals kept (`140.16`, `10.00`).
fn cents(d: Decimal) -> Decimal {
    two_dp(d)
}

fn two_dp(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// A percentage for prose: one decimal at most, no trailing zeros (`12.5`, `31`).
fn pct(d: Decimal) -> String {
    d.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
        .to_string()
}

/// `$1,234.56`.
fn money(d: Decimal) -> String {
    let d = two_dp(d);
    let sign = if d.is_sign_negative() && !d.is_zero() {
        "-"
    } else {
        ""
    };
    let text = d.abs().to_string();
    let (whole, frac) = text.split_once('.').unwrap_or((&text, "00"));
    format!("{sign}${}.{frac}", group_digits(whole))
}

fn group_thousands(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", group_digits(&n.unsigned_abs().to_string()))
}

fn group_digits(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
