//! Who may do what to a request (SPEC §7), as pure functions of the caller and the request.
//!
//! Visibility comes first and is not decided here: a request of a tenant the caller cannot see is
//! NOT_FOUND before these rules run, so they only ever answer FORBIDDEN or CONFLICT about
//! requests the caller is allowed to know exist.
use crate::auth::{Principal, Role};
use crate::error::AppError;
use entity::workflow_request::Model;

use super::{status_of, Status};

/// What a caller does to an open request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    /// Withdraw it (its requester only).
    Cancel,
}

/// The decision step a decider takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "DecisionStep")]
pub enum Step {
    /// A MANAGER of the tenant (every request).
    Manager,
    /// An ADMIN, after the MANAGER, when the monthly delta exceeds the tenant's threshold.
    Admin,
}

/// Whether `principal` may take `action` on `request` now; for a decision, the step it takes.
pub fn check(
    principal: &Principal,
    request: &Model,
    action: Action,
) -> Result<Option<Step>, AppError> {
    let status = status_of(request);
    if action == Action::Cancel {
        if principal.subject != request.requester {
            return Err(AppError::Forbidden(
                "only the requester may cancel a request".into(),
            ));
        }
        if !status.is_open() {
            return Err(already(status));
        }
        return Ok(None);
    }
    if principal.role < Role::Manager {
        return Err(AppError::Forbidden(
            "deciding a request needs the MANAGER role".into(),
        ));
    }
    if principal.subject == request.requester {
        return Err(AppError::Forbidden(
            "nobody decides their own request".into(),
        ));
    }
    match status {
        Status::Pending => Ok(Some(Step::Manager)),
        Status::AwaitingAdmin => {
            if principal.role < Role::Admin {
                return Err(AppError::Forbidden(
                    "a MANAGER approved this request; its cost impact exceeds the tenant's threshold, so it now needs an ADMIN"
                        .into(),
                ));
            }
            if request.manager_decider.as_deref() == Some(principal.subject.as_str()) {
                return Err(AppError::Forbidden(
                    "the second approval must come from someone other than the first".into(),
                ));
            }
            Ok(Some(Step::Admin))
        }
        decided => Err(already(decided)),
    }
}

/// The status after `action`, taken at `step`, on a request that does or does not need an ADMIN.
pub fn next_status(action: Action, step: Option<Step>, needs_admin: bool) -> Status {
    match (action, step) {
        (Action::Cancel, _) => Status::Cancelled,
        (Action::Reject, _) => Status::Rejected,
        (Action::Approve, Some(Step::Manager)) if needs_admin => Status::AwaitingAdmin,
        (Action::Approve, _) => Status::Approved,
    }
}

fn already(status: Status) -> AppError {
    AppError::Conflict(format!(
        "the request is {status}; only open requests can change"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn person(subject: &str, role: Role) -> Principal {
        Principal {
            subject: subject.into(),
            role,
            tenants: ["ou-a".to_string()].into(),
        }
    }

    fn request(status: Status, needs_admin: bool) -> Model {
        Model {
            id: 1,
            tenant_id: "ou-a".into(),
            kind: "PROVISION".into(),
            status: status.as_str().into(),
            version: 1,
            requester: "dev".into(),
            requester_role: "DEVOPS".into(),
            justification: None,
            resource_id: None,
            resource_ref: None,
            current_type: None,
            instance_type: Some("m5.large".into()),
            instance_count: Some(1),
            region: Some("us-east-1".into()),
            budget: None,
            currency: "USD".into(),
            current_monthly: 0,
            proposed_monthly: 0,
            delta_monthly: 0,
            price_source: None,
            admin_threshold: 0,
            needs_admin,
            recommendation_resource_id: None,
            manager_decider: (status == Status::AwaitingAdmin).then(|| "boss".into()),
            manager_decision: None,
            manager_comment: None,
            manager_decided_at: None,
            admin_decider: None,
            admin_decision: None,
            admin_comment: None,
            admin_decided_at: None,
            idempotency_key: None,
            payload_hash: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn code(r: Result<Option<Step>, AppError>) -> &'static str {
        r.err().map(|e| e.code()).unwrap_or("OK")
    }

    #[test]
    fn a_manager_decides_other_peoples_requests_only() {
        let pending = request(Status::Pending, false);
        let boss = person("boss", Role::Manager);
        assert_eq!(
            check(&boss, &pending, Action::Approve).unwrap(),
            Some(Step::Manager)
        );
        assert_eq!(
            check(&boss, &pending, Action::Reject).unwrap(),
            Some(Step::Manager)
        );
        let own = Model {
            requester: "boss".into(),
            ..pending.clone()
        };
        assert_eq!(code(check(&boss, &own, Action::Approve)), "FORBIDDEN");
        assert_eq!(
            code(check(
                &person("dev2", Role::Devops),
                &pending,
                Action::Approve
            )),
            "FORBIDDEN"
        );
    }

    #[test]
    fn above_the_threshold_an_admin_other_than_the_manager_decides_second() {
        let awaiting = request(Status::AwaitingAdmin, true);
        assert_eq!(
            code(check(
                &person("boss2", Role::Manager),
                &awaiting,
                Action::Approve
            )),
            "FORBIDDEN"
        );
        assert_eq!(
            check(&person("root", Role::Admin), &awaiting, Action::Approve).unwrap(),
            Some(Step::Admin)
        );
        let same_person = Model {
            manager_decider: Some("root".into()),
            ..awaiting
        };
        assert_eq!(
            code(check(
                &person("root", Role::Admin),
                &same_person,
                Action::Approve
            )),
            "FORBIDDEN"
        );
        assert_eq!(
            next_status(Action::Approve, Some(Step::Manager), true),
            Status::AwaitingAdmin
        );
        assert_eq!(
            next_status(Action::Approve, Some(Step::Admin), true),
            Status::Approved
        );
        assert_eq!(
            next_status(Action::Approve, Some(Step::Manager), false),
            Status::Approved
        );
    }

    #[test]
    fn only_the_requester_cancels_and_only_while_open() {
        let pending = request(Status::Pending, false);
        assert_eq!(
            check(&person("dev", Role::Devops), &pending, Action::Cancel).unwrap(),
            None
        );
        assert_eq!(
            code(check(
                &person("boss", Role::Manager),
                &pending,
                Action::Cancel
            )),
            "FORBIDDEN"
        );
        let approved = request(Status::Approved, false);
        assert_eq!(
            code(check(
                &person("dev", Role::Devops),
                &approved,
                Action::Cancel
            )),
            "CONFLICT"
        );
        assert_eq!(
            code(check(
                &person("boss", Role::Manager),
                &approved,
                Action::Approve
            )),
            "CONFLICT"
        );
    }
}
