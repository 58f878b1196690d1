//! Tests of the gRPC service.

use std::time::Duration;

use async_trait::async_trait;

use super::*;
use crate::protocol::registry::{
    ApplyRequest, ApplyResponse, ImportResponse, PlanRequest, PlanResponse, ReadResponse,
};
use crate::protocol::schema::{Attribute, Block, IdentityAttribute, IdentitySchema, Schema};

/// A resource whose apply runs for an hour unless StopProvider interrupts it; identified by its
/// name.
struct Slow(Schema, IdentitySchema);

#[async_trait]
impl Resource for Slow {
    fn type_name(&self) -> &'static str {
        "test_slow"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn plan(&self, _ctx: &RequestContext, _req: PlanRequest) -> PlanResponse {
        PlanResponse::default()
    }
    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse {
        tokio::select! {
            _ = ctx.stop.cancelled() => ApplyResponse {
                new_state: req.prior_state,
                private: vec![],
                diagnostics: Diagnostic::error("interrupted", "StopProvider").into(),
            },
            _ = tokio::time::sleep(Duration::from_secs(3600)) => ApplyResponse { new_state: req.planned_state, ..Default::default() },
        }
    }
    async fn read(&self, _ctx: &RequestContext, state: Value, _private: Vec<u8>) -> ReadResponse {
        ReadResponse {
            new_state: state,
            ..Default::default()
        }
    }
    async fn import(&self, _ctx: &RequestContext, id: &str) -> ImportResponse {
        ImportResponse {
            state: Some(Value::object([("name", Value::string(id))])),
            ..Default::default()
        }
    }
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        Some(&self.1)
    }
    fn identity(&self, state: &Value) -> Option<Value> {
        let name = state.get("name").as_str()?;
        Some(Value::object([("name", Value::string(name))]))
    }
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        Ok(identity
            .get("name")
            .as_str()
            .unwrap_or_default()
            .to_string())
    }
}

/// An action that reports two lines of progress and ends with a warning naming its argument.
struct Greet(Schema);

#[async_trait]
impl registry::Action for Greet {
    fn type_name(&self) -> &'static str {
        "test_greet"
    }
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn validate(&self, config: &Value) -> Diagnostics {
        match config.get("name").as_str() {
            Some("") => Diagnostic::error("name is empty", "Give a name.").into(),
            _ => Diagnostics::default(),
        }
    }
    async fn invoke(
        &self,
        _ctx: &RequestContext,
        config: Value,
        progress: registry::Progress<'_>,
    ) -> Diagnostics {
        let name = config.get("name").as_str().unwrap_or_default().to_string();
        assert_ne!(name, "panic", "told to panic");
        progress(format!("hello {name}"));
        progress("goodbye".into());
        Diagnostic::warning(format!("greeted {name}"), "").into()
    }
}

struct TestProvider(Schema);

#[async_trait]
impl Provider for TestProvider {
    fn schema(&self) -> &Schema {
        &self.0
    }
    async fn validate(&self, _config: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    async fn configure(&self, _v: &str, _config: &Value) -> Diagnostics {
        Diagnostics::default()
    }
    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        let schema = Schema::new(
            0,
            Block::new("slow").attr(Attribute::required("name", Type::String, "n")),
        );
        let identity = IdentitySchema {
            version: 0,
            attributes: vec![IdentityAttribute {
                name: "name",
                ty: Type::String,
                description: "n",
                required_for_import: true,
            }],
        };
        vec![Arc::new(Slow(schema, identity))]
    }
    fn actions(&self) -> Vec<Arc<dyn registry::Action>> {
        let schema = Schema::new(
            0,
            Block::new("greet").attr(Attribute::required("name", Type::String, "n")),
        );
        vec![Arc::new(Greet(schema))]
    }
    fn list_resources(&self) -> Vec<Arc<dyn registry::ListResource>> {
        vec![Arc::new(lists::Seeds::new())]
    }
}

fn service() -> Arc<ProviderService<TestProvider>> {
    Arc::new(ProviderService::new(
        TestProvider(Schema::new(0, Block::new("p"))),
        CancellationToken::new(),
    ))
}

#[tokio::test(start_paused = true)]
async fn a_long_apply_notices_stop_provider_within_a_second() {
    let svc = service();
    let state = Value::object([("name", Value::string("x"))]);
    let req = pb::apply_resource_change::Request {
        type_name: "test_slow".into(),
        prior_state: encode(&Value::Null),
        planned_state: encode(&state),
        config: encode(&state),
        ..Default::default()
    };
    let running = {
        let svc = svc.clone();
        tokio::spawn(async move { svc.apply_resource_change(Request::new(req)).await })
    };
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert!(!running.is_finished(), "the apply runs until stopped");
    let stopped_at = tokio::time::Instant::now();
    svc.stop_provider(Request::new(pb::stop_provider::Request {}))
        .await
        .unwrap();
    let resp = tokio::time::timeout(Duration::from_secs(1), running)
        .await
        .expect("apply ended within a second of StopProvider")
        .unwrap()
        .unwrap()
        .into_inner();
    assert!(stopped_at.elapsed() < Duration::from_secs(1));
    assert_eq!(resp.diagnostics[0].summary, "interrupted");
}

#[tokio::test]
async fn schema_and_capabilities_are_served() {
    let svc = service();
    let resp = svc
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.resource_schemas.contains_key("test_slow"));
    let caps = resp.server_capabilities.unwrap();
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let ids = svc
        .get_resource_identity_schemas(Request::new(pb::get_resource_identity_schemas::Request {}))
        .await
        .unwrap()
        .into_inner();
    let slow = &ids.identity_schemas["test_slow"];
    assert_eq!(slow.identity_attributes[0].name, "name");
    assert_eq!(slow.identity_attributes[0].r#type, b"\"string\"");
    assert!(slow.identity_attributes[0].required_for_import);
}

fn identity(name: &str) -> Option<pb::ResourceIdentityData> {
    Some(pb::ResourceIdentityData {
        identity_data: encode(&Value::object([("name", Value::string(name))])),
    })
}

#[tokio::test]
async fn an_import_by_identity_imports_the_id_it_names_and_returns_the_identity() {
    let svc = service();
    let resp = svc
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_slow".into(),
            id: String::new(),
            identity: identity("orders"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let imported = &resp.imported_resources[0];
    let ty = Type::object([("name", Type::String)]);
    let state = decode(imported.state.as_ref(), &ty, "state").unwrap();
    assert_eq!(state.get("name").as_str(), Some("orders"));
    assert_eq!(imported.identity, identity("orders"));
}

#[tokio::test]
async fn reads_and_plans_carry_the_identity_and_a_destroy_keeps_the_prior_one() {
    let svc = service();
    let state = Value::object([("name", Value::string("x"))]);
    let read = svc
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_slow".into(),
            current_state: encode(&state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.new_identity, identity("x"));
    let destroy = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_slow".into(),
            prior_state: encode(&state),
            proposed_new_state: encode(&Value::Null),
            config: encode(&Value::Null),
            prior_identity: identity("x"),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(destroy.planned_identity, identity("x"));
    let stored = pb::upgrade_resource_identity::Request {
        type_name: "test_slow".into(),
        version: 0,
        raw_identity: Some(pb::RawState {
            json: br#"{"name":"x"}"#.to_vec(),
            ..Default::default()
        }),
    };
    let upgraded = svc
        .upgrade_resource_identity(Request::new(stored))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(upgraded.upgraded_identity, identity("x"));
}

#[tokio::test]
async fn unknown_resource_types_get_a_diagnostic_not_a_panic() {
    let svc = service();
    let resp = svc
        .validate_resource_config(Request::new(pb::validate_resource_config::Request {
            type_name: "nope".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics[0]
        .summary
        .contains("Unknown resource type"));
}

#[tokio::test]
async fn undecodable_values_are_reported_as_diagnostics() {
    let svc = service();
    let resp = svc
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_slow".into(),
            config: Some(pb::DynamicValue {
                msgpack: vec![0xc1],
                json: vec![],
            }),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(resp.diagnostics[0].summary.contains("could not decode"));
}

async fn invoked(
    svc: &ProviderService<TestProvider>,
    action: &str,
    name: &str,
) -> Vec<pb::invoke_action::event::Type> {
    use tokio_stream::StreamExt;
    let config = Value::object([("name", Value::string(name))]);
    let stream = svc
        .invoke_action(Request::new(pb::invoke_action::Request {
            action_type: action.into(),
            config: encode(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    stream.map(|e| e.unwrap().r#type.unwrap()).collect().await
}

#[tokio::test]
async fn an_invoke_streams_its_progress_then_one_completion() {
    use pb::invoke_action::event::{Completed, Progress, Type as Event};
    let svc = service();
    let events = invoked(&svc, "test_greet", "ada").await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(
        events[0],
        Event::Progress(Progress {
            message: "hello ada".into()
        })
    );
    assert_eq!(
        events[1],
        Event::Progress(Progress {
            message: "goodbye".into()
        })
    );
    let Event::Completed(Completed { diagnostics }) = &events[2] else {
        panic!("{events:?}");
    };
    assert_eq!(diagnostics[0].summary, "greeted ada");

    let unknown = invoked(&svc, "test_nope", "ada").await;
    let [Event::Completed(Completed { diagnostics })] = unknown.as_slice() else {
        panic!("{unknown:?}");
    };
    assert!(diagnostics[0].summary.contains("Unknown action type"));

    // A bug that panics still ends the stream with a completion saying so.
    let panicked = invoked(&svc, "test_greet", "panic").await;
    let [Event::Completed(Completed { diagnostics })] = panicked.as_slice() else {
        panic!("{panicked:?}");
    };
    assert_eq!(diagnostics[0].summary, "The action stopped unexpectedly");
}

#[tokio::test]
async fn actions_are_in_the_schema_and_validated_at_plan() {
    let svc = service();
    let schema = svc
        .get_provider_schema(Request::new(pb::get_provider_schema::Request {}))
        .await
        .unwrap()
        .into_inner();
    assert!(schema.action_schemas.contains_key("test_greet"));
    let plan = svc
        .plan_action(Request::new(pb::plan_action::Request {
            action_type: "test_greet".into(),
            config: encode(&Value::object([("name", Value::string(""))])),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.diagnostics[0].summary, "name is empty");
}

mod lists;
