//! The record of what was asked of the fake AWS.

use std::time::Duration;

use gitmoxi_engine::ports::{AwsErrorKind, HookPayload, Notification};

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Status(String),
    UpdateCode,
    UpdateConfiguration,
    Publish {
        revision_id: String,
    },
    GetAlias(String),
    CreateAlias {
        alias: String,
        version: String,
    },
    ShiftAlias {
        alias: String,
        version: String,
        extra: Option<(String, f64)>,
        revision_id: String,
    },
    ListVersions,
    ListAliases,
    DeleteVersion(String),
    AlarmStates(Vec<String>),
    InvokeHook {
        function: String,
        payload: HookPayload,
    },
    VersionMetrics {
        alias: String,
        version: String,
    },
    Notify(Notification),
    // Account-level operations the resources use.
    ListFunctions,
    CreateFunction(String),
    GetFunction {
        function: String,
        qualifier: String,
    },
    DeleteFunction(String),
    Tag(String),
    Untag(String),
    SetCodeSigning {
        function: String,
        arn: Option<String>,
    },
    /// IAM GetRole, by role ARN.
    GetRole(String),
    /// Put/Get/DeleteProvisionedConcurrencyConfig, by qualifier.
    PutCapacity {
        qualifier: String,
        amount: u32,
    },
    GetCapacity(String),
    DeleteCapacity(String),
    GetAccountSettings,
    DeleteAlias(String),
    ListMappings,
    CreateMapping(String),
    UpdateMapping(String),
    DeleteMapping(String),
    ListMappingTags(String),
    TagMapping(String),
    UntagMapping(String),
    AddPermission(String),
    RemovePermission(String),
    CreateUrl,
    UpdateUrl,
    DeleteUrl,
    PutInvokeConfig,
    DeleteInvokeConfig,
    RegisterTarget(String),
    DeregisterTarget(String),
    GetRoute(String),
    GetRestResource(String),
    GetStage(String),
    UpdateStage(String),
    HeadObject(String),
    PutObject(String),
}

/// One call, when it happened (since the fake was made) and how it was refused, if it was.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub at: Duration,
    pub call: Call,
    pub error: Option<AwsErrorKind>,
}

impl Call {
    /// The name [`FakeAws::throttle`](super::FakeAws::throttle) takes.
    pub fn operation(&self) -> &'static str {
        match self {
            Call::Status(_) => "status",
            Call::UpdateCode => "update_code",
            Call::UpdateConfiguration => "update_configuration",
            Call::Publish { .. } => "publish_version",
            Call::GetAlias(_) => "get_alias",
            Call::CreateAlias { .. } => "create_alias",
            Call::ShiftAlias { .. } => "shift_alias",
            Call::ListVersions => "list_versions",
            Call::ListAliases => "list_aliases",
            Call::DeleteVersion(_) => "delete_version",
            Call::AlarmStates(_) => "alarm_states",
            Call::InvokeHook { .. } => "invoke_hook",
            Call::VersionMetrics { .. } => "version_metrics",
            Call::Notify(_) => "notify",
            Call::ListFunctions => "list_functions",
            Call::CreateFunction(_) => "create_function",
            Call::GetFunction { .. } => "get_function",
            Call::DeleteFunction(_) => "delete_function",
            Call::Tag(_) => "tag",
            Call::Untag(_) => "untag",
            Call::SetCodeSigning { .. } => "set_code_signing",
            Call::GetRole(_) => "get_role",
            Call::PutCapacity { .. } => "put_capacity",
            Call::GetCapacity(_) => "get_capacity",
            Call::DeleteCapacity(_) => "delete_capacity",
            Call::GetAccountSettings => "get_account_settings",
            Call::DeleteAlias(_) => "delete_alias",
            Call::ListMappings => "list_mappings",
            Call::CreateMapping(_) => "create_mapping",
            Call::UpdateMapping(_) => "update_mapping",
            Call::DeleteMapping(_) => "delete_mapping",
            Call::ListMappingTags(_) => "list_mapping_tags",
            Call::TagMapping(_) => "tag_mapping",
            Call::UntagMapping(_) => "untag_mapping",
            Call::AddPermission(_) => "add_permission",
            Call::RemovePermission(_) => "remove_permission",
            Call::CreateUrl => "create_url",
            Call::UpdateUrl => "update_url",
            Call::DeleteUrl => "delete_url",
            Call::PutInvokeConfig => "put_invoke_config",
            Call::DeleteInvokeConfig => "delete_invoke_config",
            Call::RegisterTarget(_) => "register_target",
            Call::DeregisterTarget(_) => "deregister_target",
            Call::GetRoute(_) => "get_route",
            Call::GetRestResource(_) => "get_rest_resource",
            Call::GetStage(_) => "get_stage",
            Call::UpdateStage(_) => "update_stage",
            Call::HeadObject(_) => "head_object",
            Call::PutObject(_) => "put_object",
        }
    }

    pub fn mutates(&self) -> bool {
        !matches!(
            self,
            Call::Status(_)
                | Call::GetAlias(_)
                | Call::ListVersions
                | Call::ListAliases
                | Call::ListFunctions
                | Call::AlarmStates(_)
                | Call::InvokeHook { .. }
                | Call::VersionMetrics { .. }
                | Call::Notify(_)
                | Call::GetFunction { .. }
                | Call::ListMappings
                | Call::ListMappingTags(_)
                | Call::GetRoute(_)
                | Call::GetRestResource(_)
                | Call::GetStage(_)
                | Call::GetRole(_)
                | Call::GetCapacity(_)
                | Call::GetAccountSettings
                | Call::HeadObject(_)
        )
    }

    /// The percent of an alias's traffic this call sends to `version`, for alias writes.
    pub fn traffic_to(&self, version: &str) -> Option<u8> {
        match self {
            Call::CreateAlias { version: v, .. } => Some(if v == version { 100 } else { 0 }),
            Call::ShiftAlias {
                version: v, extra, ..
            } => {
                let extra_weight = extra.as_ref().map_or(0.0, |(_, w)| *w);
                let share = if v == version {
                    1.0 - extra_weight
                } else if extra.as_ref().is_some_and(|(e, _)| e == version) {
                    extra_weight
                } else {
                    0.0
                };
                Some((share * 100.0).round() as u8)
            }
            _ => None,
        }
    }
}

impl Recorded {
    /// `publish`, `shift live 1 + 2@10%`, `shift live 2`, `delete 1`, `shift live 2 !Conflict`.
    pub fn label(&self) -> String {
        let base = match &self.call {
            Call::ShiftAlias {
                alias,
                version,
                extra: Some((e, w)),
                ..
            } => {
                format!("shift {alias} {version} + {e}@{}%", (w * 100.0).round())
            }
            Call::ShiftAlias {
                alias,
                version,
                extra: None,
                ..
            } => format!("shift {alias} {version}"),
            Call::CreateAlias { alias, version } => format!("create {alias} {version}"),
            Call::DeleteVersion(v) => format!("delete {v}"),
            Call::Publish { .. } => "publish".into(),
            Call::Status(q) => format!("status {q}"),
            Call::GetAlias(a) => format!("get {a}"),
            Call::InvokeHook { function, payload } => {
                format!("hook {function} {}", payload.phase)
            }
            Call::Notify(n) => format!("notify {}", n.event),
            Call::CreateFunction(f) => format!("create function {f}"),
            Call::DeleteFunction(f) => format!("delete function {f}"),
            Call::DeleteAlias(a) => format!("delete alias {a}"),
            Call::SetCodeSigning { arn: Some(a), .. } => format!("put code signing {a}"),
            Call::SetCodeSigning { arn: None, .. } => "delete code signing".into(),
            Call::PutCapacity { qualifier, amount } => format!("provision {qualifier} {amount}"),
            Call::DeleteCapacity(q) => format!("release capacity {q}"),
            Call::CreateMapping(k) => format!("create mapping {k}"),
            Call::UpdateMapping(u) => format!("update mapping {u}"),
            Call::DeleteMapping(u) => format!("delete mapping {u}"),
            Call::TagMapping(u) => format!("tag mapping {u}"),
            Call::UntagMapping(u) => format!("untag mapping {u}"),
            Call::AddPermission(s) => format!("add permission {s}"),
            Call::RemovePermission(s) => format!("remove permission {s}"),
            Call::RegisterTarget(t) => format!("register {t}"),
            Call::DeregisterTarget(t) => format!("deregister {t}"),
            Call::PutObject(k) => format!("put object {k}"),
            other => other.operation().into(),
        };
        match self.error {
            Some(kind) => format!("{base} !{kind:?}"),
            None => base,
        }
    }
}
