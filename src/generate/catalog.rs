//! Static catalogue of the AWS services, SKUs and regions the generator draws from.
//!
//! Prices are real-looking public on-demand list prices for us-east-1; other
//! regions apply a multiplier. Base daily costs are per resource in a
//! production account and are scaled by account and tenant weights later.

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
    pub skus: &'static [Sku],
    /// Range of the base daily cost in USD for a production resource.
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
        skus: &[
            Sku {
                label: "m5.2xlarge",
                price: (384, 3),
                per: "On Demand Linux m5.2xlarge Instance Hour",
            },
            Sku {
                label: "c6i.4xlarge",
                price: (68, 2),
                per: "On Demand Linux c6i.4xlarge Instance Hour",
            },
            Sku {
                label: "r6i.4xlarge",
                price: (1008, 3),
                per: "On Demand Linux r6i.4xlarge Instance Hour",
            },
            Sku {
                label: "m6i.8xlarge",
                price: (1536, 3),
                per: "On Demand Linux m6i.8xlarge Instance Hour",
            },
            Sku {
                label: "g5.2xlarge",
                price: (1212, 3),
                per: "On Demand Linux g5.2xlarge Instance Hour",
            },
        ],
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
        skus: &[
            Sku {
                label: "gp3",
                price: (8, 2),
                per: "GB-month of General Purpose (gp3) provisioned storage",
            },
            Sku {
                label: "io2",
                price: (125, 3),
                per: "GB-month of Provisioned IOPS SSD (io2) provisioned storage",
            },
        ],
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
        resource_type: "DBInstance",
        kind: IdKind::RdsDb,
        zonal: true,
        global: false,
        unit: "Hours",
        qty_scale: 6,
        skus: &[
            Sku {
                label: "db.r6g.xlarge-pg",
                price: (451, 3),
                per: "RDS db.r6g.xlarge Single-AZ instance hour running PostgreSQL",
            },
            Sku {
                label: "db.m6g.2xlarge-mysql",
                price: (616, 3),
                per: "RDS db.m6g.2xlarge Multi-AZ instance hour running MySQL",
            },
        ],
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
