//! The configuration of one `gitmoxi_lambda_alias_deployment`, read once per request.

use crate::model::event_sources::EventSources;
use crate::model::settings::Settings;
use crate::protocol::diagnostics::Diagnostics;
use crate::protocol::value::Value;
use crate::resources::common::values::{check_function_name, check_version, input_string, Input};
use crate::resources::common::{settings, sources};

pub struct AliasConfig {
    pub function_name: Input<String>,
    pub alias: Input<String>,
    pub version: Input<String>,
    pub event_sources_text: Input<String>,
    /// None when unknown or invalid.
    pub event_sources: Option<EventSources>,
    pub settings: Settings,
}

impl AliasConfig {
    pub fn parse(config: &Value) -> (AliasConfig, Diagnostics) {
        let (settings, mut diags) = settings::parse(config);
        let function_name = input_string(config.get("function_name"));
        let function = function_name.known().map(String::as_str);
        let event_sources = sources::declared(config.get("event_sources"), function, &mut diags);
        let c = AliasConfig {
            function_name: function_name.clone(),
            alias: input_string(config.get("alias")),
            version: input_string(config.get("version")),
            event_sources_text: input_string(config.get("event_sources")),
            event_sources,
            settings,
        };
        if let Some(v) = c.version.known() {
            check_version("version", v, &mut diags);
        }
        if let Some(f) = c.function_name.known() {
            check_function_name(f, &mut diags);
        }
        (c, diags)
    }

    /// `FUNCTION_NAME:ALIAS`, when both are known.
    pub fn id(&self) -> Option<String> {
        Some(format!(
            "{}:{}",
            self.function_name.known()?,
            self.alias.known()?
        ))
    }
}
