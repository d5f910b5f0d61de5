use std::str::FromStr;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rust_decimal::Decimal;

use super::catalog::{hours_per_month, Catalog, PriceBook, PriceSource, Service};
use super::engine::{
    recommend, total_savings, volume_monthly, Finding, Kind, Recommendation, ResourceInput,
    Thresholds,
};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 15, 12, 0, 0).unwrap()
}

fn book() -> PriceBook<'static> {
    PriceBook::new(Catalog::builtin())
}

fn instance<'a>(
    kind: Kind,
    ty: &'a str,
    region: &'a str,
    cpu: &str,
    mem: Option<&str>,
) -> ResourceInput<'a> {
    ResourceInput {
        kind,
        resource_type: ty,
        region,
        state: if kind == Kind::RdsInstance {
            "available"
        } else {
            "running"
        },
        size_gib: None,
        iops: None,
        attached: false,
        stopped_since: None,
        cpu_p95: Some(d(cpu)),
        cpu_max: None,
        mem_p95: mem.map(d),
        monthly_cost_observed: None,
        attached_volumes_monthly: None,
    }
}

fn ec2<'a>(ty: &'a str, region: &'a str, cpu: &str, mem: Option<&str>) -> ResourceInput<'a> {
    instance(Kind::Ec2Instance, ty, region, cpu, mem)
}

fn volume<'a>(
    ty: &'a str,
    region: &'a str,
    state: &'a str,
    size: i64,
    iops: Option<i64>,
) -> ResourceInput<'a> {
    ResourceInput {
        kind: Kind::EbsVolume,
        resource_type: ty,
        region,
        state,
        size_gib: Some(size),
        iops,
        attached: state == "in-use",
        stopped_since: None,
        cpu_p95: None,
        cpu_max: None,
        mem_p95: None,
        monthly_cost_observed: None,
        attached_volumes_monthly: None,
    }
}

fn run(input: &ResourceInput) -> Option<Recommendation> {
    recommend(input, &book(), now(), &Thresholds::default())
}

// ---- catalog ---------------------------------------------------------------------------------

#[test]
fn catalog_anchor_prices_and_shapes() {
    let c = Catalog::builtin();
    let price = |t: &str, r: &str| c.instance(t, r).unwrap().hourly;
    assert_eq!(price("m5.large", "us-east-1"), d("0.096"));
    assert_eq!(price("m5.xlarge", "us-east-1"), d("0.192"));
    assert_eq!(price("m5.2xlarge", "us-east-1"), d("0.384"));
    assert_eq!(price("t3.micro", "us-east-1"), d("0.0104"));
    assert_eq!(price("c5.large", "us-east-1"), d("0.085"));
    assert_eq!(price("r5.large", "us-east-1"), d("0.126"));
    assert_eq!(price("m7g.large", "us-east-1"), d("0.0816"));
    assert_eq!(price("m5.large", "sa-east-1"), d("0.153"));
    assert_eq!(price("c5.large", "sa-east-1"), d("0.131"));
    assert_eq!(price("db.m5.large", "us-east-1"), d("0.171"));
    assert_eq!(price("db.t3.micro", "us-east-1"), d("0.017"));

    let shape = |t: &str| {
        let s = c.instance(t, "us-east-1").unwrap();
        (s.vcpu, s.memory_gib)
    };
    assert_eq!(shape("m5.large"), (2, d("8")));
    assert_eq!(shape("c5.large"), (2, d("4")));
    assert_eq!(shape("r5.large"), (2, d("16")));
    assert_eq!(shape("t3.micro"), (2, d("1")));
    assert_eq!(shape("t3.nano"), (2, d("0.5")));
    assert_eq!(shape("m6g.medium"), (1, d("4")));
    assert_eq!(shape("c7g.medium"), (1, d("2")));
    assert_eq!(shape("r6g.medium"), (1, d("8")));
    assert_eq!(shape("m7i.8xlarge"), (32, d("128")));
    assert_eq!(shape("db.m5.2xlarge"), (8, d("32")));

    let m5 = c.instance("m5.large", "us-east-1").unwrap();
    assert_eq!(m5.service, Service::Ec2);
    assert_eq!((m5.family.as_str(), m5.size.as_str()), ("m5", "large"));
    assert_eq!(m5.monthly(), d("70.08"));
    assert_eq!(hours_per_month(), d("730"));
    assert_eq!(
        c.instance("db.m5.large", "us-east-1").unwrap().service,
        Service::Rds
    );
    assert!(c.instance("m5.large", "eu-west-1").is_none());
    assert!(c.instance("m5.large", "sa-east-1").unwrap().hourly > m5.hourly);
    assert!(!Catalog::SOURCE.is_empty());
    assert_eq!(Catalog::AS_OF, "2026-01-19");
}

#[test]
fn catalog_families_grow_with_size_in_every_region() {
    let c = Catalog::builtin();
    let regions = c.regions();
    assert_eq!(regions, vec!["sa-east-1", "us-east-1"]);
    let ec2 = c.families(Service::Ec2);
    for family in [
        "t3", "t3a", "t4g", "m5", "m6i", "m7i", "m6g", "m7g", "c5", "c6i", "c7i", "c6g", "c7g",
        "r5", "r6i", "r7i", "r6g",
    ] {
        assert!(ec2.contains(&family), "{family} missing");
        assert!(
            !c.family_sizes(family, "us-east-1").is_empty(),
            "{family} has no us-east-1 price"
        );
    }
    let rds = c.families(Service::Rds);
    for family in ["db.t3", "db.m5"] {
        assert!(rds.contains(&family), "{family} missing");
        for region in &regions {
            assert!(
                !c.family_sizes(family, region).is_empty(),
                "{family} missing in {region}"
            );
        }
    }
    let mut checked = 0;
    for service in [Service::Ec2, Service::Rds] {
        for family in c.families(service) {
            for region in &regions {
                let sizes = c.family_sizes(family, region);
                for pair in sizes.windows(2) {
                    let (a, b) = (pair[0], pair[1]);
                    assert!(
                        b.vcpu >= a.vcpu,
                        "{} → {} in {region}",
                        a.instance_type,
                        b.instance_type
                    );
                    assert!(
                        (b.vcpu, b.memory_gib) > (a.vcpu, a.memory_gib),
                        "{} → {} does not grow",
                        a.instance_type,
                        b.instance_type
                    );
                    assert!(
                        b.hourly > a.hourly,
                        "{} → {} price does not grow",
                        a.instance_type,
                        b.instance_type
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100);
    // Families that grow by doubling are priced by doubling.
    let m5 = c.family_sizes("m5", "sa-east-1");
    assert_eq!(
        m5.iter().map(|s| s.size.as_str()).collect::<Vec<_>>(),
        ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"]
    );
    for pair in m5.windows(2) {
        assert_eq!(pair[1].hourly, pair[0].hourly * d("2"));
        assert_eq!(pair[1].vcpu, pair[0].vcpu * 2);
    }
}

#[test]
fn catalog_ebs_prices_in_both_regions() {
    let c = Catalog::builtin();
    assert_eq!(c.ebs_regions(), vec!["sa-east-1", "us-east-1"]);
    for region in ["us-east-1", "sa-east-1"] {
        for ty in ["gp2", "gp3", "io1", "st1", "sc1"] {
            assert!(c.ebs_gb_month(ty, region).is_some(), "{ty} in {region}");
        }
        assert!(c.ebs_iops_month("io1", region).is_some());
        assert!(c.ebs_iops_month("gp2", region).is_none());
    }
    assert_eq!(c.ebs_gb_month("gp2", "us-east-1"), Some(d("0.10")));
    assert_eq!(c.ebs_gb_month("GP3", "us-east-1"), Some(d("0.08")));
    assert_eq!(c.ebs_iops_month("io2", "us-east-1"), Some(d("0.065")));
    assert_eq!(c.ebs_gb_month("standard", "us-east-1"), Some(d("0.05")));
    assert!(
        c.ebs_gb_month("gp2", "sa-east-1").unwrap() > c.ebs_gb_month("gp2", "us-east-1").unwrap()
    );
    assert!(c.ebs_gb_month("gp9", "us-east-1").is_none());
}

#[test]
fn catalog_rejects_bad_rows() {
    let header = "service,instance_type,family,size,vcpu,memory_gib,region,hourly_usd\n";
    let ebs = "volume_type,region,gb_month_usd,iops_month_usd\n";
    assert!(Catalog::from_csv(
        &format!("{header}ec2,m5.large,m5,large,2,8,us-east-1,0.096\n"),
        ebs
    )
    .is_ok());
    for bad in [
        "ec2,m5.large,m5,xlarge,2,8,us-east-1,0.096",
        "rds,m5.large,m5,large,2,8,us-east-1,0.096",
        "ec2,m5.large,m5,large,2,8,us-east-1,-0.096",
        "ec2,m5.large,m5,large,0,8,us-east-1,0.096",
        "ec2,m5.large,m5,large,2,8,us-east-1,abc",
        "ec2,m5.large,m5,large,2,8,us-east-1,0.096\nec2,m5.large,m5,large,2,8,us-east-1,0.096",
    ] {
        assert!(
            Catalog::from_csv(&format!("{header}{bad}\n"), ebs).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn price_book_prefers_observed_prices() {
    let mut prices = book();
    assert_eq!(
        prices.hourly("m5.large", "us-east-1"),
        Some((d("0.096"), PriceSource::Catalog))
    );
    prices.observe("m5.large", "us-east-1", d("0.09"));
    assert_eq!(
        prices.hourly("m5.large", "us-east-1"),
        Some((d("0.09"), PriceSource::Observed))
    );
    assert_eq!(
        prices.monthly("m5.large", "us-east-1"),
        Some((d("65.7"), PriceSource::Observed))
    );
    assert_eq!(
        prices.hourly("m5.large", "sa-east-1"),
        Some((d("0.153"), PriceSource::Catalog))
    );
    assert_eq!(prices.hourly("nope.large", "us-east-1"), None);
}

// ---- over-provisioned ------------------------------------------------------------------------

#[test]
fn over_provisioned_m5_2xlarge_keeps_memory_headroom() {
    // CPU alone would allow m5.large (15% × 8 / 2 = 60% ≤ 70%), but 32 GiB × 20% = 6.4 GiB in
    // use needs 6.4 / 0.7 = 9.14 GiB, more than m5.large's 8 GiB: m5.xlarge.
    let rec = run(&ec2("m5.2xlarge", "us-east-1", "15", Some("20"))).unwrap();
    assert_eq!(rec.finding, Finding::OverProvisioned);
    assert_eq!(rec.current_type, "m5.2xlarge");
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.xlarge"));
    assert_eq!(rec.current_monthly, d("280.32"));
    assert_eq!(rec.projected_monthly, d("140.16"));
    assert_eq!(rec.savings_monthly, d("140.16"));
    assert_eq!(rec.savings_monthly, (d("0.384") - d("0.192")) * d("730"));
    assert_eq!(rec.savings_percent, d("50.00"));
    assert_eq!(rec.savings_percent.to_string(), "50.00");
    assert_eq!(rec.savings_monthly.to_string(), "140.16");
    assert_eq!(rec.performance_risk, 1);
    assert_eq!(rec.price_source, PriceSource::Catalog);
    assert!(
        rec.reason.contains("CPU p95 15% and memory p95 20%"),
        "{}",
        rec.reason
    );
    assert!(
        rec.reason
            .contains("m5.xlarge (4 vCPU, 16 GiB) would run at ~30% CPU p95"),
        "{}",
        rec.reason
    );
    assert!(
        rec.reason.contains("saves $140.16/month (50.00%)"),
        "{}",
        rec.reason
    );
}

#[test]
fn over_provisioned_with_low_memory_goes_down_two_sizes() {
    // 32 GiB × 10% = 3.2 GiB in use → 4.57 GiB needed: m5.large (8 GiB) fits, CPU 12% × 4 = 48%.
    let rec = run(&ec2("m5.2xlarge", "us-east-1", "12", Some("10"))).unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.large"));
    assert_eq!(rec.savings_monthly, d("210.24"));
    assert_eq!(rec.savings_percent, d("75.00"));
    assert_eq!(rec.performance_risk, 1);
    // Closer to the headroom: 16% × 4 = 64% of 70% → risk 2.
    let rec = run(&ec2("m5.2xlarge", "us-east-1", "16", Some("10"))).unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.large"));
    assert_eq!(rec.performance_risk, 2);
}

#[test]
fn over_provisioned_without_memory_uses_cpu_alone_at_higher_risk() {
    let rec = run(&ec2("m5.2xlarge", "us-east-1", "15", None)).unwrap();
    assert_eq!(rec.finding, Finding::OverProvisioned);
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.large"));
    assert_eq!(rec.savings_monthly, d("210.24"));
    assert_eq!(
        rec.performance_risk, 3,
        "memory unknown and projected CPU 60% > 50%"
    );
    assert!(rec.reason.contains("memory unknown"), "{}", rec.reason);

    let rec = run(&ec2("m5.2xlarge", "us-east-1", "10", None)).unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.large"));
    assert_eq!(
        rec.performance_risk, 2,
        "40% projected: base 1, +1 for unknown memory"
    );

    // A burstable type whose smaller sizes only shrink memory: CPU data cannot justify it.
    let rec = run(&ec2("t3.large", "us-east-1", "10", None)).unwrap();
    assert_eq!(rec.finding, Finding::Optimized);
    assert_eq!(rec.savings_monthly, d("0.00"));
    // With memory known, the same t3.large can drop to t3.medium (8 GiB × 20% / 0.7 = 2.3 GiB).
    let rec = run(&ec2("t3.large", "us-east-1", "10", Some("20"))).unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("t3.medium"));
    assert_eq!(rec.savings_monthly, d("30.37"));
}

#[test]
fn smallest_size_already_is_optimized() {
    let rec = run(&ec2("m5.large", "us-east-1", "30", Some("40"))).unwrap();
    assert_eq!(rec.finding, Finding::Optimized);
    assert_eq!(rec.recommended_type, None);
    assert_eq!(rec.current_monthly, d("70.08"));
    assert_eq!(rec.projected_monthly, d("70.08"));
    assert_eq!(rec.savings_monthly, d("0.00"));
    assert_eq!(rec.performance_risk, 0);
    assert!(rec.reason.contains("smallest m5 size"), "{}", rec.reason);
}

#[test]
fn busy_enough_is_optimized() {
    let rec = run(&ec2("m5.xlarge", "us-east-1", "60", Some("60"))).unwrap();
    assert_eq!(rec.finding, Finding::Optimized);
    assert_eq!(rec.savings_monthly, d("0.00"));
    assert_eq!(rec.savings_percent, d("0.00"));
    // Low CPU but memory over 50%: not over-provisioned.
    let rec = run(&ec2("r5.xlarge", "us-east-1", "20", Some("75"))).unwrap();
    assert_eq!(rec.finding, Finding::Optimized);
}

#[test]
fn observed_prices_override_the_catalog() {
    let mut prices = book();
    prices.observe("m5.2xlarge", "us-east-1", d("0.35"));
    let input = ec2("m5.2xlarge", "us-east-1", "15", Some("20"));
    let rec = recommend(&input, &prices, now(), &Thresholds::default()).unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.xlarge"));
    assert_eq!(rec.current_monthly, d("255.50"));
    assert_eq!(rec.projected_monthly, d("140.16"));
    assert_eq!(rec.savings_monthly, d("115.34"));
    assert_eq!(rec.price_source, PriceSource::Observed);

    // The resource's own billed cost wins over any unit price.
    let mut input = ec2("m5.2xlarge", "us-east-1", "15", Some("20"));
    input.monthly_cost_observed = Some(d("300"));
    let rec = run(&input).unwrap();
    assert_eq!(rec.current_monthly, d("300.00"));
    assert_eq!(rec.savings_monthly, d("159.84"));
    assert_eq!(rec.savings_percent, d("53.28"));
    assert_eq!(rec.price_source, PriceSource::Observed);
}

#[test]
fn sa_east_1_prices_differ_from_us_east_1() {
    let us = run(&ec2("m5.2xlarge", "us-east-1", "15", Some("20"))).unwrap();
    let sa = run(&ec2("m5.2xlarge", "sa-east-1", "15", Some("20"))).unwrap();
    assert_eq!(sa.recommended_type.as_deref(), Some("m5.xlarge"));
    assert_eq!(sa.current_monthly, d("446.76"));
    assert_eq!(sa.savings_monthly, (d("0.612") - d("0.306")) * d("730"));
    assert_eq!(sa.savings_monthly, d("223.38"));
    assert_ne!(sa.savings_monthly, us.savings_monthly);
}

#[test]
fn rds_instances_are_rightsized_too() {
    let rec = run(&instance(
        Kind::RdsInstance,
        "db.m5.2xlarge",
        "us-east-1",
        "10",
        Some("30"),
    ))
    .unwrap();
    assert_eq!(rec.finding, Finding::OverProvisioned);
    assert_eq!(rec.recommended_type.as_deref(), Some("db.m5.xlarge"));
    assert_eq!(rec.savings_monthly, d("249.66"));
    let mut stopped = instance(Kind::RdsInstance, "db.m5.2xlarge", "us-east-1", "10", None);
    stopped.state = "stopped";
    assert!(run(&stopped).is_none());
}

// ---- idle ------------------------------------------------------------------------------------

#[test]
fn idle_instance_saves_everything() {
    let mut input = ec2("m5.large", "us-east-1", "2.5", Some("30"));
    input.cpu_max = Some(d("9"));
    let rec = run(&input).unwrap();
    assert_eq!(rec.finding, Finding::Idle);
    assert_eq!(rec.recommended_type, None);
    assert_eq!(rec.current_monthly, d("70.08"));
    assert_eq!(rec.projected_monthly, d("0.00"));
    assert_eq!(rec.savings_monthly, d("70.08"));
    assert_eq!(rec.savings_percent, d("100.00"));
    assert_eq!(rec.performance_risk, 0);
    assert!(
        rec.reason.contains("CPU p95 2.5% (max 9%)"),
        "{}",
        rec.reason
    );
    assert!(rec.reason.contains("idle"), "{}", rec.reason);

    // Idle needs no catalog shape: an unlisted type with a billed cost is still idle.
    let mut input = ec2("x2iedn.xlarge", "us-east-1", "1", None);
    input.monthly_cost_observed = Some(d("608.55"));
    let rec = run(&input).unwrap();
    assert_eq!(rec.finding, Finding::Idle);
    assert_eq!(rec.savings_monthly, d("608.55"));
    assert_eq!(rec.price_source, PriceSource::Observed);
}

#[test]
fn unattached_gp2_volume_is_idle() {
    let rec = run(&volume("gp2", "us-east-1", "available", 100, None)).unwrap();
    assert_eq!(rec.finding, Finding::Idle);
    assert_eq!(rec.current_type, "gp2");
    assert_eq!(rec.current_monthly, d("10.00"));
    assert_eq!(rec.projected_monthly, d("0.00"));
    assert_eq!(rec.savings_monthly, d("10.00"));
    assert_eq!(rec.savings_percent, d("100.00"));
    assert_eq!(rec.price_source, PriceSource::Catalog);
    assert!(rec.reason.contains("100 GiB"), "{}", rec.reason);

    let sa = run(&volume("gp2", "sa-east-1", "available", 100, None)).unwrap();
    assert_eq!(sa.savings_monthly, d("19.00"));
}

#[test]
fn unattached_io1_volume_pays_for_storage_and_iops() {
    let rec = run(&volume("io1", "us-east-1", "available", 64, Some(1000))).unwrap();
    // 64 GiB × $0.125 + 1,000 IOPS × $0.065 = $8.00 + $65.00.
    assert_eq!(rec.finding, Finding::Idle);
    assert_eq!(rec.savings_monthly, d("73.00"));
    assert!(
        rec.reason.contains("1,000 provisioned IOPS"),
        "{}",
        rec.reason
    );
    assert!(
        rec.reason.contains("($8.00 storage + $65.00 IOPS)"),
        "{}",
        rec.reason
    );
    assert_eq!(
        volume_monthly(Catalog::builtin(), "io1", "us-east-1", 64, Some(1000)),
        Some((d("8.000"), d("65.000")))
    );
    // gp2 has no provisioned-IOPS charge even when IOPS are reported.
    let rec = run(&volume("gp2", "us-east-1", "available", 64, Some(192))).unwrap();
    assert_eq!(rec.savings_monthly, d("6.40"));
}

#[test]
fn observed_volume_cost_is_preferred() {
    let mut input = volume("gp3", "us-east-1", "available", 100, None);
    input.monthly_cost_observed = Some(d("12.34"));
    let rec = run(&input).unwrap();
    assert_eq!(rec.savings_monthly, d("12.34"));
    assert_eq!(rec.price_source, PriceSource::Observed);
}

#[test]
fn attached_volume_says_nothing() {
    assert!(run(&volume("gp2", "us-east-1", "in-use", 100, None)).is_none());
}

#[test]
fn stopped_instance_still_pays_for_its_volumes() {
    let c = Catalog::builtin();
    let one = volume_monthly(c, "gp2", "us-east-1", 8, None).unwrap();
    let volumes = (one.0 + one.1) * d("2");
    assert_eq!(volumes, d("1.60"));
    let mut input = ec2("m5.large", "us-east-1", "0", None);
    input.state = "stopped";
    input.cpu_p95 = None;
    input.size_gib = Some(16);
    input.stopped_since = Some(now() - Duration::days(10));
    input.attached_volumes_monthly = Some(volumes);
    let rec = run(&input).unwrap();
    assert_eq!(rec.finding, Finding::Idle);
    assert_eq!(rec.recommended_type, None);
    assert_eq!(rec.current_monthly, d("1.60"));
    assert_eq!(rec.savings_monthly, d("1.60"));
    assert_eq!(rec.projected_monthly, d("0.00"));
    assert!(
        rec.reason.contains("stopped since 2026-03-05 (10 days)"),
        "{}",
        rec.reason
    );
    assert!(
        rec.reason.contains("still paying for 16 GiB of EBS"),
        "{}",
        rec.reason
    );

    // Stopped for less than a week: nothing to say yet.
    input.stopped_since = Some(now() - Duration::days(3));
    assert!(run(&input).is_none());
    // Stopped long ago but with no volumes: nothing is being paid for.
    input.stopped_since = Some(now() - Duration::days(30));
    input.attached_volumes_monthly = None;
    assert!(run(&input).is_none());
}

// ---- under-provisioned -----------------------------------------------------------------------

#[test]
fn under_provisioned_goes_one_size_up() {
    let mut input = ec2("c5.large", "us-east-1", "95", Some("40"));
    input.cpu_max = Some(d("100"));
    let rec = run(&input).unwrap();
    assert_eq!(rec.finding, Finding::UnderProvisioned);
    assert_eq!(rec.recommended_type.as_deref(), Some("c5.xlarge"));
    assert_eq!(rec.current_monthly, d("62.05"));
    assert_eq!(rec.projected_monthly, d("124.10"));
    assert_eq!(rec.savings_monthly, d("-62.05"));
    assert_eq!(rec.savings_percent, d("-100.00"));
    assert_eq!(rec.performance_risk, 4);
    assert!(
        rec.reason
            .contains("c5.xlarge (4 vCPU, 8 GiB) would run at ~47.5% CPU p95"),
        "{}",
        rec.reason
    );
    assert!(
        rec.reason.contains("costs $62.05/month more"),
        "{}",
        rec.reason
    );

    input.cpu_max = Some(d("97"));
    assert_eq!(run(&input).unwrap().performance_risk, 3);

    // The largest listed size has nowhere to go.
    let rec = run(&ec2("c5.4xlarge", "us-east-1", "95", None)).unwrap();
    assert_eq!(rec.finding, Finding::UnderProvisioned);
    assert_eq!(rec.recommended_type, None);
    assert_eq!(rec.savings_monthly, d("0.00"));
}

// ---- nothing to say --------------------------------------------------------------------------

#[test]
fn unknown_type_or_missing_data_gives_none() {
    assert!(run(&ec2("zz9.large", "us-east-1", "15", Some("20"))).is_none());
    assert!(run(&ec2("m5.large", "eu-west-1", "15", Some("20"))).is_none());
    assert!(run(&volume("gp9", "us-east-1", "available", 100, None)).is_none());
    let mut no_data = ec2("m5.large", "us-east-1", "15", None);
    no_data.cpu_p95 = None;
    assert!(run(&no_data).is_none());
    let mut terminated = ec2("m5.large", "us-east-1", "1", None);
    terminated.state = "terminated";
    assert!(run(&terminated).is_none());
}

#[test]
fn total_counts_only_savings() {
    let recs = vec![
        run(&ec2("m5.2xlarge", "us-east-1", "15", Some("20"))).unwrap(),
        run(&volume("gp2", "us-east-1", "available", 100, None)).unwrap(),
        run(&ec2("c5.large", "us-east-1", "95", None)).unwrap(),
        run(&ec2("m5.xlarge", "us-east-1", "60", Some("60"))).unwrap(),
    ];
    assert_eq!(total_savings(&recs), d("150.16"));
    assert_eq!(total_savings(&[]), d("0"));
}

#[test]
fn thresholds_default_to_the_documented_values() {
    let t = Thresholds::default();
    assert_eq!(
        (
            t.over_cpu_p95,
            t.over_mem_p95,
            t.under_cpu_p95,
            t.idle_cpu_p95,
            t.headroom_target,
            t.stopped_days
        ),
        (d("40"), d("50"), d("90"), d("5"), d("70"), 7)
    );
    // A stricter headroom keeps m5.2xlarge at m5.xlarge even with little memory in use.
    let strict = Thresholds {
        headroom_target: d("50"),
        ..Thresholds::default()
    };
    let rec = recommend(
        &ec2("m5.2xlarge", "us-east-1", "15", Some("10")),
        &book(),
        now(),
        &strict,
    )
    .unwrap();
    assert_eq!(rec.recommended_type.as_deref(), Some("m5.xlarge"));
}

#[test]
fn recommendations_serialize_money_as_strings() {
    let rec = run(&ec2("m5.2xlarge", "us-east-1", "15", Some("20"))).unwrap();
    let json = serde_json::to_value(&rec).unwrap();
    assert_eq!(json["finding"], "OverProvisioned");
    assert_eq!(json["savings_monthly"], "140.16");
    assert_eq!(json["savings_percent"], "50.00");
    assert_eq!(json["price_source"], "Catalog");
}
