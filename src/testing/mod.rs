//! Resources without an emulator: [`FakeCloud`] puts the resources' port on the in-memory AWS
//! account (`gitmoxi-fake-aws`, the same one the engine's scenarios run against), and
//! [`Terraform`] drives a resource the way Terraform does (validate, plan, apply, refresh,
//! import, destroy), so every resource operation is tested on paused time in milliseconds.

mod cloud;

use std::sync::Arc;

use gitmoxi_fake_aws::FakeAws;
use tokio_util::sync::CancellationToken;

pub use cloud::FakeCloud;

use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::registry::{
    ApplyRequest, ImportResponse, PlanRequest, ReadResponse, RequestContext, Resource,
};
use crate::protocol::schema::{Mode, Schema};
use crate::protocol::value::{Type, Value};

/// One resource instance as Terraform tracks it: its state and private state.
#[derive(Clone, Debug, Default)]
pub struct Instance {
    pub state: Value,
    pub private: Vec<u8>,
}

/// What one `terraform apply` of a resource ended with.
#[derive(Debug)]
pub struct Applied {
    pub planned: Value,
    pub state: Value,
    /// The private state Terraform keeps with it.
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
    /// Plan-time diagnostics (warnings).
    pub plan_diagnostics: Diagnostics,
}

impl Applied {
    pub fn instance(&self) -> Instance {
        Instance {
            state: self.state.clone(),
            private: self.private.clone(),
        }
    }

    pub fn error_summaries(&self) -> Vec<String> {
        summaries(&self.diagnostics, true)
    }
}

pub fn summaries(d: &Diagnostics, errors: bool) -> Vec<String> {
    let matching = d.0.iter().filter(|d| d.is_error() == errors);
    matching.map(|d| d.summary.clone()).collect()
}

/// Drives one resource as Terraform does.
pub struct Terraform<R> {
    pub resource: R,
    pub stop: CancellationToken,
    /// Whether this Terraform handles write-only attributes (1.11 and later).
    pub write_only_allowed: bool,
}

impl<R: Resource> Terraform<R> {
    pub fn new(resource: R) -> Terraform<R> {
        Terraform {
            resource,
            stop: CancellationToken::new(),
            write_only_allowed: true,
        }
    }

    /// ValidateResourceConfig as the server answers it.
    pub async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = self.resource.validate(config).await;
        if !self.write_only_allowed {
            let block = &self.resource.schema().block;
            diags.extend(block.write_only_unsupported(config));
        }
        diags
    }

    /// What the server sends back in place of a resource's state: write-only attributes null.
    fn sent(&self, state: Value) -> Value {
        self.resource.schema().block.without_write_only(state)
    }

    fn ctx(&self) -> RequestContext {
        RequestContext {
            stop: self.stop.clone(),
        }
    }

    /// A configuration from JSON: attributes left out are null, blocks left out are empty.
    pub fn config(&self, json: serde_json::Value) -> Value {
        config_value(self.resource.schema(), &json)
    }

    /// Validate, plan and (when the plan has no errors) apply `config` over `prior`. Errors at
    /// validate or plan come back with the prior state, as Terraform would leave it.
    pub async fn apply(&self, prior: &Instance, config: &Value) -> Applied {
        let mut plan_diagnostics = self.validate(config).await;
        if plan_diagnostics.has_errors() {
            // Terraform stops at validate.
            return Applied {
                planned: Value::Null,
                state: prior.state.clone(),
                private: prior.private.clone(),
                diagnostics: Diagnostics::default(),
                plan_diagnostics,
            };
        }
        let proposed = proposed_new(self.resource.schema(), &prior.state, config);
        let plan = self
            .resource
            .plan(
                &self.ctx(),
                PlanRequest {
                    prior_state: prior.state.clone(),
                    proposed_new_state: proposed,
                    config: config.clone(),
                    prior_private: prior.private.clone(),
                },
            )
            .await;
        let planned_state = self.sent(plan.planned_state);
        plan_diagnostics.extend(plan.diagnostics);
        if plan_diagnostics.has_errors() {
            return Applied {
                planned: planned_state,
                state: prior.state.clone(),
                private: prior.private.clone(),
                diagnostics: Diagnostics::default(),
                plan_diagnostics,
            };
        }
        let req = ApplyRequest {
            prior_state: prior.state.clone(),
            planned_state: planned_state.clone(),
            config: config.clone(),
            planned_private: plan.planned_private,
        };
        let mut applied = self.resource.apply(&self.ctx(), req).await;
        applied.new_state = self.sent(applied.new_state);
        // Terraform refuses a result that contradicts the plan, unless the apply failed.
        if !applied.diagnostics.has_errors() {
            let wrong = inconsistencies(&planned_state, &applied.new_state, "");
            assert!(
                wrong.is_empty(),
                "inconsistent result after apply: {wrong:#?}"
            );
        }
        Applied {
            planned: planned_state,
            state: applied.new_state,
            private: applied.private,
            diagnostics: applied.diagnostics,
            plan_diagnostics,
        }
    }

    /// Applies a plan made earlier (`terraform apply PLANFILE`): what changed in AWS since is
    /// the apply's to notice.
    pub async fn apply_planned(
        &self,
        prior: &Instance,
        config: &Value,
        planned: &Value,
    ) -> Applied {
        let req = ApplyRequest {
            prior_state: prior.state.clone(),
            planned_state: planned.clone(),
            config: config.clone(),
            planned_private: prior.private.clone(),
        };
        let mut applied = self.resource.apply(&self.ctx(), req).await;
        applied.new_state = self.sent(applied.new_state);
        if !applied.diagnostics.has_errors() {
            let wrong = inconsistencies(planned, &applied.new_state, "");
            assert!(
                wrong.is_empty(),
                "inconsistent result after apply: {wrong:#?}"
            );
        }
        Applied {
            planned: planned.clone(),
            state: applied.new_state,
            private: applied.private,
            diagnostics: applied.diagnostics,
            plan_diagnostics: Diagnostics::default(),
        }
    }

    /// `terraform destroy` of one instance.
    pub async fn destroy(&self, prior: &Instance) -> Applied {
        let req = ApplyRequest {
            prior_state: prior.state.clone(),
            planned_state: Value::Null,
            config: Value::Null,
            planned_private: prior.private.clone(),
        };
        let applied = self.resource.apply(&self.ctx(), req).await;
        Applied {
            planned: Value::Null,
            state: applied.new_state,
            private: applied.private,
            diagnostics: applied.diagnostics,
            plan_diagnostics: Diagnostics::default(),
        }
    }

    pub async fn refresh(&self, prior: &Instance) -> ReadResponse {
        let ctx = self.ctx();
        let read = self
            .resource
            .read(&ctx, prior.state.clone(), prior.private.clone());
        let mut read = read.await;
        read.new_state = self.sent(read.new_state);
        read
    }

    pub async fn import(&self, id: &str) -> ImportResponse {
        let mut imported = self.resource.import(&self.ctx(), id).await;
        imported.state = imported.state.map(|s| self.sent(s));
        imported
    }

    /// The plan of `config` over `prior`, without applying it.
    pub async fn plan(&self, prior: &Instance, config: &Value) -> (Value, Diagnostics) {
        let proposed = proposed_new(self.resource.schema(), &prior.state, config);
        let plan = self
            .resource
            .plan(
                &self.ctx(),
                PlanRequest {
                    prior_state: prior.state.clone(),
                    proposed_new_state: proposed,
                    config: config.clone(),
                    prior_private: prior.private.clone(),
                },
            )
            .await;
        (self.sent(plan.planned_state), plan.diagnostics)
    }
}

/// A fresh account and a resource on it.
pub fn on_fake<R>(
    make: impl FnOnce(crate::provider::Configured<FakeCloud>) -> R,
) -> (Arc<FakeAws>, Terraform<R>)
where
    R: Resource,
{
    let aws = Arc::new(FakeAws::empty());
    let configured = crate::provider::Configured::ready(FakeCloud::new(aws.clone()));
    (aws, Terraform::new(make(configured)))
}

fn config_value(schema: &Schema, json: &serde_json::Value) -> Value {
    let mut v = Value::from_json_value(json, &schema.value_type()).expect("config fits the schema");
    if let Type::Object(attrs) = schema.value_type() {
        for name in attrs.keys() {
            let is_block = schema.block.attribute(name).is_none();
            if is_block && v.get(name).is_null() {
                v.set_attr(name, Value::List(Vec::new()));
            }
        }
    }
    v
}

/// Terraform's proposed new state: the configuration, with computed attributes the
/// configuration leaves null taking their prior values.
fn proposed_new(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let mut proposed = config.clone();
    if prior.is_null() {
        return proposed;
    }
    for a in &schema.block.attributes {
        let computed = matches!(a.mode, Mode::Computed | Mode::OptionalComputed);
        if computed && config.get(&a.name).is_null() {
            proposed.set_attr(&a.name, prior.get(&a.name).clone());
        }
    }
    proposed
}

/// Where `new` differs from a value `planned` already knew, as Terraform checks after an apply.
pub fn inconsistencies(planned: &Value, new: &Value, path: &str) -> Vec<String> {
    match (planned, new) {
        (Value::Unknown, _) => Vec::new(),
        (Value::Object(p), Value::Object(n)) | (Value::Map(p), Value::Map(n)) => {
            let mut keys: Vec<&String> = p.keys().chain(n.keys()).collect();
            keys.dedup();
            keys.into_iter()
                .flat_map(|k| {
                    let (pv, nv) = (
                        p.get(k).unwrap_or(&Value::Null),
                        n.get(k).unwrap_or(&Value::Null),
                    );
                    inconsistencies(pv, nv, &format!("{path}.{k}"))
                })
                .collect()
        }
        (Value::List(p), Value::List(n)) if p.len() == n.len() => p
            .iter()
            .zip(n)
            .enumerate()
            .flat_map(|(i, (pv, nv))| inconsistencies(pv, nv, &format!("{path}[{i}]")))
            .collect(),
        (p, n) if p == n => Vec::new(),
        (p, n) => vec![format!("{path}: planned {p:?}, got {n:?}")],
    }
}
