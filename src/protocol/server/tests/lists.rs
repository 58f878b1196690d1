//! List resources through the gRPC service: schema, validation, and a listing streamed as one
//! event per object with identity, name and (only when asked) the object.

use tokio_stream::StreamExt;

use super::*;
use crate::protocol::registry::{Found, ListResource, Listed};

/// Lists `test_slow` objects named by `names` (a comma-separated list), up to the limit.
pub(super) struct Seeds(Schema);

impl Seeds {
    pub(super) fn new() -> Seeds {
        let block = Block::new("seeds").attr(Attribute::optional("names", Type::String, "n"));
        Seeds(Schema::new(0, block))
    }
}

#[async_trait]
impl ListResource for Seeds {
    fn type_name(&self) -> &'static str {
        "test_slow"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("names").as_str() {
            Some("") => Diagnostic::error("names is empty", "Give one.").into(),
            _ => Diagnostics::default(),
        }
    }
    async fn list(
        &self,
        _ctx: &RequestContext,
        config: Value,
        _include_object: bool,
        limit: usize,
        found: Found<'_>,
    ) {
        let names = config.get("names").as_str().unwrap_or_default().to_string();
        for name in names.split(',').take(limit) {
            let object = Value::object([("name", Value::string(name))]);
            let listed = Listed {
                identity: object.clone(),
                display_name: format!("seed {name}"),
                resource_object: Some(object),
            };
            if !found(Ok(listed)) {
                return;
            }
        }
    }
}

fn names(names: &str) -> Option<pb::DynamicValue> {
    encode(&Value::object([("names", Value::string(names))]))
}

async fn listing(type_name: &str, include: bool, limit: i64) -> Vec<pb::list_resource::Event> {
    let req = pb::list_resource::Request {
        type_name: type_name.into(),
        config: names("a,b,c"),
        include_resource_object: include,
        limit,
    };
    let stream = service()
        .list_resource(Request::new(req))
        .await
        .unwrap()
        .into_inner();
    stream.map(|e| e.unwrap()).collect().await
}

#[tokio::test]
async fn list_resources_are_in_the_metadata_and_the_schema() {
    let svc = service();
    let schema = svc
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(schema.list_resource_schemas.contains_key("test_slow"));
    let metadata = svc
        .get_metadata(Request::new(pb::get_metadata::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(metadata.list_resources[0].type_name, "test_slow");
    let invalid = svc
        .validate_list_resource_config(Request::new(pb::validate_list_resource_config::Request {
            type_name: "test_slow".into(),
            config: names(""),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(invalid.diagnostics[0].summary, "names is empty");
}

#[tokio::test]
async fn a_listing_streams_each_object_with_its_identity_up_to_the_limit() {
    let events = listing("test_slow", true, 2).await;
    let shown: Vec<_> = events.iter().map(|e| e.display_name.as_str()).collect();
    assert_eq!(shown, ["seed a", "seed b"]);
    let identity = events[1].identity.as_ref().unwrap().identity_data.as_ref();
    let ty = Type::object([("name", Type::String)]);
    let identity = decode(identity, &ty, "identity").unwrap();
    assert_eq!(identity.get("name").as_str(), Some("b"));
    assert!(events[0].resource_object.is_some());

    let without = listing("test_slow", false, 10).await;
    assert_eq!(without.len(), 3);
    assert!(
        without.iter().all(|e| e.resource_object.is_none()),
        "not asked for"
    );
}

#[tokio::test]
async fn an_unknown_list_type_ends_in_one_error_event() {
    let events = listing("test_nothing", true, 10).await;
    assert_eq!(events.len(), 1);
    assert!(events[0].identity.is_none());
    assert_eq!(
        events[0].diagnostic[0].summary,
        "Unknown list resource type \"test_nothing\""
    );
}
