//! Static catalogue of the AWS services, SKUs and regions the generator draws from.
//!
//! Usage-based services carry real-looking public on-demand list prices for
//! us-east-1; other regions apply a multiplier. Base daily costs are per
//! resource in a production account and are scaled by account and tenant
//! weights later.
//!
//! EC2 instances, EBS volumes and RDS instances are different: the generator
//! also writes their inventory, so they are priced from the same public price
//! lists the rightsizing engine uses (`data/prices/`, compiled in), per type
//! and region, and cost exactly what their type or size costs per day.

use std::collections::HashMap;
use std::str::FromStr;

use anyhow::{bail, ensure, Context, Result};
use rust_decimal::Decimal;

/// How a service's `ResourceId` is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum IdKind {
    Ec2Instance,
    EbsVolume,
    S3Bucket,
    RdsDb,
    DynamoTable,
    LambdaFunction,
    EcsService,
    EksCluster,
    CloudFrontDistribution,
    LoadBalancer,
    NatGateway,
    LogGroup,
    KmsKey,
    SqsQueue,
    SageMakerEndpoint,
    RedshiftCluster,
    ElastiCacheCluster,
    Secret,
    KinesisStream,
    CognitoUserPool,
    HostedZone,
    SnsTopic,
    GuardDutyDetector,
    GlueJob,
}

/// One priced SKU of a service.
#[derive(Debug)]
pub(super) struct Sku {
    /// Short label used to derive a stable `SkuId`.
    pub label: &'static str,
    /// us-east-1 list unit price as (mantissa, scale) so it stays an exact decimal.
    pub price: (i64, u32),
    /// Rest of the charge description after "$<price> per ".
    pub per: &'static str,
}

/// One AWS service with everything needed to fabricate its usage rows.
#[derive(Debug)]
pub(super) struct Service {
    pub name: &'static str,
    pub category: &'static str,
    pub resource_type: &'static str,
    pub kind: IdKind,
    /// Zonal resources carry an `AvailabilityZone`; regional ones write NULL.
    pub zonal: bool,
    /// Global services (CloudFront, Route 53) are always billed in us-east-1.
    pub global: bool,
    /// Pricing and consumed unit (kept identical for simplicity).
    pub unit: &'static str,
    /// Decimal places of the usage quantity (0 for request counts).
    pub qty_scale: u32,
    /// Empty for the services priced from [`PriceList`] (see [`has_inventory`]).
    pub skus: &'static [Sku],
    /// Range of the base daily cost in USD for a production resource
    /// (unused for services with inventory: their type or size decides).
    pub base_daily: (f64, f64),
    /// Multiplier applied on Saturdays and Sundays.
    pub weekend: f64,
    /// Whether Compute Savings Plans can cover this usage.
    pub savings_plan: bool,
    /// Relative likelihood when filling an account with extra resources.
    pub weight: u32,
}

/// A billing region.
#[derive(Debug)]
pub(super) struct Region {
    pub id: &'static str,
    pub name: &'static str,
    /// Price multiplier relative to us-east-1, as (mantissa, scale).
    pub price_factor: (i64, u32),
}

pub(super) const REGIONS: &[Region] = &[
    Region {
        id: "us-east-1",
        name: "US East (N. Virginia)",
        price_factor: (10, 1),
    },
    Region {
        id: "sa-east-1",
        name: "South America (Sao Paulo)",
        price_factor: (15, 1),
    },
];

/// Index of us-east-1 in [`REGIONS`].
pub(super) const US_EAST_1: usize = 0;
/// Index of sa-east-1 in [`REGIONS`].
pub(super) const SA_EAST_1: usize = 1;

/// Services every account gets first, in this order, before weighted picks:
/// nearly every real account has instances, buckets and logs.
pub(super) const CORE_SERVICES: &[IdKind] =
    &[IdKind::Ec2Instance, IdKind::S3Bucket, IdKind::LogGroup];

pub(super) const SERVICES: &[Service] = &[
    Service {
        name: "Amazon Elastic Compute Cloud",
        category: "Compute",
        resource_type: "Instance",
        kind: IdKind::Ec2Instance,
        zonal: true,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[],
        base_daily: (18.0, 70.0),
        weekend: 0.7,
        savings_plan: true,
        weight: 8,
    },
    Service {
        name: "Amazon Elastic Block Store",
        category: "Storage",
        resource_type: "Volume",
        kind: IdKind::EbsVolume,
        zonal: true,
        global: false,
        unit: "GB-Mo",
        qty_scale: 6,
        skus: &[],
        base_daily: (2.0, 14.0),
        weekend: 1.0,
        savings_plan: false,
        weight: 4,
    },
    Service {
        name: "Amazon Simple Storage Service",
        category: "Storage",
        resource_type: "Bucket",
        kind: IdKind::S3Bucket,
        zonal: false,
        global: false,
        unit: "GB-Mo",
        qty_scale: 6,
        skus: &[
            Sku {
                label: "standard",
                price: (23, 3),
                per: "GB-Mo of Standard storage",
            },
            Sku {
                label: "intelligent",
                price: (23, 3),
                per: "GB-Mo of Intelligent-Tiering frequent access storage",
            },
        ],
        base_daily: (1.0, 22.0),
        weekend: 0.97,
        savings_plan: false,
        weight: 3,
    },
    Service {
        name: "Amazon Relational Database Service",
        category: "Databases",
        resource_type: "DB Instance",
        kind: IdKind::RdsDb,
        zonal: true,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[],
        base_daily: (20.0, 90.0),
        weekend: 0.9,
        savings_plan: false,
        weight: 3,
    },
    Service {
        name: "Amazon DynamoDB",
        category: "Databases",
        resource_type: "Table",
        kind: IdKind::DynamoTable,
        zonal: false,
        global: false,
        unit: "ReadRequestUnits",
        qty_scale: 0,
        skus: &[Sku {
            label: "ondemand-read",
            price: (25, 8),
            per: "read request unit (on-demand)",
        }],
        base_daily: (3.0, 35.0),
        weekend: 0.8,
        savings_plan: false,
        weight: 2,
    },
    Service {
        name: "AWS Lambda",
        category: "Compute",
        resource_type: "Function",
        kind: IdKind::LambdaFunction,
        zonal: false,
        global: false,
        unit: "Lambda-GB-Second",
        qty_scale: 3,
        skus: &[Sku {
            label: "gb-second-x86",
            price: (166667, 10),
            per: "Lambda-GB-Second (x86)",
        }],
        base_daily: (1.0, 18.0),
        weekend: 0.7,
        savings_plan: true,
        weight: 3,
    },
    Service {
        name: "Amazon Elastic Container Service",
        category: "Compute",
        resource_type: "Service",
        kind: IdKind::EcsService,
        zonal: false,
        global: false,
        unit: "vCPU-Hours",
        qty_scale: 6,
        skus: &[Sku {
            label: "fargate-vcpu",
            price: (4048, 5),
            per: "AWS Fargate vCPU-Hours (Linux/x86)",
        }],
        base_daily: (8.0, 50.0),
        weekend: 0.7,
        savings_plan: true,
        weight: 2,
    },
    Service {
        name: "Amazon Elastic Kubernetes Service",
        category: "Compute",
        resource_type: "Cluster",
        kind: IdKind::EksCluster,
        zonal: false,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[Sku {
            label: "cluster-hour",
            price: (1, 1),
            per: "Amazon EKS cluster usage hour",
        }],
        base_daily: (2.4, 2.4),
        weekend: 1.0,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon CloudFront",
        category: "Networking",
        resource_type: "Distribution",
        kind: IdKind::CloudFrontDistribution,
        zonal: false,
        global: true,
        unit: "GB",
        qty_scale: 6,
        skus: &[Sku {
            label: "dto-us",
            price: (85, 3),
            per: "GB data transfer out (United States)",
        }],
        base_daily: (2.0, 28.0),
        weekend: 0.85,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Elastic Load Balancing",
        category: "Networking",
        resource_type: "LoadBalancer",
        kind: IdKind::LoadBalancer,
        zonal: false,
        global: false,
        unit: "LCU-Hrs",
        qty_scale: 6,
        skus: &[Sku {
            label: "alb-lcu",
            price: (8, 3),
            per: "used Application load balancer capacity unit-hour (or partial hour)",
        }],
        base_daily: (3.0, 14.0),
        weekend: 0.8,
        savings_plan: false,
        weight: 2,
    },
    Service {
        name: "Amazon Virtual Private Cloud",
        category: "Networking",
        resource_type: "NatGateway",
        kind: IdKind::NatGateway,
        zonal: true,
        global: false,
        unit: "GB",
        qty_scale: 6,
        skus: &[Sku {
            label: "nat-bytes",
            price: (45, 3),
            per: "GB Data Processed by NAT Gateways",
        }],
        base_daily: (3.0, 30.0),
        weekend: 0.8,
        savings_plan: false,
        weight: 2,
    },
    Service {
        name: "Amazon CloudWatch",
        category: "Management and Governance",
        resource_type: "LogGroup",
        kind: IdKind::LogGroup,
        zonal: false,
        global: false,
        unit: "GB",
        qty_scale: 6,
        skus: &[Sku {
            label: "logs-ingest",
            price: (5, 1),
            per: "GB custom log data ingested",
        }],
        base_daily: (1.0, 10.0),
        weekend: 0.85,
        savings_plan: false,
        weight: 2,
    },
    Service {
        name: "AWS Key Management Service",
        category: "Security",
        resource_type: "Key",
        kind: IdKind::KmsKey,
        zonal: false,
        global: false,
        unit: "Requests",
        qty_scale: 0,
        skus: &[Sku {
            label: "kms-requests",
            price: (3, 6),
            per: "request (symmetric)",
        }],
        base_daily: (0.3, 3.0),
        weekend: 0.9,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Simple Queue Service",
        category: "Integration",
        resource_type: "Queue",
        kind: IdKind::SqsQueue,
        zonal: false,
        global: false,
        unit: "Requests",
        qty_scale: 0,
        skus: &[Sku {
            label: "sqs-standard",
            price: (4, 7),
            per: "Amazon SQS standard request",
        }],
        base_daily: (0.5, 6.0),
        weekend: 0.75,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon SageMaker",
        category: "AI and Machine Learning",
        resource_type: "Endpoint",
        kind: IdKind::SageMakerEndpoint,
        zonal: false,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[Sku {
            label: "ml.g5.xlarge-hosting",
            price: (1408, 3),
            per: "ml.g5.xlarge hosting instance hour",
        }],
        base_daily: (10.0, 60.0),
        weekend: 0.85,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Redshift",
        category: "Analytics",
        resource_type: "Cluster",
        kind: IdKind::RedshiftCluster,
        zonal: true,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[Sku {
            label: "ra3.xlplus",
            price: (1086, 3),
            per: "RA3 XLPlus node hour (on demand)",
        }],
        base_daily: (26.0, 80.0),
        weekend: 0.95,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon ElastiCache",
        category: "Databases",
        resource_type: "CacheCluster",
        kind: IdKind::ElastiCacheCluster,
        zonal: true,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[Sku {
            label: "cache.r6g.large",
            price: (206, 3),
            per: "cache.r6g.large node hour (Redis OSS)",
        }],
        base_daily: (5.0, 30.0),
        weekend: 0.95,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "AWS Secrets Manager",
        category: "Security",
        resource_type: "Secret",
        kind: IdKind::Secret,
        zonal: false,
        global: false,
        unit: "Secret-Months",
        qty_scale: 6,
        skus: &[Sku {
            label: "secret-month",
            price: (4, 1),
            per: "secret per month (prorated hourly)",
        }],
        base_daily: (0.2, 2.0),
        weekend: 1.0,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Kinesis",
        category: "Analytics",
        resource_type: "Stream",
        kind: IdKind::KinesisStream,
        zonal: false,
        global: false,
        unit: "ShardHour",
        qty_scale: 6,
        skus: &[Sku {
            label: "shard-hour",
            price: (15, 3),
            per: "provisioned shard hour",
        }],
        base_daily: (1.0, 10.0),
        weekend: 0.85,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Cognito",
        category: "Identity",
        resource_type: "UserPool",
        kind: IdKind::CognitoUserPool,
        zonal: false,
        global: false,
        unit: "MAU",
        qty_scale: 3,
        skus: &[Sku {
            label: "mau-tier1",
            price: (55, 4),
            per: "monthly active user (tier 1, prorated)",
        }],
        base_daily: (0.5, 8.0),
        weekend: 0.9,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Route 53",
        category: "Networking",
        resource_type: "HostedZone",
        kind: IdKind::HostedZone,
        zonal: false,
        global: true,
        unit: "Queries",
        qty_scale: 0,
        skus: &[Sku {
            label: "dns-queries",
            price: (4, 7),
            per: "standard DNS query",
        }],
        base_daily: (0.2, 3.0),
        weekend: 0.9,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon Simple Notification Service",
        category: "Integration",
        resource_type: "Topic",
        kind: IdKind::SnsTopic,
        zonal: false,
        global: false,
        unit: "Requests",
        qty_scale: 0,
        skus: &[Sku {
            label: "sns-publish",
            price: (5, 7),
            per: "Amazon SNS publish request",
        }],
        base_daily: (0.1, 2.0),
        weekend: 0.8,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "Amazon GuardDuty",
        category: "Security",
        resource_type: "Detector",
        kind: IdKind::GuardDutyDetector,
        zonal: false,
        global: false,
        unit: "GB",
        qty_scale: 6,
        skus: &[Sku {
            label: "vpc-flow-analysis",
            price: (1, 0),
            per: "GB of VPC Flow and DNS logs analyzed",
        }],
        base_daily: (1.0, 8.0),
        weekend: 0.9,
        savings_plan: false,
        weight: 1,
    },
    Service {
        name: "AWS Glue",
        category: "Analytics",
        resource_type: "Job",
        kind: IdKind::GlueJob,
        zonal: false,
        global: false,
        unit: "DPU-Hour",
        qty_scale: 6,
        skus: &[Sku {
            label: "etl-dpu",
            price: (44, 2),
            per: "DPU-Hour for Apache Spark ETL job",
        }],
        base_daily: (2.0, 25.0),
        weekend: 0.6,
        savings_plan: false,
        weight: 1,
    },
];

/// Index into [`SERVICES`] of the service with the given id shape.
pub(super) fn service_index(kind: IdKind) -> usize {
    SERVICES
        .iter()
        .position(|s| s.kind == kind)
        .expect("every IdKind has exactly one catalogue entry")
}

/// Whether resources of this kind are listed in the generated inventory
/// (and so priced per type or size from [`PriceList`], not from [`Sku`]s).
pub(super) fn has_inventory(kind: IdKind) -> bool {
    matches!(
        kind,
        IdKind::Ec2Instance | IdKind::EbsVolume | IdKind::RdsDb
    )
}

/// EC2 instance types the generator launches. Every one is listed in
/// `aws-instance-prices.csv` for every region in [`REGIONS`], none is the
/// largest size of its family there, so a bigger size can always be proposed.
pub(super) const EC2_TYPES: &[&str] = &[
    "t3.medium",
    "t3.large",
    "t3.xlarge",
    "m5.large",
    "m5.xlarge",
    "m5.2xlarge",
    "m6i.large",
    "m6i.xlarge",
    "c5.large",
    "c5.xlarge",
    "c5.2xlarge",
    "r5.large",
    "r5.xlarge",
    "r5.2xlarge",
];

/// RDS instance classes, listed for every region like [`EC2_TYPES`]. The
/// price list holds Single-AZ MySQL rates (it has no PostgreSQL figures);
/// the generated PostgreSQL instances are billed at those rates, so the bill
/// and the catalog agree on every class.
pub(super) const RDS_CLASSES: &[&str] = &[
    "db.t3.medium",
    "db.t3.large",
    "db.m5.large",
    "db.m5.xlarge",
    "db.m5.2xlarge",
];

/// EBS volume types, repeated by relative frequency. Only types billed by
/// size alone (no provisioned-IOPS charge), listed for every region.
pub(super) const VOLUME_TYPES: &[&str] = &["gp3", "gp3", "gp3", "gp2"];

/// RDS PostgreSQL engine version written to the inventory.
pub(super) const RDS_ENGINE_VERSION: &str = "15.4";

const INSTANCE_PRICES_CSV: &str = include_str!("../../data/prices/aws-instance-prices.csv");
const EBS_PRICES_CSV: &str = include_str!("../../data/prices/aws-ebs-prices.csv");

/// Shape and hourly list price of one instance type in one region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InstancePrice {
    pub family: String,
    pub vcpu: u32,
    pub memory_gib: Decimal,
    pub hourly: Decimal,
}

/// The public list prices compiled into the binary: EC2 and RDS per
/// instance-hour, EBS per GB-month, keyed by (type, region).
#[derive(Debug, Clone)]
pub(super) struct PriceList {
    instances: HashMap<(String, String), InstancePrice>,
    ebs: HashMap<(String, String), Decimal>,
}

impl PriceList {
    /// Parses the embedded price files and checks that every type the
    /// generator draws from is priced in every region.
    pub fn load() -> Result<PriceList> {
        let mut instances = HashMap::new();
        for (line, row) in data_rows(INSTANCE_PRICES_CSV) {
            let [_service, instance_type, family, _size, vcpu, memory, region, hourly] =
                fields::<8>(&row, line, "aws-instance-prices.csv")?;
            let price = InstancePrice {
                family: family.to_string(),
                vcpu: vcpu
                    .parse()
                    .with_context(|| format!("aws-instance-prices.csv line {line}: vcpu"))?,
                memory_gib: decimal(memory, line, "aws-instance-prices.csv")?,
                hourly: decimal(hourly, line, "aws-instance-prices.csv")?,
            };
            instances.insert((instance_type.to_string(), region.to_string()), price);
        }
        let mut ebs = HashMap::new();
        for (line, row) in data_rows(EBS_PRICES_CSV) {
            let [volume_type, region, gb_month, _iops] =
                fields::<4>(&row, line, "aws-ebs-prices.csv")?;
            ebs.insert(
                (volume_type.to_string(), region.to_string()),
                decimal(gb_month, line, "aws-ebs-prices.csv")?,
            );
        }
        let prices = PriceList { instances, ebs };
        for region in REGIONS {
            for kind in EC2_TYPES.iter().chain(RDS_CLASSES) {
                ensure!(
                    prices.instance(kind, region.id).is_some(),
                    "{kind} has no list price in {}",
                    region.id
                );
            }
            for kind in VOLUME_TYPES {
                ensure!(
                    prices.ebs_gb_month(kind, region.id).is_some(),
                    "EBS {kind} has no list price in {}",
                    region.id
                );
            }
        }
        Ok(prices)
    }

    pub fn instance(&self, instance_type: &str, region: &str) -> Option<&InstancePrice> {
        self.instances
            .get(&(instance_type.to_string(), region.to_string()))
    }

    /// USD per GB-month of provisioned storage.
    pub fn ebs_gb_month(&self, volume_type: &str, region: &str) -> Option<Decimal> {
        self.ebs
            .get(&(volume_type.to_string(), region.to_string()))
            .copied()
    }

    /// Other sizes of the same family in the same region.
    fn siblings<'a>(
        &'a self,
        of: &'a InstancePrice,
        region: &'a str,
    ) -> impl Iterator<Item = &'a InstancePrice> + 'a {
        self.instances
            .iter()
            .filter(move |((_, r), p)| r == region && p.family == of.family && *p != of)
            .map(|(_, p)| p)
    }

    /// Whether a smaller size of the family is listed in the region: one with
    /// fewer vCPUs, or (unless `fewer_vcpus`) as many vCPUs and less memory.
    pub fn has_smaller(&self, instance_type: &str, region: &str, fewer_vcpus: bool) -> bool {
        let Some(this) = self.instance(instance_type, region) else {
            return false;
        };
        self.siblings(this, region).any(|p| {
            p.vcpu < this.vcpu
                || (!fewer_vcpus && p.vcpu == this.vcpu && p.memory_gib < this.memory_gib)
        })
    }

    /// Whether a bigger size of the family is listed in the region.
    pub fn has_bigger(&self, instance_type: &str, region: &str) -> bool {
        let Some(this) = self.instance(instance_type, region) else {
            return false;
        };
        self.siblings(this, region)
            .any(|p| p.vcpu > this.vcpu || (p.vcpu == this.vcpu && p.memory_gib > this.memory_gib))
    }
}

/// Non-comment, non-header lines of an embedded CSV with their line numbers.
/// The files hold plain values (no quoting), so splitting on commas is exact.
fn data_rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|(i, l)| (i, l.split(',').map(str::trim).collect()))
}

fn fields<'a, const N: usize>(row: &[&'a str], line: usize, file: &str) -> Result<[&'a str; N]> {
    match <[&str; N]>::try_from(row) {
        Ok(fields) => Ok(fields),
        Err(_) => bail!(
            "{file} line {line}: expected {N} columns, found {}",
            row.len()
        ),
    }
}

fn decimal(text: &str, line: usize, file: &str) -> Result<Decimal> {
    Decimal::from_str(text)
        .map(|d| d.normalize())
        .with_context(|| format!("{file} line {line}: '{text}' is not a price"))
}
