//! What invokes a function: event source mappings, resource-based policy statements, function
//! URLs, asynchronous-invocation configs, load balancer target groups and API Gateway stages.
//!
//! Mappings, URLs and invoke configs hold their settings as opaque JSON text: the fake checks
//! identity and existence the way AWS does, callers decide what the settings mean.

use std::collections::{BTreeMap, BTreeSet};

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::functions::World;
use super::{error, Call, FakeAws};

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

    /// `function_arn` is qualified: `…:function:NAME:ALIAS`.
    fn mapping_target(&self, function_arn: &str) -> Result<(), AwsError> {
        let mut parts = function_arn.rsplitn(2, ':');
        let (qualifier, base) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let function = base.rsplit(':').next().unwrap_or_default();
        self.qualifier(function, qualifier).map(|_| ())
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

    /// An API stage that exists, with no stage variables.
    pub fn define_stage(&self, api_id: &str, stage: &str) -> &FakeAws {
        let key = (api_id.to_string(), stage.to_string());
        self.world().sources.stages.entry(key).or_default();
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

    // ---- event source mappings -----------------------------------------------------------

    /// ListEventSourceMappings of one qualified function ARN.
    pub fn list_mappings(&self, function_arn: &str) -> Result<Vec<Mapping>, AwsError> {
        self.call(Call::ListMappings, |w, _| {
            Ok(w.sources
                .mappings
                .values()
                .filter(|m| m.function_arn == function_arn)
                .cloned()
                .collect())
        })
    }

    /// CreateEventSourceMapping; `uuid` of the mapping given is ignored (AWS picks it).
    pub fn create_mapping(&self, mut mapping: Mapping) -> Result<Mapping, AwsError> {
        let call = Call::CreateMapping(mapping.source_key.clone());
        self.call(call, |w, _| {
            w.mapping_target(&mapping.function_arn)?;
            let taken = w.sources.mappings.values().any(|m| {
                m.function_arn == mapping.function_arn && m.source_key == mapping.source_key
            });
            if taken {
                return Err(error(
                    AwsErrorKind::InUse,
                    format!(
                        "An event source mapping with event source ({}) and function ({}) already exists.",
                        mapping.source_key, mapping.function_arn
                    ),
                ));
            }
            w.sources.next_uuid += 1;
            mapping.uuid = format!("uuid-{}", w.sources.next_uuid);
            w.sources.mappings.insert(mapping.uuid.clone(), mapping.clone());
            Ok(mapping)
        })
    }

    pub fn update_mapping(&self, uuid: &str, settings: String) -> Result<(), AwsError> {
        self.call(Call::UpdateMapping(uuid.into()), |w, _| {
            let m = w
                .sources
                .mappings
                .get_mut(uuid)
                .ok_or_else(|| mapping_not_found(uuid))?;
            m.settings = settings;
            Ok(())
        })
    }

    pub fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteMapping(uuid.into()), |w, _| {
            w.sources
                .mappings
                .remove(uuid)
                .map(|_| ())
                .ok_or_else(|| mapping_not_found(uuid))
        })
    }

    // ---- permissions ---------------------------------------------------------------------

    pub fn add_permission(
        &self,
        function: &str,
        qualifier: &str,
        s: Statement,
    ) -> Result<(), AwsError> {
        self.call(Call::AddPermission(s.sid.clone()), |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let policy = w.sources.policies.entry(key).or_default();
            if policy.iter().any(|p| p.sid == s.sid) {
                return Err(error(
                    AwsErrorKind::InUse,
                    format!("The statement id ({}) provided already exists.", s.sid),
                ));
            }
            policy.push(s);
            Ok(())
        })
    }

    pub fn remove_permission(
        &self,
        function: &str,
        qualifier: &str,
        sid: &str,
    ) -> Result<(), AwsError> {
        self.call(Call::RemovePermission(sid.into()), |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let policy = w.sources.policies.entry(key).or_default();
            let before = policy.len();
            policy.retain(|p| p.sid != sid);
            if policy.len() == before {
                return Err(error(
                    AwsErrorKind::NotFound,
                    format!("Statement {sid} is not found in resource policy."),
                ));
            }
            Ok(())
        })
    }

    // ---- function URLs and invoke configs ------------------------------------------------

    pub fn create_url(
        &self,
        function: &str,
        qualifier: &str,
        url: UrlConfig,
    ) -> Result<(), AwsError> {
        self.call(Call::CreateUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            if w.sources.urls.contains_key(&key) {
                return Err(error(
                    AwsErrorKind::InUse,
                    "FunctionUrlConfig exists for this Lambda function",
                ));
            }
            w.sources.urls.insert(key, url);
            Ok(())
        })
    }

    pub fn update_url(
        &self,
        function: &str,
        qualifier: &str,
        url: UrlConfig,
    ) -> Result<(), AwsError> {
        self.call(Call::UpdateUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let slot = w
                .sources
                .urls
                .get_mut(&key)
                .ok_or_else(|| url_not_found(function, qualifier))?;
            *slot = url;
            Ok(())
        })
    }

    pub fn delete_url(&self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources
                .urls
                .remove(&key)
                .map(|_| ())
                .ok_or_else(|| url_not_found(function, qualifier))
        })
    }

    pub fn put_invoke_config(
        &self,
        function: &str,
        qualifier: &str,
        settings: String,
    ) -> Result<(), AwsError> {
        self.call(Call::PutInvokeConfig, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources.invoke_configs.insert(key, settings);
            Ok(())
        })
    }

    pub fn delete_invoke_config(&self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteInvokeConfig, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources
                .invoke_configs
                .remove(&key)
                .map(|_| ())
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!(
                            "The function {function}:{qualifier} doesn't have an EventInvokeConfig"
                        ),
                    )
                })
        })
    }

    // ---- load balancers and API Gateway --------------------------------------------------

    pub fn register_target(&self, target_group_arn: &str, target: &str) -> Result<(), AwsError> {
        self.call(Call::RegisterTarget(target.into()), |w, _| {
            let group = w
                .sources
                .target_groups
                .get_mut(target_group_arn)
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!("Target group '{target_group_arn}' not found"),
                    )
                })?;
            group.insert(target.into());
            Ok(())
        })
    }

    pub fn deregister_target(&self, target_group_arn: &str, target: &str) -> Result<(), AwsError> {
        self.call(Call::DeregisterTarget(target.into()), |w, _| {
            let group = w
                .sources
                .target_groups
                .get_mut(target_group_arn)
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!("Target group '{target_group_arn}' not found"),
                    )
                })?;
            group.remove(target);
            Ok(())
        })
    }

    pub fn route_key(&self, api_id: &str, route_id: &str) -> Result<String, AwsError> {
        self.call(Call::GetRoute(route_id.into()), |w, _| {
            let key = (api_id.to_string(), route_id.to_string());
            w.sources.routes.get(&key).cloned().ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid Route identifier specified {route_id}"),
                )
            })
        })
    }

    /// UpdateStage with one stage variable; `None` removes it.
    pub fn set_stage_variable(
        &self,
        api_id: &str,
        stage: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), AwsError> {
        self.call(Call::UpdateStage(stage.into()), |w, _| {
            let key = (api_id.to_string(), stage.to_string());
            let vars = w.sources.stages.get_mut(&key).ok_or_else(|| {
                error(
                    AwsErrorKind::NotFound,
                    format!("Invalid stage identifier specified {stage}"),
                )
            })?;
            match value {
                Some(v) => vars.insert(name.into(), v.into()),
                None => vars.remove(name),
            };
            Ok(())
        })
    }
}

fn mapping_not_found(uuid: &str) -> AwsError {
    error(
        AwsErrorKind::NotFound,
        format!("The resource you requested does not exist. (Service: Lambda, uuid {uuid})"),
    )
}

fn url_not_found(function: &str, qualifier: &str) -> AwsError {
    error(
        AwsErrorKind::NotFound,
        format!("The resource you requested does not exist: URL of {function}:{qualifier}"),
    )
}
