//! Abuse limits checked before anything executes: the document's size and shape (length,
//! aliases, selections, directives — async-graphql checks depth and complexity), and each
//! caller's budget of query cost.
//!
//! The budget works like Shopify's: every caller has a bucket of points (the query complexity,
//! where a page counts its items × `first`) that refills at a steady rate. A request whose cost
//! exceeds what is left is refused with RATE_LIMITED before it runs; every answer carries its
//! cost and what is left in `extensions.cost`, so clients can pace themselves.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Response, ServerError, ValidationResult};

use super::RequestContext;
use crate::config::GraphqlSettings;
use crate::error::AppError;

/// Checks a document against the size and shape limits; returns it parsed.
pub fn check_document(
    query: &str,
    settings: &GraphqlSettings,
) -> Result<ExecutableDocument, LimitError> {
    if query.len() > settings.max_document_bytes {
        return Err(LimitError::Limit(format!(
            "the document is {} bytes; at most {} are accepted",
            query.len(),
            settings.max_document_bytes
        )));
    }
    let document =
        async_graphql::parser::parse_query(query).map_err(|e| LimitError::Parse(e.to_string()))?;
    let mut counts = Counts::default();
    for (_, operation) in document.operations.iter() {
        counts.directives += operation.node.directives.len();
        counts.walk(&operation.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        counts.directives += fragment.node.directives.len();
        counts.walk(&fragment.node.selection_set.node);
    }
    for (what, count, max) in [
        ("aliases", counts.aliases, settings.max_aliases),
        (
            "field selections",
            counts.selections,
            settings.max_selections,
        ),
        ("directives", counts.directives, settings.max_directives),
    ] {
        if count > max {
            return Err(LimitError::Limit(format!(
                "the document has {count} {what}; at most {max} are accepted"
            )));
        }
    }
    Ok(document)
}

/// Why a document was refused before execution.
#[derive(Debug)]
pub enum LimitError {
    /// Not GraphQL.
    Parse(String),
    /// Too big or too wide.
    Limit(String),
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    selections: usize,
    directives: usize,
}

impl Counts {
    fn walk(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    self.selections += 1;
                    self.aliases += field.node.alias.is_some() as usize;
                    self.directives += field.node.directives.len();
                    self.walk(&field.node.selection_set.node);
                }
                Selection::FragmentSpread(spread) => {
                    self.selections += 1;
                    self.directives += spread.node.directives.len();
                }
                Selection::InlineFragment(inline) => {
                    self.directives += inline.node.directives.len();
                    self.walk(&inline.node.selection_set.node);
                }
            }
        }
    }
}

/// Every caller's bucket of points.
pub struct RateLimiter {
    capacity: f64,
    restore_per_sec: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

/// What a request cost and what its caller has left.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    pub cost: u64,
    pub remaining: u64,
}

impl RateLimiter {
    pub fn new(settings: &GraphqlSettings) -> Option<Arc<RateLimiter>> {
        (settings.rate_limit_points > 0).then(|| {
            Arc::new(RateLimiter {
                capacity: settings.rate_limit_points as f64,
                restore_per_sec: settings.rate_limit_restore_per_sec as f64,
                buckets: Mutex::new(HashMap::new()),
            })
        })
    }

    /// Takes `cost` points from `caller`'s bucket, or says how many are left if not enough.
    pub fn take(&self, caller: &str, cost: u64) -> Result<Spent, Spent> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (points, at) = buckets
            .entry(caller.to_string())
            .or_insert((self.capacity, now));
        let refilled = (*points + now.duration_since(*at).as_secs_f64() * self.restore_per_sec)
            .min(self.capacity);
        *at = now;
        if (cost as f64) > refilled {
            *points = refilled;
            return Err(Spent {
                cost,
                remaining: refilled as u64,
            });
        }
        *points = refilled - cost as f64;
        Ok(Spent {
            cost,
            remaining: *points as u64,
        })
    }

    pub fn capacity(&self) -> u64 {
        self.capacity as u64
    }

    pub fn restore_per_sec(&self) -> u64 {
        self.restore_per_sec as u64
    }
}

/// The extension that charges each request its cost after validation (when the complexity is
/// known and nothing has run yet).
pub struct CostLimit(pub Arc<RateLimiter>);

impl ExtensionFactory for CostLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Charge {
            limiter: self.0.clone(),
            spent: Mutex::new(None),
        })
    }
}

struct Charge {
    limiter: Arc<RateLimiter>,
    spent: Mutex<Option<Spent>>,
}

#[async_trait::async_trait]
impl Extension for Charge {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        let Some(request) = ctx.data_opt::<RequestContext>() else {
            return Ok(result);
        };
        match self
            .limiter
            .take(&request.principal.subject, result.complexity as u64)
        {
            Ok(spent) => {
                *self.spent.lock().unwrap_or_else(|p| p.into_inner()) = Some(spent);
                Ok(result)
            }
            Err(short) => {
                let error: async_graphql::Error = AppError::RateLimited.into();
                let mut error = error.into_server_error(async_graphql::Pos::default());
                error.locations.clear();
                if let Some(extensions) = error.extensions.as_mut() {
                    extensions.set("cost", short.cost);
                    extensions.set("remaining", short.remaining);
                    extensions.set("restoreRate", self.limiter.restore_per_sec());
                }
                Err(vec![error])
            }
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let spent = *self.spent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(spent) = spent {
            response.extensions.insert(
                "cost".into(),
                async_graphql::value!({
                    "requestedQueryCost": spent.cost,
                    "throttleStatus": {
                        "maximumAvailable": self.limiter.capacity(),
                        "currentlyAvailable": spent.remaining,
                        "restoreRate": self.limiter.restore_per_sec(),
                    }
                }),
            );
        }
        response
    }
}
