//! What invokes a function: event source mappings, resource-based policy statements, function
//! URLs, asynchronous-invocation configs, load balancer target groups and API Gateway stages.
//!
//! Mappings, URLs and invoke configs hold their settings as opaque JSON text: the fake checks
//! identity and existence the way AWS does, callers decide what the settings mean.
//!
//! This file holds the records, the setup and the inspection of tests; `mappings.rs`,
//! `attached.rs` (policies, URLs, invoke configs) and `gateways.rs` (target groups, API stages)
//! hold the operations.

mod attached;
mod gateways;
mod mappings;

use std::collections::{BTreeMap, BTreeSet};

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::functions::World;
use super::{error, FakeAws};

/// An event source mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub uuid: String,
    /// The qualified function ARN the mapping invokes (`…:function:NAME:ALIAS`).
    pub function_arn: String,
    /// What identifies the mapping's source (its ARN, plus topics or queues where present): two
    /// mappings of one function may not share it.
    pub source_key: String,
    pub settings: String,
    pub tags: BTreeMap<String, String>,
}

/// One statement of a function's (or alias's) resource-based policy.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Statement {
    pub sid: String,
    pub principal: String,
    pub action: String,
    pub source_arn: Option<String>,
    pub source_account: Option<String>,
    pub function_url_auth_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlConfig {
    pub auth_type: String,
    /// Opaque JSON text.
    pub cors: Option<String>,
    pub invoke_mode: Option<String>,
}

type Qualified = (String, String);

#[derive(Default)]
pub(crate) struct Sources {
    next_uuid: u64,
    pub mappings: BTreeMap<String, Mapping>,
    pub policies: BTreeMap<Qualified, Vec<Statement>>,
    pub urls: BTreeMap<Qualified, UrlConfig>,
    pub invoke_configs: BTreeMap<Qualified, String>,
    /// Target group ARN → registered target ids.
    pub target_groups: BTreeMap<String, BTreeSet<String>>,
    /// (API id, route id) → route key.
    pub routes: BTreeMap<(String, String), String>,
    /// (REST API id, resource id) → resource path.
    pub rest_resources: BTreeMap<(String, String), String>,
    /// (API id, stage) → stage variables.
    pub stages: BTreeMap<(String, String), BTreeMap<String, String>>,
}

impl Sources {
    /// An alias went: what was attached to it goes too (mappings stay, as on AWS).
    pub fn forget_qualifier(&mut self, function: &str, qualifier: &str) {
        let key = (function.to_string(), qualifier.to_string());
        self.policies.remove(&key);
        self.urls.remove(&key);
        self.invoke_configs.remove(&key);
    }

    pub fn forget_function(&mut self, function: &str) {
        self.policies.retain(|(f, _), _| f != function);
        self.urls.retain(|(f, _), _| f != function);
        self.invoke_configs.retain(|(f, _), _| f != function);
    }
}

impl World {
    /// The qualifier must exist: AWS refuses to attach anything to a missing alias.
    fn qualifier(&self, function: &str, qualifier: &str) -> Result<Qualified, AwsError> {
        let f = self.function(function)?;
        if qualifier != "$LATEST" && !f.aliases.contains_key(qualifier) {
            let is_version = qualifier
                .parse::<u64>()
                .is_ok_and(|n| f.versions.contains_key(&n));
            if !is_version {
                return Err(error(
                    AwsErrorKind::NotFound,
                    format!("{function}:{qualifier} not found"),
                ));
            }
        }
        Ok((function.to_string(), qualifier.to_string()))
    }
}

impl FakeAws {
    // ---- setup ---------------------------------------------------------------------------

    /// A target group that exists, with no targets.
    pub fn define_target_group(&self, arn: &str) -> &FakeAws {
        self.world()
            .sources
            .target_groups
            .entry(arn.into())
            .or_default();
        self
    }

    /// An HTTP API route and its key (`GET /orders`, `$default`).
    pub fn define_route(&self, api_id: &str, route_id: &str, route_key: &str) -> &FakeAws {
        let key = (api_id.to_string(), route_id.to_string());
        self.world().sources.routes.insert(key, route_key.into());
        self
    }

    /// A REST API resource and its path (`/orders/{id}`).
    pub fn define_rest_resource(
        &self,
        rest_api_id: &str,
        resource_id: &str,
        path: &str,
    ) -> &FakeAws {
        let key = (rest_api_id.to_string(), resource_id.to_string());
        self.world().sources.rest_resources.insert(key, path.into());
        self
    }

    /// An API stage that exists, with no stage variables.
    pub fn define_stage(&self, api_id: &str, stage: &str) -> &FakeAws {
        let key = (api_id.to_string(), stage.to_string());
        self.world().sources.stages.entry(key).or_default();
        self
    }

    /// A stage variable set before the deployment (by hand, or by another tool).
    pub fn define_stage_variable(
        &self,
        api_id: &str,
        stage: &str,
        name: &str,
        value: &str,
    ) -> &FakeAws {
        let key = (api_id.to_string(), stage.to_string());
        let mut w = self.world();
        w.sources
            .stages
            .entry(key)
            .or_default()
            .insert(name.into(), value.into());
        drop(w);
        self
    }

    // ---- inspection ----------------------------------------------------------------------

    pub fn mappings(&self) -> Vec<Mapping> {
        self.world().sources.mappings.values().cloned().collect()
    }

    pub fn policy(&self, function: &str, qualifier: &str) -> Vec<Statement> {
        let key = (function.to_string(), qualifier.to_string());
        self.world()
            .sources
            .policies
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }

    pub fn url(&self, function: &str, qualifier: &str) -> Option<UrlConfig> {
        let key = (function.to_string(), qualifier.to_string());
        self.world().sources.urls.get(&key).cloned()
    }

    pub fn invoke_config(&self, function: &str, qualifier: &str) -> Option<String> {
        let key = (function.to_string(), qualifier.to_string());
        self.world().sources.invoke_configs.get(&key).cloned()
    }

    pub fn targets(&self, target_group_arn: &str) -> Vec<String> {
        let w = self.world();
        let targets = w.sources.target_groups.get(target_group_arn);
        targets
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default()
    }

    pub fn stage_variables(&self, api_id: &str, stage: &str) -> BTreeMap<String, String> {
        let key = (api_id.to_string(), stage.to_string());
        self.world()
            .sources
            .stages
            .get(&key)
            .cloned()
            .unwrap_or_default()
    }
}
