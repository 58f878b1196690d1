//! The list resource on the in-memory account: what `terraform query` is handed for each alias,
//! its filters and limit, and the resource object `-generate-config-out` writes from.

use std::sync::Mutex;

use super::*;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::registry::{ListResource, Listed, RequestContext};
use crate::provider::Configured;
use crate::resources::lambda_deployment::list::LambdaDeploymentList;

/// `orders` (team a, a secret) and `billing` (team b), each with `live`; `billing` also `beta`.
async fn account() -> (Arc<FakeAws>, LambdaDeploymentList<FakeCloud>) {
    let (aws, tf) = setup();
    let orders = json!({"sensitive_environment": {"API_KEY": "s3cret"},
        "function_definition": definition(json!({"Tags": {"team": "a"}}))});
    let billing = json!({"function_definition":
        definition(json!({"FunctionName": "billing", "Tags": {"team": "b"}}))});
    for extra in [orders, billing] {
        let made = tf
            .apply(&Instance::default(), &config(&tf, &package("v1"), extra))
            .await;
        assert!(made.diagnostics.is_empty(), "{:?}", made.diagnostics);
    }
    aws.create_alias_of("billing", "beta", "1").unwrap();
    let list = LambdaDeploymentList::new(Configured::ready(FakeCloud::new(aws.clone())));
    (aws, list)
}

/// What a listing hands over, with any error diagnostics.
async fn listed(
    list: &LambdaDeploymentList<FakeCloud>,
    config: Json,
    include: bool,
    limit: usize,
) -> (Vec<Listed>, Diagnostics) {
    let found = Mutex::new((Vec::new(), Diagnostics::default()));
    let keep = |item: Result<Listed, Diagnostics>| {
        let mut f = found.lock().unwrap();
        match item {
            Ok(l) => f.0.push(l),
            Err(d) => f.1.extend(d),
        }
        true
    };
    let config = Value::from_json_value(&config, &list.schema().value_type()).unwrap();
    let ctx = RequestContext {
        stop: Default::default(),
    };
    list.list(&ctx, config, include, limit, &keep).await;
    found.into_inner().unwrap()
}

fn names(found: &[Listed]) -> Vec<String> {
    found.iter().map(|l| l.display_name.clone()).collect()
}

fn all() -> Json {
    json!({"name_prefix": null, "alias": null, "tags": null})
}

#[tokio::test(start_paused = true)]
async fn every_alias_of_every_function_is_listed_with_its_identity() {
    let (_aws, list) = account().await;
    let (found, diags) = listed(&list, all(), false, 100).await;
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        names(&found),
        [
            "billing:beta (version 1)",
            "billing:live (version 1)",
            "orders:live (version 1)"
        ]
    );
    let orders = &found[2];
    assert_eq!(
        orders.identity.get("function_name").as_str(),
        Some("orders")
    );
    assert_eq!(orders.identity.get("alias").as_str(), Some("live"));
    assert_eq!(orders.identity.get("region").as_str(), Some("us-east-1"));
    assert!(found.iter().all(|l| l.resource_object.is_none()));
}

#[tokio::test(start_paused = true)]
async fn filters_and_the_limit_narrow_the_listing() {
    let (aws, list) = account().await;
    let by_prefix = json!({"name_prefix": "bill", "alias": "live", "tags": null});
    let (found, _) = listed(&list, by_prefix, false, 100).await;
    assert_eq!(names(&found), ["billing:live (version 1)"]);

    let by_tag = json!({"name_prefix": null, "alias": null, "tags": {"team": "a"}});
    let (found, _) = listed(&list, by_tag, false, 100).await;
    assert_eq!(names(&found), ["orders:live (version 1)"]);

    let before = aws.count("list_aliases");
    let (found, _) = listed(&list, all(), false, 1).await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        aws.count("list_aliases") - before,
        1,
        "stops once the limit is met"
    );
}

#[tokio::test(start_paused = true)]
async fn the_resource_object_is_the_imported_state_with_no_value_in_it() {
    let (_aws, list) = account().await;
    let only_orders = json!({"name_prefix": "orders", "alias": null, "tags": null});
    let (found, diags) = listed(&list, only_orders, true, 100).await;
    assert!(diags.is_empty(), "{diags:?}");
    let object = found[0].resource_object.as_ref().expect("asked for");
    assert_eq!(object.get("version").as_str(), Some("1"));
    assert_eq!(object.get("keep_code").as_bool(), Some(true));
    assert_eq!(
        object.get("keep_environment").elements(),
        [Value::string("API_KEY")]
    );
    assert!(!format!("{object:?}").contains("s3cret"));
}

#[tokio::test(start_paused = true)]
async fn a_failed_listing_says_so_and_empty_filters_are_refused() {
    let (aws, list) = account().await;
    aws.fail_next("list_functions", 1, gitmoxi_engine::AwsErrorKind::Other);
    let (found, diags) = listed(&list, all(), false, 100).await;
    assert!(found.is_empty());
    assert_eq!(summaries(&diags, true), ["Error listing Lambda functions"]);

    let empty = json!({"name_prefix": "", "alias": null, "tags": null});
    let config = Value::from_json_value(&empty, &list.schema().value_type()).unwrap();
    assert_eq!(
        summaries(&list.validate(&config).await, true),
        ["`name_prefix` is empty"]
    );
}
