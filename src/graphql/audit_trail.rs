//! Every read of cost is on record: the resolvers note the reads in the request's buffer, and this
//! extension writes them in one statement when the operation has run, before the answer leaves.
//! If the write fails the answer is replaced by an error — cost is never served unrecorded.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::Response;

use super::RequestContext;
use crate::error::AppError;

pub struct AuditTrail;

impl ExtensionFactory for AuditTrail {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Flush)
    }
}

struct Flush;

#[async_trait::async_trait]
impl Extension for Flush {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        let Some(request) = ctx.data_opt::<RequestContext>() else {
            return response;
        };
        match request
            .audit
            .flush(&request.services.db, &request.viewer)
            .await
        {
            Ok(()) => response,
            Err(e) => {
                let error: async_graphql::Error = AppError::from(e).into();
                Response::from_errors(vec![error.into_server_error(async_graphql::Pos::default())])
            }
        }
    }
}
