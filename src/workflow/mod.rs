//! Change requests: engineers ask, managers decide with the monthly cost impact in front of them,
//! and every state change is on record.
//!
//! The rules (who may open, decide and cancel) live in [`rules`], the cost impact in [`impact`],
//! the state changes in [`service`]; [`events`] tells subscribers — on this replica or, through
//! Redis, on every replica — that a request changed.
pub mod events;
pub mod impact;
pub mod list;
pub mod rules;
pub mod service;
pub mod settings;

use std::fmt;

pub use events::{EventBus, WorkflowEvent};
pub use impact::Impact;
pub use rules::Action;
pub use service::{create, decide, Change, Env, NewRequest};

/// What a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "WorkflowRequestKind")]
pub enum Kind {
    /// New instances or DB instances: type × count in a region.
    Provision,
    /// Move a running instance or DB instance to another type.
    Resize,
    /// Terminate an instance, DB instance or volume.
    Terminate,
    /// A new monthly budget for the tenant.
    BudgetChange,
}

/// Where a request is. PENDING → APPROVED | REJECTED | CANCELLED; above the tenant's threshold
/// PENDING → AWAITING_ADMIN (the MANAGER approved) → APPROVED | REJECTED | CANCELLED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
#[graphql(name = "WorkflowRequestStatus")]
pub enum Status {
    /// Waiting for a MANAGER of the tenant.
    Pending,
    /// A MANAGER approved; the cost impact exceeds the tenant's threshold, so an ADMIN must too.
    AwaitingAdmin,
    Approved,
    Rejected,
    /// Withdrawn by its requester.
    Cancelled,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Provision => "PROVISION",
            Kind::Resize => "RESIZE",
            Kind::Terminate => "TERMINATE",
            Kind::BudgetChange => "BUDGET_CHANGE",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Provision,
            Kind::Resize,
            Kind::Terminate,
            Kind::BudgetChange,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl Status {
    pub const OPEN: [Status; 2] = [Status::Pending, Status::AwaitingAdmin];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "PENDING",
            Status::AwaitingAdmin => "AWAITING_ADMIN",
            Status::Approved => "APPROVED",
            Status::Rejected => "REJECTED",
            Status::Cancelled => "CANCELLED",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::AwaitingAdmin,
            Status::Approved,
            Status::Rejected,
            Status::Cancelled,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// Still waiting for a decision (and so still cancellable).
    pub fn is_open(self) -> bool {
        Status::OPEN.contains(&self)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The status stored on a row (rows are only ever written by this module).
pub fn status_of(model: &entity::workflow_request::Model) -> Status {
    Status::parse(&model.status).unwrap_or(Status::Pending)
}

/// The kind stored on a row.
pub fn kind_of(model: &entity::workflow_request::Model) -> Kind {
    Kind::parse(&model.kind).unwrap_or(Kind::Provision)
}
