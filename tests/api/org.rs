//! AWS Organizations import with the real CLI outputs in `shared/data/aws/organizations/`.
use serde_json::json;

use crate::support::*;

fn org(file: &str) -> std::path::PathBuf {
    shared(&format!("aws/organizations/{file}"))
}

const ACCOUNTS: &str = r#"query { tenants(first: 100) { totalCount edges { node { ouId name accounts { totalCount edges { node { accountId name tenantOuId } } } } } } }"#;

#[tokio::test]
async fn the_real_cli_outputs_import_and_accounts_map_to_the_nearest_tenant() {
    let app = spawn_app().await;
    // The CLI prints one parent at a time: roots, the root's OUs, then each OU's accounts.
    app.import_org(&[org("awscli-example__organizations_list-roots.json")], &[])
        .await;
    app.import_org(
        &[org(
            "awscli-example__organizations_list-organizational-units-for-parent.json",
        )],
        &["AccountingDepartment"],
    )
    .await;
    let options = consoleai::ingest::OrgImportOptions {
        tenants: vec![],
        parent: Some("ou-examplerootid111-exampleouid111".into()),
    };
    consoleai::ingest::import_org(
        &app.db,
        &[org(
            "awscli-example__organizations_list-accounts-for-parent.json",
        )],
        &options,
        "test",
    )
    .await
    .unwrap();
    // The whole list (accounts already known keep their parent) and a recorded, wrapped response
    // with datetime objects; describe-organization carries nothing to import but is accepted.
    let report = app
        .import_org(
            &[
                org("awscli-example__organizations_list-accounts.json"),
                org("c7n__test_org_account_describe_organizations.ListAccounts_1.json"),
                org("awscli-example__organizations_describe-organization.json"),
            ],
            &[],
        )
        .await;
    assert_eq!(report.organizational_units, 2);
    assert_eq!(report.accounts, 5);
    assert_eq!(report.tenants, 1);
    assert_eq!(
        report.unallocated_accounts, 3,
        "111…, 222… sit under the root, 644… has no parent"
    );

    let answer = app.graphql(Some(&app.admin()), ACCOUNTS, json!({})).await;
    let tenants = &answer.data()["tenants"];
    assert_eq!(tenants["totalCount"], 1);
    let tenant = &tenants["edges"][0]["node"];
    assert_eq!(tenant["name"], "AccountingDepartment");
    let ids: Vec<&str> = tenant["accounts"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["accountId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["333333333333", "444444444444"]);

    let joined = app
        .scalar("SELECT COUNT(*) FROM accounts WHERE id = '644160558196' AND joined_at IS NOT NULL")
        .await;
    assert_eq!(joined, 1, "the recorded datetime object was read");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'org.import'")
            .await,
        4
    );
}

#[tokio::test]
async fn a_bad_org_file_names_the_file_and_where_and_stores_nothing() {
    let app = spawn_app().await;
    let scratch = Scratch::new();
    let broken = scratch.write(
        "broken.json",
        "{\n  \"Accounts\": [\n    {\"Id\": \"123456789012\",\n  ]\n}\n",
    );
    let err = consoleai::ingest::import_org(&app.db, &[broken], &Default::default(), "test")
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("broken.json:4"), "{err}");

    let missing = scratch.write(
        "missing.json",
        r#"{"Accounts": [{"Id": "123456789012", "Name": "a"}, {"Name": "no id"}]}"#,
    );
    let err = consoleai::ingest::import_org(&app.db, &[missing], &Default::default(), "test")
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("missing.json: Accounts[1].Id: missing"),
        "{err}"
    );

    let unknown_tenant = consoleai::ingest::OrgImportOptions {
        tenants: vec!["Nope".into()],
        parent: None,
    };
    let err = consoleai::ingest::import_org(
        &app.db,
        &[org("awscli-example__organizations_list-roots.json")],
        &unknown_tenant,
        "test",
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("no OU has the id or name 'Nope'"), "{err}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM accounts").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM organizational_units")
            .await,
        0,
        "the failed import rolled back"
    );
}
