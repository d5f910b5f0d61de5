//! The synthetic AWS Organizations tree and its `org.json` serialisation.
//!
//! Layout (parents always listed before children, as an importer walking the
//! tree top-down expects):
//!
//! ```text
//! Root
//! ├── management account (payer)
//! ├── some unallocated "legacy" accounts
//! ├── Workloads                      (grouping, not a tenant)
//! │   └── <Tenant> [consoleai:tenant=true]
//! │       ├── <slug>-prod, <slug>-shared, ...
//! │       └── <slug>-nonprod         (child OU, no tenant tag)
//! │           ├── <slug>-staging, <slug>-qa, ...
//! │           └── <slug>-dev         (grandchild OU for every third tenant)
//! ├── Infrastructure                 (unallocated shared accounts)
//! ├── Sandbox                        (unallocated personal sandboxes)
//! └── Suspended                      (empty, as in most real orgs)
//! ```

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use rand::rngs::SmallRng;
use rand::Rng;
use serde::Serialize;

use super::GenerateOptions;

/// Tag key that marks an OU as a tenant.
pub(super) const TENANT_TAG_KEY: &str = "consoleai:tenant";

/// Well-known tenant names used first; larger scales fall back to generated ones.
const TENANT_NAMES: &[&str] = &[
    "Payments",
    "Checkout",
    "Search",
    "Data Platform",
    "Mobile",
    "Identity",
    "Logistics",
    "Marketing",
    "Catalog",
    "Notifications",
    "Pricing",
    "Fraud Detection",
    "Recommendations",
    "Messaging",
    "Customer Support",
    "Inventory",
    "Reporting",
    "Growth",
    "Loyalty",
    "Media",
];
const GENERATED_PREFIXES: &[&str] = &[
    "Atlas", "Beacon", "Cobalt", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Ion", "Juniper",
    "Keystone", "Lumen", "Meridian", "Nimbus", "Orion", "Polaris",
];
const GENERATED_SUFFIXES: &[&str] = &[
    "Services", "Platform", "Apps", "Engine", "Portal", "Insights",
];

/// Where a tenant account sits relative to its tenant OU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Directly under the tenant OU.
    TenantOu,
    /// Under the untagged `<slug>-nonprod` child OU.
    NonProd,
    /// Like `NonProd`, but every third tenant nests it one level deeper.
    Dev,
}

/// Account "role" inside a tenant: name suffix, placement, env tag and cost weight.
struct Role {
    suffix: &'static str,
    placement: Placement,
    env: &'static str,
    weight: f64,
}

const TENANT_ROLES: &[Role] = &[
    Role {
        suffix: "prod",
        placement: Placement::TenantOu,
        env: "prod",
        weight: 1.0,
    },
    Role {
        suffix: "staging",
        placement: Placement::NonProd,
        env: "staging",
        weight: 0.4,
    },
    Role {
        suffix: "dev",
        placement: Placement::Dev,
        env: "dev",
        weight: 0.25,
    },
    Role {
        suffix: "shared",
        placement: Placement::TenantOu,
        env: "shared",
        weight: 0.5,
    },
    Role {
        suffix: "qa",
        placement: Placement::NonProd,
        env: "qa",
        weight: 0.3,
    },
    Role {
        suffix: "perf",
        placement: Placement::NonProd,
        env: "perf",
        weight: 0.35,
    },
    Role {
        suffix: "data",
        placement: Placement::TenantOu,
        env: "prod",
        weight: 0.8,
    },
    Role {
        suffix: "analytics",
        placement: Placement::TenantOu,
        env: "prod",
        weight: 0.6,
    },
    Role {
        suffix: "ml",
        placement: Placement::NonProd,
        env: "dev",
        weight: 0.3,
    },
    Role {
        suffix: "sandbox",
        placement: Placement::NonProd,
        env: "sandbox",
        weight: 0.15,
    },
];

const SANDBOX_PEOPLE: &[&str] = &[
    "alice", "bruno", "carla", "deepak", "elena", "farid", "grace", "hiro",
];
const LEGACY_NAMES: &[&str] = &[
    "legacy-billing",
    "legacy-website",
    "poc-genai",
    "legacy-reporting",
];
const INFRA_NAMES: &[&str] = &[
    "network-hub",
    "security-tooling",
    "log-archive",
    "shared-services",
    "backup-vault",
];

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Root {
    pub id: String,
    pub name: String,
    pub arn: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Ou {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub parent_id: String,
    pub tags: Vec<Tag>,
}

/// An account as AWS CLI prints it, plus generator-only attributes skipped in JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Account {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub email: String,
    pub status: &'static str,
    pub joined_method: &'static str,
    pub joined_timestamp: String,
    pub parent_id: String,
    /// Index into [`Org::tenants`] of the tenant that owns the account.
    #[serde(skip)]
    pub tenant: Option<usize>,
    /// Value of the `environment` cost tag.
    #[serde(skip)]
    pub env: &'static str,
    /// Multiplier on resource cost (prod spends more than dev).
    #[serde(skip)]
    pub weight: f64,
}

/// The exact document written to `org.json`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OrgFile {
    pub roots: Vec<Root>,
    pub organizational_units: Vec<Ou>,
    pub accounts: Vec<Account>,
}

/// A tenant OU and the attributes its cost tags and spend derive from.
#[derive(Debug, Clone)]
pub(super) struct Tenant {
    pub ou_id: String,
    pub slug: String,
    pub cost_center: String,
    /// Size multiplier so tenants do not all spend the same.
    pub scale: f64,
    /// Indices into [`OrgFile::accounts`], first one is the prod account.
    pub accounts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(super) struct Org {
    pub file: OrgFile,
    pub tenants: Vec<Tenant>,
    /// Index of the management (payer) account in `file.accounts`.
    pub payer: usize,
}

impl Org {
    pub fn payer(&self) -> &Account {
        &self.file.accounts[self.payer]
    }

    /// Builds the whole tree; all randomness comes from `rng`.
    pub fn build(opts: &GenerateOptions, rng: &mut SmallRng) -> Org {
        let mut b = Builder::new(rng);
        let root = b.root_id.clone();
        let workloads = b.ou("Workloads", &root, vec![tag("purpose", "tenant-workloads")]);
        let infra = b.ou(
            "Infrastructure",
            &root,
            vec![tag("owner", "cloud-platform")],
        );
        let sandbox = b.ou("Sandbox", &root, vec![tag("purpose", "experimentation")]);
        b.ou("Suspended", &root, Vec::new());

        let tenants = (0..opts.tenants)
            .map(|t| b.tenant(t, &workloads, opts.accounts_per_tenant))
            .collect();
        for u in 0..opts.unallocated_accounts {
            b.unallocated(u, &infra, &sandbox);
        }
        Org {
            file: OrgFile {
                roots: vec![Root {
                    id: root,
                    name: "Root".into(),
                    arn: b.root_arn(),
                }],
                organizational_units: b.ous,
                accounts: b.accounts,
            },
            tenants,
            payer: 0,
        }
    }

    /// Writes `org.json` pretty-printed, the way `aws organizations ...` output is usually saved.
    pub fn write_json(&self, path: &Path) -> Result<()> {
        let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = BufWriter::new(file);
        serde_json::to_writer_pretty(&mut out, &self.file)
            .with_context(|| format!("writing {}", path.display()))?;
        out.write_all(b"\n")
            .and_then(|()| out.flush())
            .with_context(|| format!("writing {}", path.display()))
    }
}

fn tag(key: &str, value: &str) -> Tag {
    Tag {
        key: key.into(),
        value: value.into(),
    }
}

/// Display name of the `index`-th tenant; unique for any index.
pub(super) fn tenant_name(index: usize) -> String {
    if let Some(name) = TENANT_NAMES.get(index) {
        return (*name).to_string();
    }
    let k = index - TENANT_NAMES.len();
    let combos = GENERATED_PREFIXES.len() * GENERATED_SUFFIXES.len();
    let base = format!(
        "{} {}",
        GENERATED_PREFIXES[k % GENERATED_PREFIXES.len()],
        GENERATED_SUFFIXES[(k / GENERATED_PREFIXES.len()) % GENERATED_SUFFIXES.len()]
    );
    match k / combos {
        0 => base,
        round => format!("{base} {}", round + 1),
    }
}

/// Lower-case, dash-separated form used in account names and tags.
fn slugify(name: &str) -> String {
    name.to_ascii_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

/// `list[i]` while it lasts, then `<fallback>-<n>` so names stay unique.
fn pick_name(list: &[&str], i: usize, fallback: &str) -> String {
    match list.get(i) {
        Some(name) => (*name).to_string(),
        None => format!("{fallback}-{}", i + 1),
    }
}

/// Random string over `alphabet`.
pub(super) fn random_string(rng: &mut SmallRng, alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

pub(super) const LOWER_ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
pub(super) const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(super) const HEX: &[u8] = b"0123456789abcdef";

/// Accumulates OUs and accounts while keeping every generated id unique.
struct Builder<'r> {
    rng: &'r mut SmallRng,
    used_ids: HashSet<String>,
    org_id: String,
    root_suffix: String,
    root_id: String,
    payer_id: String,
    ous: Vec<Ou>,
    accounts: Vec<Account>,
}

impl<'r> Builder<'r> {
    fn new(rng: &'r mut SmallRng) -> Self {
        let org_id = format!("o-{}", random_string(rng, LOWER_ALNUM, 10));
        let root_suffix = random_string(rng, LOWER_ALNUM, 4);
        let mut b = Builder {
            rng,
            used_ids: HashSet::new(),
            org_id,
            root_id: format!("r-{root_suffix}"),
            root_suffix,
            payer_id: String::new(),
            ous: Vec::new(),
            accounts: Vec::new(),
        };
        b.payer_id = b.account_id();
        let root_id = b.root_id.clone();
        let id = b.payer_id.clone();
        b.push_account(id, "management", &root_id, None, "prod", 0.1);
        b
    }

    fn root_arn(&self) -> String {
        format!(
            "arn:aws:organizations::{}:root/{}/{}",
            self.payer_id, self.org_id, self.root_id
        )
    }

    /// A fresh 12-digit account id (no leading zero, so tools that treat it as a number round-trip it).
    fn account_id(&mut self) -> String {
        loop {
            let first = self.rng.random_range(1..=9u8);
            let rest = random_string(self.rng, b"0123456789", 11);
            let id = format!("{first}{rest}");
            if self.used_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    fn ou_id(&mut self) -> String {
        loop {
            let id = format!(
                "ou-{}-{}",
                self.root_suffix,
                random_string(self.rng, LOWER_ALNUM, 8)
            );
            if self.used_ids.insert(id.clone()) {
                return id;
            }
        }
    }

    /// Adds an OU and returns its id.
    fn ou(&mut self, name: &str, parent_id: &str, tags: Vec<Tag>) -> String {
        let id = self.ou_id();
        let arn = format!(
            "arn:aws:organizations::{}:ou/{}/{}",
            self.payer_id, self.org_id, id
        );
        self.ous.push(Ou {
            id: id.clone(),
            name: name.into(),
            arn,
            parent_id: parent_id.into(),
            tags,
        });
        id
    }

    /// A join timestamp between 2019 and mid-2024, in the AWS CLI's microsecond format.
    fn joined_timestamp(&mut self) -> String {
        let day = NaiveDate::from_ymd_opt(2019, 1, 1).expect("valid constant date")
            + Duration::days(self.rng.random_range(0..2000));
        let at = day.and_hms_micro_opt(
            self.rng.random_range(8..19),
            self.rng.random_range(0..60),
            self.rng.random_range(0..60),
            self.rng.random_range(0..1_000_000),
        );
        at.expect("generated time components are in range")
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string()
    }

    fn push_account(
        &mut self,
        id: String,
        name: &str,
        parent_id: &str,
        tenant: Option<usize>,
        env: &'static str,
        weight: f64,
    ) -> usize {
        let joined_timestamp = self.joined_timestamp();
        let joined_method = if self.rng.random_bool(0.15) {
            "INVITED"
        } else {
            "CREATED"
        };
        let arn = format!(
            "arn:aws:organizations::{}:account/{}/{}",
            self.payer_id, self.org_id, id
        );
        self.accounts.push(Account {
            id,
            name: name.into(),
            arn,
            email: format!("aws+{name}@example.com"),
            status: "ACTIVE",
            joined_method,
            joined_timestamp,
            parent_id: parent_id.into(),
            tenant,
            env,
            weight,
        });
        self.accounts.len() - 1
    }

    /// Creates tenant OU `index` under `workloads` with its accounts and nested OUs.
    fn tenant(&mut self, index: usize, workloads: &str, accounts: usize) -> Tenant {
        let name = tenant_name(index);
        let slug = slugify(&name);
        let cost_center = format!("CC-{}", 1000 + index * 10 + self.rng.random_range(0..10));
        let tags = vec![
            tag(TENANT_TAG_KEY, "true"),
            tag("cost-center", &cost_center),
        ];
        let ou_id = self.ou(&name, workloads, tags);
        let scale = 0.45 + self.rng.random::<f64>() * 1.1;

        let mut nonprod: Option<String> = None;
        let mut dev: Option<String> = None;
        let mut members = Vec::with_capacity(accounts);
        for a in 0..accounts {
            let (suffix, placement, env, weight) = match TENANT_ROLES.get(a) {
                Some(r) => (r.suffix.to_string(), r.placement, r.env, r.weight),
                None => (
                    format!("workload-{}", a + 1),
                    Placement::TenantOu,
                    "prod",
                    0.5,
                ),
            };
            let parent = match placement {
                Placement::TenantOu => ou_id.clone(),
                Placement::NonProd => self.nonprod_ou(&mut nonprod, &slug, &ou_id),
                Placement::Dev if index.is_multiple_of(3) => {
                    let np = self.nonprod_ou(&mut nonprod, &slug, &ou_id);
                    dev.get_or_insert_with(|| {
                        self.ou(&format!("{slug}-dev"), &np, vec![tag("environment", "dev")])
                    })
                    .clone()
                }
                Placement::Dev => self.nonprod_ou(&mut nonprod, &slug, &ou_id),
            };
            let id = self.account_id();
            members.push(self.push_account(
                id,
                &format!("{slug}-{suffix}"),
                &parent,
                Some(index),
                env,
                weight,
            ));
        }
        Tenant {
            ou_id,
            slug,
            cost_center,
            scale,
            accounts: members,
        }
    }

    /// The tenant's untagged `<slug>-nonprod` child OU, created on first use.
    fn nonprod_ou(&mut self, slot: &mut Option<String>, slug: &str, tenant_ou: &str) -> String {
        if let Some(id) = slot {
            return id.clone();
        }
        let id = self.ou(
            &format!("{slug}-nonprod"),
            tenant_ou,
            vec![tag("environment", "nonprod")],
        );
        *slot = Some(id.clone());
        id
    }

    /// Unallocated account `u`, rotating between Sandbox OU, the root and Infrastructure OU.
    fn unallocated(&mut self, u: usize, infra: &str, sandbox: &str) {
        let (name, parent, env, weight) = match u % 3 {
            0 => (
                format!("sandbox-{}", pick_name(SANDBOX_PEOPLE, u / 3, "user")),
                sandbox.to_string(),
                "sandbox",
                0.15,
            ),
            1 => (
                pick_name(LEGACY_NAMES, u / 3, "legacy"),
                self.root_id.clone(),
                "prod",
                0.3,
            ),
            _ => (
                pick_name(INFRA_NAMES, u / 3, "infra"),
                infra.to_string(),
                "shared",
                0.5,
            ),
        };
        let id = self.account_id();
        self.push_account(id, &name, &parent, None, env, weight);
    }
}
