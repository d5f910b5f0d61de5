//! The GraphQL API: schema, resolvers (thin: they check the caller and call the domain), loaders.
pub mod audit;
mod audit_trail;
pub mod context;
pub mod ids;
pub mod imports;
pub mod inventory;
pub mod limits;
pub mod loaders;
pub mod outlook;
pub mod pagination;
pub mod query;
pub mod types;
pub mod workflow;

use async_graphql::{MergedObject, MergedSubscription, Schema};

use crate::config::GraphqlSettings;
pub use context::{RequestContext, Services};

/// Every query field, gathered from the modules that own them.
#[derive(MergedObject, Default)]
pub struct Query(query::QueryRoot, imports::ImportQuery, audit::AuditQuery);

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(workflow::WorkflowMutation, outlook::BudgetMutation);

/// Every subscription.
#[derive(MergedSubscription, Default)]
pub struct Subscription(workflow::WorkflowSubscription);

pub type ApiSchema = Schema<Query, Mutation, Subscription>;

/// Builds the schema with its limits from configuration and the shared services as data.
pub fn build_schema(settings: &GraphqlSettings, services: Option<Services>) -> ApiSchema {
    let mut builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .limit_depth(settings.max_depth)
    .limit_complexity(settings.max_complexity);
    if !settings.introspection_allowed() {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(limiter) = limits::RateLimiter::new(settings) {
        builder = builder.extension(limits::CostLimit(limiter));
    }
    if let Some(services) = services {
        builder = builder.data(services).extension(audit_trail::AuditTrail);
    }
    builder.finish()
}

/// The SDL, as `consoleai schema` prints it and `schema.graphql` stores it.
pub fn sdl() -> String {
    let settings = GraphqlSettings::default();
    build_schema(&settings, None).sdl()
}
