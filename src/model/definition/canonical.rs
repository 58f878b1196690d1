//! The normal form of a definition, and the AWS defaults.
//!
//! Canonical JSON: keys sorted at every level, compact, `VpcConfig.SubnetIds` and
//! `VpcConfig.SecurityGroupIds` sorted (Lambda treats them as sets), every other list in the order
//! written. It is what the state stores and what equality compares.
//!
//! Without defaults: keys whose value is what AWS uses when the key is absent are dropped, so a
//! declared `"Timeout": 3` and a served function with no timeout set compare equal.

use serde_json::{Map, Value};

use super::model::CreateFunctionJson;

/// The AWS defaults, used when a key is absent (update back to them, and drop them when reading).
pub mod aws_default {
    pub const TIMEOUT: i32 = 3;
    pub const MEMORY_SIZE: i32 = 128;
    pub const EPHEMERAL_STORAGE: i32 = 512;
    pub const PACKAGE_TYPE: &str = "Zip";
    pub const ARCHITECTURE: &str = "x86_64";
    pub const TRACING_MODE: &str = "PassThrough";
    pub const LOG_FORMAT: &str = "Text";
    /// Lambda's levels when LogFormat is JSON and none are given.
    pub const LOG_LEVEL: &str = "INFO";
    pub const SNAP_START_APPLY_ON: &str = "None";

    /// The log group Lambda writes to unless told otherwise.
    pub fn log_group(function_name: &str) -> String {
        format!("/aws/lambda/{function_name}")
    }
}

pub(crate) fn to_canonical_value(def: &CreateFunctionJson) -> Value {
    // Serializing a derived struct cannot fail: every field is a string, number, bool, list or
    // string map. Null would only show up in a bug, and then compares unequal rather than panic.
    let mut value = serde_json::to_value(def).unwrap_or(Value::Null);
    if let Some(vpc) = value.get_mut("VpcConfig").and_then(Value::as_object_mut) {
        for key in ["SubnetIds", "SecurityGroupIds"] {
            if let Some(Value::Array(ids)) = vpc.get_mut(key) {
                ids.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
            }
        }
    }
    sort_keys(value)
}

fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}

/// Drops every key whose value is the AWS default, and the keys the provider ignores.
pub(crate) fn without_defaults(mut d: CreateFunctionJson) -> CreateFunctionJson {
    use aws_default as default;
    fn drop_if<T>(slot: &mut Option<T>, is_default: impl FnOnce(&T) -> bool) {
        if slot.as_ref().is_some_and(is_default) {
            *slot = None;
        }
    }
    let empty = |s: &String| s.is_empty();
    d.publish = None;
    d.publish_to = None;
    drop_if(&mut d.timeout, |t| *t == default::TIMEOUT);
    drop_if(&mut d.memory_size, |m| *m == default::MEMORY_SIZE);
    drop_if(&mut d.description, empty);
    drop_if(&mut d.kms_key_arn, empty);
    drop_if(&mut d.code_signing_config_arn, empty);
    drop_if(&mut d.package_type, |p| p == default::PACKAGE_TYPE);
    drop_if(&mut d.architectures, |a| {
        a.len() == 1 && a[0] == default::ARCHITECTURE
    });
    drop_if(&mut d.layers, Vec::is_empty);
    drop_if(&mut d.file_system_configs, Vec::is_empty);
    drop_if(&mut d.tags, |t| t.is_empty());
    drop_if(&mut d.ephemeral_storage, |e| {
        e.size == default::EPHEMERAL_STORAGE
    });
    drop_if(&mut d.tracing_config, |t| {
        t.mode.as_deref().unwrap_or(default::TRACING_MODE) == default::TRACING_MODE
    });
    drop_if(&mut d.snap_start, |s| {
        s.apply_on
            .as_deref()
            .unwrap_or(default::SNAP_START_APPLY_ON)
            == default::SNAP_START_APPLY_ON
    });
    drop_if(&mut d.dead_letter_config, |c| {
        c.target_arn.as_deref().unwrap_or("").is_empty()
    });
    if let Some(env) = &mut d.environment {
        drop_if(&mut env.variables, |v| v.is_empty());
    }
    drop_if(&mut d.environment, |e| e.variables.is_none());
    if let Some(vpc) = &mut d.vpc_config {
        drop_if(&mut vpc.subnet_ids, Vec::is_empty);
        drop_if(&mut vpc.security_group_ids, Vec::is_empty);
        drop_if(&mut vpc.ipv6_allowed_for_dual_stack, |b| !b);
    }
    drop_if(&mut d.vpc_config, |v| {
        v.subnet_ids.is_none()
            && v.security_group_ids.is_none()
            && v.ipv6_allowed_for_dual_stack.is_none()
    });
    if let Some(image) = &mut d.image_config {
        drop_if(&mut image.entry_point, Vec::is_empty);
        drop_if(&mut image.command, Vec::is_empty);
        drop_if(&mut image.working_directory, empty);
    }
    drop_if(&mut d.image_config, |i| {
        i.entry_point.is_none() && i.command.is_none() && i.working_directory.is_none()
    });
    let log_group = d.function_name.as_deref().map(default::log_group);
    if let Some(logging) = &mut d.logging_config {
        let json = logging.log_format.as_deref() == Some("JSON");
        drop_if(&mut logging.log_format, |f| f == default::LOG_FORMAT);
        drop_if(&mut logging.log_group, |g| Some(g) == log_group.as_ref());
        if json {
            drop_if(&mut logging.application_log_level, |l| {
                l == default::LOG_LEVEL
            });
            drop_if(&mut logging.system_log_level, |l| l == default::LOG_LEVEL);
        }
    }
    drop_if(&mut d.logging_config, |l| {
        l.log_format.is_none()
            && l.log_group.is_none()
            && l.application_log_level.is_none()
            && l.system_log_level.is_none()
    });
    d
}
