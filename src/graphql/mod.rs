//! The GraphQL API: schema, resolvers (thin: they check the caller and call the domain), loaders.
pub mod context;
pub mod ids;
pub mod imports;
pub mod inventory;
pub mod loaders;
pub mod pagination;
pub mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::config::GraphqlSettings;
pub use context::RequestContext;

/// Every query field, gathered from the modules that own them.
#[derive(MergedObject, Default)]
pub struct Query(query::QueryRoot, imports::ImportQuery);

pub type ApiSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the schema with its limits from configuration and the database as shared data.
pub fn build_schema(settings: &GraphqlSettings, db: Option<DatabaseConnection>) -> ApiSchema {
    let mut builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
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
