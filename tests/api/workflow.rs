//! The approval workflow through the API: cost impact, the rules, concurrency, idempotency, the
//! audit trail and the live subscription.
use std::time::Duration;

use consoleai::auth::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::inventory::{instances, organisation, ALPHA, BETA};
use crate::support::*;

const REQUEST_FIELDS: &str = "fragment R on WorkflowRequest { id kind status version tenantOuId requester requesterRole
  needsAdminApproval instanceType instanceCount region currentType resourceRef justification
  costImpact { currentMonthlyCost { amount currency } proposedMonthlyCost { amount } monthlyDelta { amount } priceSource }
  budget { amount } decisions { step outcome decider comment } viewerCanDecide viewerCanCancel }";

fn create_document() -> String {
    format!(
        "mutation($tenant: ID!, $change: WorkflowChangeInput!, $key: String, $why: String) {{
           createWorkflowRequest(tenantId: $tenant, change: $change, idempotencyKey: $key, justification: $why) {{
             replayed request {{ ...R }} }} }} {REQUEST_FIELDS}"
    )
}

fn decide_document(mutation: &str) -> String {
    let comment = match mutation {
        "cancelWorkflowRequest" => "",
        _ => ", comment: $comment",
    };
    let declared = match mutation {
        "cancelWorkflowRequest" => "",
        "rejectWorkflowRequest" => ", $comment: String!",
        _ => ", $comment: String",
    };
    format!(
        "mutation($id: ID!, $version: Int!{declared}) {{
           {mutation}(id: $id, expectedVersion: $version{comment}) {{ request {{ ...R }} }} }} {REQUEST_FIELDS}"
    )
}

/// Alpha runs i-0big (m5.2xlarge) and i-0small (m5.large) in account 111111111111; Beta runs
/// i-0beta (m5.large) in 222222222222.
struct World {
    app: TestApp,
    _scratch: Scratch,
    dev: String,
    boss: String,
}

async fn world_on(app: TestApp) -> World {
    let scratch = Scratch::new();
    organisation(&app, &scratch).await;
    let alpha = scratch.write(
        "alpha.json",
        &instances(
            "111111111111",
            &[
                ("i-0big", "m5.2xlarge", "batch"),
                ("i-0small", "m5.large", "web"),
            ],
        ),
    );
    let beta = scratch.write(
        "beta.json",
        &instances("222222222222", &[("i-0beta", "m5.large", "beta")]),
    );
    app.import_inventory(&[alpha, beta], None, None).await;
    World {
        dev: app.token_for("dev@alpha", Role::Devops, &[ALPHA]),
        boss: app.token_for("boss@alpha", Role::Manager, &[ALPHA]),
        app,
        _scratch: scratch,
    }
}

async fn world() -> World {
    world_on(spawn_app().await).await
}

impl World {
    /// The global ID of a resource of a tenant.
    async fn resource(&self, tenant: &str, resource_id: &str) -> String {
        let answer = self
            .app
            .graphql(
                Some(&self.app.admin()),
                "query($t: ID!) { tenant(id: $t) { inventory(first: 100) { edges { node { id resourceId } } } } }",
                json!({ "t": tenant }),
            )
            .await;
        answer.data()["tenant"]["inventory"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["resourceId"] == resource_id)
            .map(|e| e["node"]["id"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{resource_id} not in {tenant}"))
    }

    async fn create(&self, token: &str, tenant: &str, change: Value, key: Option<&str>) -> Answer {
        self.app
            .graphql(
                Some(token),
                &create_document(),
                json!({ "tenant": tenant, "change": change, "key": key, "why": "cheaper" }),
            )
            .await
    }

    /// Opens a request and returns it.
    async fn open(&self, token: &str, tenant: &str, change: Value) -> Value {
        let answer = self.create(token, tenant, change, None).await;
        answer.data()["createWorkflowRequest"]["request"].clone()
    }

    async fn decide(
        &self,
        token: &str,
        mutation: &str,
        request: &Value,
        comment: Option<&str>,
    ) -> Answer {
        self.app
            .graphql(
                Some(token),
                &decide_document(mutation),
                json!({ "id": request["id"], "version": request["version"], "comment": comment }),
            )
            .await
    }

    async fn resize_big(&self) -> Value {
        let big = self.resource(ALPHA, "i-0big").await;
        self.open(
            &self.dev,
            ALPHA,
            json!({ "resize": { "resourceId": big, "targetType": "m5.xlarge" } }),
        )
        .await
    }
}

fn amount(v: &Value) -> &str {
    v["amount"].as_str().unwrap()
}

#[tokio::test]
async fn a_resize_costs_what_the_price_table_says_and_a_manager_approves_it_on_record() {
    let w = world().await;
    let request = w.resize_big().await;
    assert_eq!(request["kind"], "RESIZE");
    assert_eq!(request["status"], "PENDING");
    assert_eq!(request["version"], 1);
    assert_eq!(request["requester"], "dev@alpha");
    assert_eq!(request["requesterRole"], "DEVOPS");
    assert_eq!(request["currentType"], "m5.2xlarge");
    assert_eq!(request["resourceRef"], "i-0big");
    // us-east-1 Linux on-demand: m5.2xlarge 0.384 $/h, m5.xlarge 0.192 $/h; × 730 h.
    let impact = &request["costImpact"];
    assert_eq!(amount(&impact["currentMonthlyCost"]), "280.32");
    assert_eq!(amount(&impact["proposedMonthlyCost"]), "140.16");
    assert_eq!(amount(&impact["monthlyDelta"]), "-140.16");
    assert_eq!(impact["priceSource"], "CATALOG");
    assert_eq!(request["needsAdminApproval"], false);
    assert_eq!(request["viewerCanCancel"], true);
    assert_eq!(request["viewerCanDecide"], false);

    let pending = "query($t: ID!) { tenant(id: $t) { pendingRequestCount
        workflowRequests(status: [PENDING, AWAITING_ADMIN]) { totalCount edges { node { id } } } } }";
    let before = w
        .app
        .graphql(Some(&w.boss), pending, json!({ "t": ALPHA }))
        .await;
    assert_eq!(before.data()["tenant"]["pendingRequestCount"], 1);
    assert_eq!(
        before.data()["tenant"]["workflowRequests"]["edges"][0]["node"]["id"],
        request["id"]
    );

    let approved = w
        .decide(&w.boss, "approveWorkflowRequest", &request, Some("go"))
        .await;
    let approved = &approved.data()["approveWorkflowRequest"]["request"];
    assert_eq!(approved["status"], "APPROVED");
    assert_eq!(approved["version"], 2);
    assert_eq!(
        approved["decisions"],
        json!([{ "step": "MANAGER", "outcome": "APPROVED", "decider": "boss@alpha", "comment": "go" }])
    );
    let after = w
        .app
        .graphql(Some(&w.boss), pending, json!({ "t": ALPHA }))
        .await;
    assert_eq!(after.data()["tenant"]["pendingRequestCount"], 0);

    // The manager reads the tenant's audit log: the creation and the approval, with role,
    // request id and before/after.
    let log = w
        .app
        .graphql(
            Some(&w.boss),
            "query($t: ID!) { tenant(id: $t) { auditEvents(filter: {action: \"workflow.\"}) { totalCount
               edges { node { actor actorRole action tenantOuId target requestId before after } } } } }",
            json!({ "t": ALPHA }),
        )
        .await;
    let events = &log.data()["tenant"]["auditEvents"];
    assert_eq!(events["totalCount"], 2);
    let approve = &events["edges"][0]["node"];
    assert_eq!(approve["action"], "workflow.request.approve");
    assert_eq!(approve["actor"], "boss@alpha");
    assert_eq!(approve["actorRole"], "MANAGER");
    assert_eq!(approve["tenantOuId"], ALPHA);
    assert!(approve["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        approve["before"],
        json!({ "status": "PENDING", "version": 1 })
    );
    assert_eq!(approve["after"]["status"], "APPROVED");
    let create = &events["edges"][1]["node"];
    assert_eq!(create["action"], "workflow.request.create");
    assert_eq!(create["actorRole"], "DEVOPS");
    assert_eq!(create["after"]["deltaMonthly"], "-140.16");
}

#[tokio::test]
async fn the_rules_refuse_self_approval_strangers_devops_stale_versions_and_closed_requests() {
    let w = world().await;
    let request = w.resize_big().await;

    // A DevOps cannot decide.
    let devops = w.app.token_for("dev2@alpha", Role::Devops, &[ALPHA]);
    let answer = w
        .decide(&devops, "approveWorkflowRequest", &request, None)
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);
    // A manager of another tenant does not even see it.
    let stranger = w.app.token_for("boss@beta", Role::Manager, &[BETA]);
    let answer = w
        .decide(&stranger, "approveWorkflowRequest", &request, None)
        .await;
    assert_eq!(answer.error_code(), Some("NOT_FOUND"), "{}", answer.body);
    let node = w
        .app
        .graphql(
            Some(&stranger),
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": request["id"] }),
        )
        .await;
    assert_eq!(node.data()["node"], Value::Null);
    // Nobody decides their own request.
    let own = w
        .open(
            &w.boss,
            ALPHA,
            json!({ "provision": { "instanceType": "t3.micro", "region": "us-east-1" } }),
        )
        .await;
    let answer = w
        .decide(&w.boss, "approveWorkflowRequest", &own, None)
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);
    // A rejection needs a reason.
    let answer = w
        .decide(&w.boss, "rejectWorkflowRequest", &request, Some("  "))
        .await;
    assert_eq!(
        answer.error_code(),
        Some("BAD_USER_INPUT"),
        "{}",
        answer.body
    );
    // Only the requester cancels.
    let answer = w
        .decide(&w.boss, "cancelWorkflowRequest", &request, None)
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);

    // A stale version is a conflict.
    let rejected = w
        .decide(&w.boss, "rejectWorkflowRequest", &request, Some("not now"))
        .await;
    assert_eq!(
        rejected.data()["rejectWorkflowRequest"]["request"]["status"],
        "REJECTED"
    );
    let answer = w
        .decide(&w.boss, "approveWorkflowRequest", &request, None)
        .await;
    assert_eq!(answer.error_code(), Some("CONFLICT"), "{}", answer.body);
    // A decided request cannot be cancelled, even at its current version.
    let current = &rejected.data()["rejectWorkflowRequest"]["request"];
    let answer = w
        .decide(&w.dev, "cancelWorkflowRequest", current, None)
        .await;
    assert_eq!(answer.error_code(), Some("CONFLICT"), "{}", answer.body);

    // The requester cancels an open one.
    let cancelled = w.decide(&w.boss, "cancelWorkflowRequest", &own, None).await;
    assert_eq!(
        cancelled.data()["cancelWorkflowRequest"]["request"]["status"],
        "CANCELLED"
    );

    // A DevOps does not read the audit log; a manager does not read another tenant's.
    let log = "query($t: ID!) { tenant(id: $t) { auditEvents { totalCount } } }";
    let answer = w
        .app
        .graphql(Some(&w.dev), log, json!({ "t": ALPHA }))
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);
    let answer = w
        .app
        .graphql(Some(&stranger), log, json!({ "t": ALPHA }))
        .await;
    assert_eq!(answer.data()["tenant"], Value::Null);
    let answer = w
        .app
        .graphql(Some(&w.boss), "{ auditEvents { totalCount } }", json!({}))
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);
}

#[tokio::test]
async fn input_never_carries_status_requester_or_cost_and_never_reaches_another_tenant() {
    let w = world().await;
    let sneaky = w
        .create(
            &w.dev,
            ALPHA,
            json!({ "provision": { "instanceType": "m5.large", "region": "us-east-1", "status": "APPROVED" } }),
            None,
        )
        .await;
    assert!(sneaky.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("status"));
    let costed = w
        .create(
            &w.dev,
            ALPHA,
            json!({ "provision": { "instanceType": "m5.large", "region": "us-east-1" }, "budgetChange": { "amount": "1" } }),
            None,
        )
        .await;
    assert!(costed.body.get("errors").is_some(), "{}", costed.body);
    // Another tenant's id, or another tenant's resource: NOT_FOUND.
    let other = w
        .create(
            &w.dev,
            BETA,
            json!({ "provision": { "instanceType": "m5.large", "region": "us-east-1" } }),
            None,
        )
        .await;
    assert_eq!(other.error_code(), Some("NOT_FOUND"), "{}", other.body);
    let beta_vm = w.resource(BETA, "i-0beta").await;
    let other = w
        .create(
            &w.dev,
            ALPHA,
            json!({ "terminate": { "resourceId": beta_vm } }),
            None,
        )
        .await;
    assert_eq!(other.error_code(), Some("NOT_FOUND"), "{}", other.body);
    // A type nobody prices is named.
    let unknown = w
        .create(
            &w.dev,
            ALPHA,
            json!({ "provision": { "instanceType": "m5.huge", "region": "us-east-1" } }),
            None,
        )
        .await;
    assert_eq!(unknown.error_code(), Some("BAD_USER_INPUT"));
    assert!(unknown.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("provision.instanceType"));
    assert_eq!(
        w.app.scalar("SELECT COUNT(*) FROM workflow_requests").await,
        0
    );
}

#[tokio::test]
async fn above_the_threshold_a_manager_then_a_different_admin_approve() {
    let w = world().await;
    let set = "mutation($t: ID!, $a: Decimal) { setApprovalThreshold(tenantId: $t, amount: $a) { approvalThreshold { amount } } }";
    let answer = w
        .app
        .graphql(Some(&w.boss), set, json!({ "t": ALPHA, "a": "100" }))
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));
    let answer = w
        .app
        .graphql(Some(&w.app.admin()), set, json!({ "t": ALPHA, "a": "100" }))
        .await;
    assert_eq!(
        amount(&answer.data()["setApprovalThreshold"]["approvalThreshold"]),
        "100"
    );

    // Two m5.xlarge: 2 × 0.192 × 730 = 280.32 a month, above 100.
    let request = w
        .open(
            &w.dev,
            ALPHA,
            json!({ "provision": { "instanceType": "m5.xlarge", "count": 2, "region": "us-east-1" } }),
        )
        .await;
    assert_eq!(
        amount(&request["costImpact"]["monthlyDelta"]),
        "280.32",
        "{request}"
    );
    assert_eq!(request["needsAdminApproval"], true);
    let first = w
        .decide(&w.boss, "approveWorkflowRequest", &request, None)
        .await;
    let first = first.data()["approveWorkflowRequest"]["request"].clone();
    assert_eq!(first["status"], "AWAITING_ADMIN");
    // Another manager cannot give the second approval; an admin can.
    let boss2 = w.app.token_for("boss2@alpha", Role::Manager, &[ALPHA]);
    let answer = w
        .decide(&boss2, "approveWorkflowRequest", &first, None)
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"), "{}", answer.body);
    let root = w.app.token_for("root@org", Role::Admin, &[]);
    let second = w
        .decide(&root, "approveWorkflowRequest", &first, Some("within plan"))
        .await;
    let second = &second.data()["approveWorkflowRequest"]["request"];
    assert_eq!(second["status"], "APPROVED");
    assert_eq!(
        second["decisions"],
        json!([
            { "step": "MANAGER", "outcome": "APPROVED", "decider": "boss@alpha", "comment": null },
            { "step": "ADMIN", "outcome": "APPROVED", "decider": "root@org", "comment": "within plan" }
        ])
    );
    let actions = w
        .app
        .graphql(
            Some(&root),
            "query($t: ID!) { auditEvents(filter: {tenantId: $t, action: \"workflow.\"}) { edges { node { action actor } } } }",
            json!({ "t": ALPHA }),
        )
        .await;
    let actions: Vec<&str> = actions.data()["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "workflow.request.admin_approve",
            "workflow.request.approve",
            "workflow.request.create"
        ]
    );
}

#[tokio::test]
async fn of_fifty_simultaneous_approvals_exactly_one_wins_and_is_audited_once() {
    let w = world().await;
    let request = w.resize_big().await;
    let mut racers = Vec::new();
    for i in 0..50 {
        let token = w
            .app
            .token_for(&format!("boss{i}@alpha"), Role::Manager, &[ALPHA]);
        let (client, address) = (w.app.client.clone(), w.app.address.clone());
        let body = json!({
            "query": decide_document("approveWorkflowRequest"),
            "variables": { "id": request["id"], "version": 1 },
        });
        racers.push(tokio::spawn(async move {
            let response = client
                .post(format!("{address}/graphql"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            response.json::<Value>().await.unwrap()
        }));
    }
    let mut won = 0;
    let mut conflicts = 0;
    for racer in racers {
        let body = racer.await.unwrap();
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => {
                assert_eq!(
                    body["data"]["approveWorkflowRequest"]["request"]["status"],
                    "APPROVED"
                );
                won += 1;
            }
            Some("CONFLICT") => conflicts += 1,
            Some(other) => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((won, conflicts), (1, 49));
    let id = consoleai_id(&request);
    assert_eq!(
        w.app
            .scalar(&format!(
                "SELECT COUNT(*) FROM audit_events WHERE action = 'workflow.request.approve' AND target = 'WorkflowRequest:{id}'"
            ))
            .await,
        1
    );
    assert_eq!(
        w.app
            .scalar(&format!(
                "SELECT CAST(version AS BIGINT) FROM workflow_requests WHERE id = {id}"
            ))
            .await,
        2
    );
}

/// The row id inside a request's global ID.
fn consoleai_id(request: &Value) -> i64 {
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(request["id"].as_str().unwrap())
        .unwrap();
    String::from_utf8(raw)
        .unwrap()
        .split_once(':')
        .unwrap()
        .1
        .parse()
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_returns_the_first_request_and_refuses_another_payload() {
    let w = world().await;
    let change =
        json!({ "provision": { "instanceType": "t3.small", "count": 3, "region": "us-east-1" } });
    // Ten concurrent retries of one creation open one request.
    let mut tries = Vec::new();
    for _ in 0..10 {
        let (client, address, token) = (w.app.client.clone(), w.app.address.clone(), w.dev.clone());
        let body = json!({
            "query": create_document(),
            "variables": { "tenant": ALPHA, "change": change, "key": "k-1", "why": "cheaper" },
        });
        tries.push(tokio::spawn(async move {
            client
                .post(format!("{address}/graphql"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut first_results = 0;
    for t in tries {
        let body = t.await.unwrap();
        let payload = &body["data"]["createWorkflowRequest"];
        assert!(payload.is_object(), "{body}");
        ids.insert(payload["request"]["id"].as_str().unwrap().to_string());
        if payload["replayed"] == false {
            first_results += 1;
        }
    }
    assert_eq!((ids.len(), first_results), (1, 1));
    assert_eq!(
        w.app.scalar("SELECT COUNT(*) FROM workflow_requests").await,
        1
    );
    assert_eq!(
        w.app
            .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'workflow.request.create'")
            .await,
        1
    );

    let again = w.create(&w.dev, ALPHA, change.clone(), Some("k-1")).await;
    assert_eq!(again.data()["createWorkflowRequest"]["replayed"], true);
    let other =
        json!({ "provision": { "instanceType": "t3.small", "count": 4, "region": "us-east-1" } });
    let misuse = w.create(&w.dev, ALPHA, other, Some("k-1")).await;
    assert_eq!(
        misuse.error_code(),
        Some("BAD_USER_INPUT"),
        "{}",
        misuse.body
    );
    // Keys are per requester: someone else's k-1 is theirs.
    let mine = w.create(&w.boss, ALPHA, change, Some("k-1")).await;
    assert_eq!(mine.data()["createWorkflowRequest"]["replayed"], false);
}

#[tokio::test]
async fn an_approved_budget_change_sets_the_budget_and_a_recommendation_opens_a_resize() {
    let w = world().await;
    let budget = "query($t: ID!) { tenant(id: $t) { monthlyBudget { amount } approvalThreshold { amount } } }";
    let before = w
        .app
        .graphql(Some(&w.boss), budget, json!({ "t": ALPHA }))
        .await;
    assert_eq!(before.data()["tenant"]["monthlyBudget"], Value::Null);
    assert_eq!(
        amount(&before.data()["tenant"]["approvalThreshold"]),
        "1000"
    );
    let request = w
        .open(
            &w.dev,
            ALPHA,
            json!({ "budgetChange": { "amount": "750.50" } }),
        )
        .await;
    assert_eq!(amount(&request["costImpact"]["monthlyDelta"]), "750.5");
    assert_eq!(request["costImpact"]["priceSource"], Value::Null);
    w.decide(&w.boss, "approveWorkflowRequest", &request, None)
        .await
        .data();
    let after = w
        .app
        .graphql(Some(&w.dev), budget, json!({ "t": ALPHA }))
        .await;
    assert_eq!(amount(&after.data()["tenant"]["monthlyBudget"]), "750.5");
    assert_eq!(
        w.app
            .scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.budget.set'")
            .await,
        1
    );

    // i-0big idles at 10 % CPU: the recommendation resizes it; the request follows it.
    let util = w._scratch.write(
        "util.csv",
        "resource_id,metric,p95,max,window_start,window_end,samples\n\
         i-0big,cpu,10,20,2026-11-01,2026-11-15,336\n\
         i-0big,memory,20,25,2026-11-01,2026-11-15,336\n",
    );
    w.app.import_utilization(&[util]).await;
    let recs = w
        .app
        .graphql(
            Some(&w.dev),
            "query($t: ID!) { tenant(id: $t) { rightsizing { edges { node { id finding recommendedType resource { resourceId } } } } } }",
            json!({ "t": ALPHA }),
        )
        .await;
    let rec = recs.data()["tenant"]["rightsizing"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .find(|n| n["resource"]["resourceId"] == "i-0big")
        .cloned()
        .expect("a recommendation for i-0big");
    assert_eq!(rec["finding"], "OVER_PROVISIONED");
    let opened = w
        .app
        .graphql(
            Some(&w.dev),
            &format!("mutation($r: ID!) {{ requestFromRecommendation(recommendationId: $r) {{ request {{ ...R recommendationId }} }} }} {REQUEST_FIELDS}"),
            json!({ "r": rec["id"] }),
        )
        .await;
    let opened = &opened.data()["requestFromRecommendation"]["request"];
    assert_eq!(opened["kind"], "RESIZE");
    assert_eq!(opened["instanceType"], rec["recommendedType"]);
    assert_eq!(opened["recommendationId"], rec["id"]);
    assert!(amount(&opened["costImpact"]["monthlyDelta"]).starts_with('-'));
    // Beta's people cannot open a request from Alpha's recommendation.
    let stranger = w.app.token_for("dev@beta", Role::Devops, &[BETA]);
    let answer = w
        .app
        .graphql(
            Some(&stranger),
            "mutation($r: ID!) { requestFromRecommendation(recommendationId: $r) { replayed } }",
            json!({ "r": rec["id"] }),
        )
        .await;
    assert_eq!(answer.error_code(), Some("NOT_FOUND"));
}

/// A graphql-transport-ws client.
struct Subscriber {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Subscriber {
    async fn connect(app: &TestApp, token: &str) -> Result<Subscriber, String> {
        let url = app.address.replace("http://", "ws://") + "/graphql/ws";
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
        socket.send(Message::text(init.to_string())).await.unwrap();
        let mut subscriber = Subscriber { socket };
        match subscriber.next(Duration::from_secs(5)).await {
            Some(ack) if ack["type"] == "connection_ack" => Ok(subscriber),
            other => Err(format!("{other:?}")),
        }
    }

    async fn subscribe(&mut self, tenant: &str) {
        let message = json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($t: ID!) { workflowRequestUpdated(tenantId: $t) { id tenantOuId status version kind } }",
            "variables": { "t": tenant } } });
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .unwrap();
        // The server registers the subscription when it runs the resolver; give it that moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    /// The next JSON message, or `None` if none comes in `wait` (or the socket closes).
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.socket.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                _ => return None,
            }
        }
    }
}

#[tokio::test]
async fn a_subscriber_of_alpha_receives_alphas_updates_and_never_betas() {
    let w = world().await;
    let beta_dev = w.app.token_for("dev@beta", Role::Devops, &[BETA]);
    let mut alpha = Subscriber::connect(&w.app, &w.boss).await.unwrap();
    alpha.subscribe(ALPHA).await;

    // Beta's request first, then Alpha's: the first message must be Alpha's.
    w.open(
        &beta_dev,
        BETA,
        json!({ "provision": { "instanceType": "t3.micro", "region": "us-east-1" } }),
    )
    .await;
    let request = w.resize_big().await;
    let message = alpha.next(Duration::from_secs(5)).await.expect("an update");
    assert_eq!(message["type"], "next", "{message}");
    let update = &message["payload"]["data"]["workflowRequestUpdated"];
    assert_eq!(update["id"], request["id"]);
    assert_eq!(update["tenantOuId"], ALPHA);
    assert_eq!(update["status"], "PENDING");

    w.decide(&w.boss, "approveWorkflowRequest", &request, None)
        .await
        .data();
    let message = alpha.next(Duration::from_secs(5)).await.expect("an update");
    let update = &message["payload"]["data"]["workflowRequestUpdated"];
    assert_eq!(
        (update["status"].clone(), update["version"].clone()),
        (json!("APPROVED"), json!(2))
    );
    assert_eq!(alpha.next(Duration::from_millis(500)).await, None);

    // Subscribing to a tenant one cannot see is refused like a tenant that does not exist.
    let mut stranger = Subscriber::connect(&w.app, &beta_dev).await.unwrap();
    stranger.subscribe(ALPHA).await;
    let refused = stranger
        .next(Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    // A bad token never gets a connection.
    assert!(Subscriber::connect(&w.app, "not-a-token").await.is_err());
}

#[tokio::test]
async fn through_redis_a_change_on_one_replica_reaches_a_subscriber_of_another() {
    let redis = std::env::var("CONSOLEAI_TEST_REDIS_URL")
        .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!("consoleai-test-{}", uuid::Uuid::new_v4().simple());
    let configure = |settings: &mut consoleai::config::Settings| {
        settings.redis.redis_url = Some(redis.clone());
        settings.redis.redis_prefix = prefix.clone();
    };
    let first = spawn_app_configured(fresh_db().await, configure).await;
    let shared_db = TestDb {
        url: first.database_url.clone(),
        db: consoleai::db::connect(&consoleai::config::DatabaseSettings {
            url: first.database_url.clone(),
            max_connections: 4,
        })
        .await
        .unwrap(),
    };
    let second = spawn_app_configured(shared_db, configure).await;
    let w = world_on(first).await;

    let mut subscriber = Subscriber::connect(&second, &w.boss).await.unwrap();
    subscriber.subscribe(ALPHA).await;
    let request = w.resize_big().await;
    let message = subscriber
        .next(Duration::from_secs(5))
        .await
        .expect("the update made on the other replica");
    assert_eq!(
        message["payload"]["data"]["workflowRequestUpdated"]["id"],
        request["id"]
    );
    // Exactly once: the replica that made the change does not deliver it twice.
    assert_eq!(subscriber.next(Duration::from_millis(500)).await, None);
}

#[tokio::test]
async fn an_admin_reads_the_audit_log_and_the_cost_views_with_filters_and_pages() {
    let w = world().await;
    let cost = "query($t: ID!) { tenant(id: $t) { cost { totals { amount } } } }";
    w.app
        .graphql_operation(
            Some(&w.boss),
            &format!("query AlphaCost{}", &cost[5..]),
            Some("AlphaCost"),
            json!({ "t": ALPHA }),
        )
        .await
        .data();
    let root = w.app.admin();
    let views = w
        .app
        .graphql(
            Some(&root),
            "query($t: ID!) { costViews(filter: {tenantId: $t, view: \"Tenant.cost\"}) { totalCount
               edges { node { subject role tenantOuId view operationName requestId period } } } }",
            json!({ "t": ALPHA }),
        )
        .await;
    let views = &views.data()["costViews"];
    assert_eq!(views["totalCount"], 1, "{views}");
    let view = &views["edges"][0]["node"];
    assert_eq!(view["subject"], "boss@alpha");
    assert_eq!(view["role"], "MANAGER");
    assert_eq!(view["operationName"], "AlphaCost");
    let answer = w
        .app
        .graphql(Some(&w.boss), "{ costViews { totalCount } }", json!({}))
        .await;
    assert_eq!(answer.error_code(), Some("FORBIDDEN"));

    // Imports are on record too (no role: they ran from the command line), and pages follow
    // cursors newest first.
    w.resize_big().await;
    let page = "query($after: String) { auditEvents(first: 1, after: $after) { totalCount
        pageInfo { hasNextPage endCursor } edges { node { action actorRole } } } }";
    let mut actions = Vec::new();
    let mut after = Value::Null;
    loop {
        let answer = w
            .app
            .graphql(Some(&root), page, json!({ "after": after }))
            .await;
        let events = &answer.data()["auditEvents"];
        actions.push(
            events["edges"][0]["node"]["action"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        if events["pageInfo"]["hasNextPage"] == false {
            assert_eq!(
                events["totalCount"].as_u64().unwrap() as usize,
                actions.len()
            );
            break;
        }
        after = events["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(actions[0], "workflow.request.create");
    assert!(actions.contains(&"org.import".to_string()), "{actions:?}");
    assert!(
        actions.contains(&"inventory.import".to_string()),
        "{actions:?}"
    );
    let window = w
        .app
        .graphql(
            Some(&root),
            "query($from: DateTime) { auditEvents(filter: {from: $from}) { totalCount } }",
            json!({ "from": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339() }),
        )
        .await;
    assert_eq!(window.data()["auditEvents"]["totalCount"], 0);
}
