//! Built-in list prices for the instance and volume types the rightsizing engine reasons about.
//!
//! Two CSV files under `data/prices/` are compiled into the binary (see `data/prices/README.md`
//! for where every figure comes from): one row per (service, instance type, region) with the
//! shape of the type (vCPU, memory) and its Linux on-demand hourly price, and one row per
//! (EBS volume type, region) with its per-GB-month and, for io1/io2, per-provisioned-IOPS-month
//! price. Money is `Decimal` throughout.
//!
//! A tenant's own bill is the better price source when it has one: [`PriceBook`] puts the unit
//! prices observed in the tenant's cost lines in front of the catalog.
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use serde::Serialize;

/// Hours in a month as AWS counts them on its pricing pages and in the Pricing Calculator
/// (365 days × 24 h ÷ 12 = 730). Monthly figures here are always `hourly × 730`.
pub const HOURS_PER_MONTH: i64 = 730;

/// `HOURS_PER_MONTH` as a `Decimal`.
pub fn hours_per_month() -> Decimal {
    Decimal::from(HOURS_PER_MONTH)
}

const INSTANCE_CSV: &str = include_str!("../../data/prices/aws-instance-prices.csv");
const EBS_CSV: &str = include_str!("../../data/prices/aws-ebs-prices.csv");

/// Which AWS service an instance type is sold under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, async_graphql::Enum,
)]
#[graphql(name = "InstanceService")]
pub enum Service {
    Ec2,
    Rds,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Rds => "rds",
        }
    }
}

impl FromStr for Service {
    type Err = CatalogError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ec2" => Ok(Service::Ec2),
            "rds" => Ok(Service::Rds),
            other => Err(CatalogError::Invalid(format!("unknown service {other:?}"))),
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a price came from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, async_graphql::Enum,
)]
pub enum PriceSource {
    /// The tenant's own bill (the unit price or the cost it was charged).
    Observed,
    /// The built-in public list price.
    Catalog,
}

/// One instance type in one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceSpec {
    pub service: Service,
    /// `m5.large`, `db.r6g.xlarge`.
    pub instance_type: String,
    /// `m5`, `db.r6g`.
    pub family: String,
    /// `large`, `xlarge`.
    pub size: String,
    pub vcpu: u32,
    pub memory_gib: Decimal,
    pub region: String,
    /// Linux (EC2) or MySQL (RDS, Single-AZ) on-demand price per hour, USD.
    pub hourly: Decimal,
}

impl InstanceSpec {
    /// `hourly × 730`.
    pub fn monthly(&self) -> Decimal {
        self.hourly * hours_per_month()
    }
}

/// Price of one EBS volume type in one region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EbsPrice {
    gb_month: Decimal,
    iops_month: Option<Decimal>,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("price catalog: {0}")]
    Invalid(String),
    #[error("price catalog CSV: {0}")]
    Csv(#[from] csv::Error),
}

/// The parsed price lists.
#[derive(Debug, Default)]
pub struct Catalog {
    instances: Vec<InstanceSpec>,
    by_type: HashMap<(String, String), usize>,
    ebs: HashMap<(String, String), EbsPrice>,
}

impl Catalog {
    /// Where the built-in figures come from (details in `data/prices/README.md`).
    pub const SOURCE: &'static str =
        "AWS Price List figures: us-east-1 EC2 from aws/karpenter-provider-aws \
         zz_generated.pricing_aws.go (2026-01-19); sa-east-1 EC2 and RDS for MySQL Single-AZ in \
         both regions from AWS's pricing-page files as mirrored by yeo/ec2.shop (2024-06/09); \
         EBS from AWS's EBS pricing-page file (2021-05-13) (details: data/prices/README.md)";
    /// Date of the newest figures (us-east-1 EC2). Older snapshots back the rest: sa-east-1 EC2
    /// 2024-06-27, RDS 2024-09-28, EBS 2021-05-13 (see `data/prices/README.md`).
    pub const AS_OF: &'static str = "2026-01-19";

    /// The catalog compiled into the binary, parsed once.
    pub fn builtin() -> &'static Catalog {
        static BUILTIN: OnceLock<Catalog> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalog::from_csv(INSTANCE_CSV, EBS_CSV).expect("the built-in price catalog parses")
        })
    }

    /// Parses the two CSV files (`service,instance_type,family,size,vcpu,memory_gib,region,hourly_usd`
    /// and `volume_type,region,gb_month_usd,iops_month_usd`). Lines starting with `#` are comments.
    pub fn from_csv(instances_csv: &str, ebs_csv: &str) -> Result<Catalog, CatalogError> {
        let mut catalog = Catalog::default();
        let mut reader = csv_reader(instances_csv);
        for (line, record) in reader.deserialize::<InstanceRow>().enumerate() {
            let row = record?;
            let spec = row
                .into_spec()
                .map_err(|e| CatalogError::Invalid(format!("instance row {}: {e}", line + 2)))?;
            let key = (spec.instance_type.clone(), spec.region.clone());
            if catalog.by_type.contains_key(&key) {
                return Err(CatalogError::Invalid(format!(
                    "{} in {} is listed twice",
                    spec.instance_type, spec.region
                )));
            }
            catalog.by_type.insert(key, catalog.instances.len());
            catalog.instances.push(spec);
        }
        let mut reader = csv_reader(ebs_csv);
        for (line, record) in reader.deserialize::<EbsRow>().enumerate() {
            let row = record?;
            let price = EbsPrice {
                gb_month: parse_money(&row.gb_month_usd)
                    .map_err(|e| CatalogError::Invalid(format!("ebs row {}: {e}", line + 2)))?,
                iops_month: match row.iops_month_usd.trim() {
                    "" => None,
                    s => Some(parse_money(s).map_err(|e| {
                        CatalogError::Invalid(format!("ebs row {}: {e}", line + 2))
                    })?),
                },
            };
            let key = (
                row.volume_type.trim().to_string(),
                row.region.trim().to_string(),
            );
            if catalog.ebs.insert(key.clone(), price).is_some() {
                return Err(CatalogError::Invalid(format!(
                    "EBS {} in {} is listed twice",
                    key.0, key.1
                )));
            }
        }
        Ok(catalog)
    }

    /// One instance type in one region.
    pub fn instance(&self, instance_type: &str, region: &str) -> Option<&InstanceSpec> {
        self.by_type
            .get(&(instance_type.to_string(), region.to_string()))
            .map(|&i| &self.instances[i])
    }

    /// Every size of a family in a region, smallest first (by vCPU, then memory, then price).
    pub fn family_sizes(&self, family: &str, region: &str) -> Vec<&InstanceSpec> {
        let mut sizes: Vec<&InstanceSpec> = self
            .instances
            .iter()
            .filter(|s| s.family == family && s.region == region)
            .collect();
        sizes.sort_by(|a, b| {
            a.vcpu
                .cmp(&b.vcpu)
                .then(a.memory_gib.cmp(&b.memory_gib))
                .then(a.hourly.cmp(&b.hourly))
        });
        sizes
    }

    /// Every listed instance row, in file order.
    pub fn instances(&self) -> &[InstanceSpec] {
        &self.instances
    }

    /// The distinct regions with instance prices, sorted.
    pub fn regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self.instances.iter().map(|s| s.region.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    /// The distinct families of one service, sorted.
    pub fn families(&self, service: Service) -> Vec<&str> {
        let mut families: Vec<&str> = self
            .instances
            .iter()
            .filter(|s| s.service == service)
            .map(|s| s.family.as_str())
            .collect();
        families.sort_unstable();
        families.dedup();
        families
    }

    /// Storage price of an EBS volume type (`gp2`, `gp3`, `io1`, `io2`, `st1`, `sc1`, `standard`),
    /// USD per GB-month.
    pub fn ebs_gb_month(&self, volume_type: &str, region: &str) -> Option<Decimal> {
        self.ebs_price(volume_type, region).map(|p| p.gb_month)
    }

    /// Provisioned-IOPS price (io1, io2), USD per IOPS-month; `None` for types that do not bill
    /// provisioned IOPS. For io2 this is the first tier (up to 32,000 IOPS).
    pub fn ebs_iops_month(&self, volume_type: &str, region: &str) -> Option<Decimal> {
        self.ebs_price(volume_type, region)
            .and_then(|p| p.iops_month)
    }

    /// Regions with EBS prices, sorted.
    pub fn ebs_regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self.ebs.keys().map(|(_, r)| r.as_str()).collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    fn ebs_price(&self, volume_type: &str, region: &str) -> Option<EbsPrice> {
        let volume_type = volume_type.trim().to_ascii_lowercase();
        self.ebs.get(&(volume_type, region.to_string())).copied()
    }
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

fn parse_money(s: &str) -> Result<Decimal, String> {
    let d = Decimal::from_str(s.trim()).map_err(|e| format!("{s:?} is not a decimal: {e}"))?;
    if d.is_sign_negative() {
        return Err(format!("{s:?} is negative"));
    }
    Ok(d)
}

#[derive(Debug, serde::Deserialize)]
struct InstanceRow {
    service: String,
    instance_type: String,
    family: String,
    size: String,
    vcpu: u32,
    memory_gib: String,
    region: String,
    hourly_usd: String,
}

impl InstanceRow {
    fn into_spec(self) -> Result<InstanceSpec, String> {
        let service = Service::from_str(&self.service).map_err(|e| e.to_string())?;
        if self.instance_type != format!("{}.{}", self.family, self.size) {
            return Err(format!(
                "{} is not {}.{}",
                self.instance_type, self.family, self.size
            ));
        }
        if (service == Service::Rds) != self.family.starts_with("db.") {
            return Err(format!(
                "{} does not belong to {service}",
                self.instance_type
            ));
        }
        if self.vcpu == 0 {
            return Err(format!("{} has no vCPU", self.instance_type));
        }
        let memory_gib = parse_money(&self.memory_gib)?;
        let hourly = parse_money(&self.hourly_usd)?;
        if memory_gib.is_zero() || hourly.is_zero() {
            return Err(format!("{} has no memory or no price", self.instance_type));
        }
        Ok(InstanceSpec {
            service,
            instance_type: self.instance_type,
            family: self.family,
            size: self.size,
            vcpu: self.vcpu,
            memory_gib,
            region: self.region,
            hourly,
        })
    }
}

#[derive(Debug, serde::Deserialize)]
struct EbsRow {
    volume_type: String,
    region: String,
    gb_month_usd: String,
    iops_month_usd: String,
}

/// Prices observed in the tenant's own bill override the catalog:
/// (instance_type, region) → hourly list unit price.
#[derive(Debug, Clone)]
pub struct PriceBook<'a> {
    pub catalog: &'a Catalog,
    pub observed: HashMap<(String, String), Decimal>,
}

impl<'a> PriceBook<'a> {
    /// A price book with nothing observed yet.
    pub fn new(catalog: &'a Catalog) -> Self {
        PriceBook {
            catalog,
            observed: HashMap::new(),
        }
    }

    /// Records the hourly unit price the tenant was billed for a type in a region.
    pub fn observe(&mut self, instance_type: &str, region: &str, hourly: Decimal) {
        self.observed
            .insert((instance_type.to_string(), region.to_string()), hourly);
    }
}

impl PriceBook<'_> {
    /// Hourly price of a type in a region: the tenant's observed unit price when there is one,
    /// the catalog's otherwise.
    pub fn hourly(&self, instance_type: &str, region: &str) -> Option<(Decimal, PriceSource)> {
        if let Some(price) = self
            .observed
            .get(&(instance_type.to_string(), region.to_string()))
        {
            return Some((*price, PriceSource::Observed));
        }
        self.catalog
            .instance(instance_type, region)
            .map(|s| (s.hourly, PriceSource::Catalog))
    }

    /// `hourly × 730`, with its source.
    pub fn monthly(&self, instance_type: &str, region: &str) -> Option<(Decimal, PriceSource)> {
        self.hourly(instance_type, region)
            .map(|(h, src)| (h * hours_per_month(), src))
    }
}
