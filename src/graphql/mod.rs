//! The GraphQL API: schema, resolvers (thin: they check the caller and call the domain), loaders.
pub mod context;
pub mod ids;
pub mod loaders;
pub mod pagination;
pub mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

use crate::config::GraphqlSettings;
pub use context::RequestContext;

pub type ApiSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// Builds the schema with its limits from configuration and the database as shared data.
pub fn build_schema(settings: &GraphqlSettings, db: Option<DatabaseConnection>) -> ApiSchema {
    let mut builder = Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .limit_depth(settings.max_depth)
        .limit_complexity(settings.max_complexity);
    if !settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(db) = db {
        builder = builder.data(db);
    }
    builder.finish()
}

/// The SDL, as `consoleai schema` prints it and `schema.graphql` stores it.
pub fn sdl() -> String {
    let settings = GraphqlSettings {
        introspection: true,
        max_depth: 1,
        max_complexity: 1,
    };
    build_schema(&settings, None).sdl()
}
