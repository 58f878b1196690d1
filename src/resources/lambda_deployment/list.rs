//! The list resource `gitmoxi_lambda_deployment` (`terraform query`): every alias of the
//! account's functions, as deployments to adopt. Each is named by the resource's identity and,
//! when Terraform asks, described by the state an import of it gives, so that
//! `-generate-config-out` writes configuration whose plan changes nothing: the code and the
//! environment values are kept from the serving version, never written out.

use std::collections::BTreeMap;

use async_trait::async_trait;
use gitmoxi_engine::ports::{absent_if_not_found, AliasRouting, AwsError};

use super::read::imported;
use super::schema::TYPE_NAME;
use crate::model::ports::Cloud;
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::registry::{Found, ListResource, Listed, RequestContext};
use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::{Type, Value};
use crate::provider::Configured;
use crate::resources::common::identity;

pub struct LambdaDeploymentList<C> {
    schema: Schema,
    /// The managed resource's state type: what a found object is described as.
    state_type: Type,
    configured: Configured<C>,
}

impl<C: Cloud> LambdaDeploymentList<C> {
    pub fn new(configured: Configured<C>) -> Self {
        LambdaDeploymentList {
            schema: schema(),
            state_type: super::schema::schema().value_type(),
            configured,
        }
    }
}

fn schema() -> Schema {
    let block = Block::new(
        "Finds the account's Lambda functions that have an alias, one deployment per alias, for \
         `terraform query`. With `-generate-config-out` each becomes an `import` block and a \
         `gitmoxi_lambda_deployment` whose plan changes nothing: the code and the environment values \
         stay as the alias serves them (`keep_code`, `keep_environment`). Every filter is optional.",
    )
    .attr(Attribute::optional(
        "name_prefix",
        Type::String,
        "Only functions whose name starts with this.",
    ))
    .attr(Attribute::optional(
        "alias",
        Type::String,
        "Only this alias of each function.",
    ))
    .attr(Attribute::optional(
        "tags",
        Type::map(Type::String),
        "Only functions carrying every one of these tags with these values.",
    ));
    Schema::new(0, block)
}

/// The filters of a `list` block's `config`.
#[derive(Default)]
struct Filters {
    name_prefix: Option<String>,
    alias: Option<String>,
    tags: BTreeMap<String, String>,
}

impl Filters {
    fn read(config: &Value) -> Filters {
        let text = |name| config.get(name).as_str().map(str::to_string);
        let tags = config.get("tags").entries().into_iter().flatten();
        Filters {
            name_prefix: text("name_prefix"),
            alias: text("alias"),
            tags: tags
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect(),
        }
    }

    fn wants_function(&self, name: &str) -> bool {
        self.name_prefix
            .as_deref()
            .is_none_or(|p| name.starts_with(p))
    }

    fn wants_alias(&self, name: &str) -> bool {
        self.alias.as_deref().is_none_or(|a| a == name)
    }
}

#[async_trait]
impl<C: Cloud> ListResource for LambdaDeploymentList<C> {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for name in ["name_prefix", "alias"] {
            if config.get(name).as_str() == Some("") {
                let detail = format!("Leave `{name}` out to list every one.");
                diags.push(
                    Diagnostic::error(format!("`{name}` is empty"), detail)
                        .at(AttrPath::root(name)),
                );
            }
        }
        diags
    }

    async fn list(
        &self,
        ctx: &RequestContext,
        config: Value,
        include_object: bool,
        limit: usize,
        found: Found<'_>,
    ) {
        let cloud = match self.configured.cloud() {
            Ok(c) => c,
            Err(d) => {
                found(Err(d.into()));
                return;
            }
        };
        let lister = Lister {
            cloud,
            filters: Filters::read(&config),
            state_type: include_object.then_some(&self.state_type),
        };
        let mut left = limit;
        if let Err(d) = lister.run(ctx, &mut left, found).await {
            found(Err(d));
        }
    }
}

struct Lister<'a, C> {
    cloud: &'a C,
    filters: Filters,
    /// Set when each found deployment is to be described as the resource's state.
    state_type: Option<&'a Type>,
}

impl<C: Cloud> Lister<'_, C> {
    /// Hands over what it finds until done, stopped, or `left` reaches zero.
    async fn run(
        &self,
        ctx: &RequestContext,
        left: &mut usize,
        found: Found<'_>,
    ) -> Result<(), Diagnostics> {
        let functions = self.cloud.list_functions().await.map_err(listing_failed)?;
        for function in functions.iter().filter(|f| self.filters.wants_function(f)) {
            if *left == 0 || ctx.stop.is_cancelled() {
                return Ok(());
            }
            let Some(aliases) = self.aliases(function).await? else {
                continue;
            };
            for (alias, routing) in aliases {
                if *left == 0 || ctx.stop.is_cancelled() {
                    return Ok(());
                }
                let Some(listed) = self.describe(function, &alias, &routing).await? else {
                    continue;
                };
                if !found(Ok(listed)) {
                    return Ok(());
                }
                *left -= 1;
            }
        }
        Ok(())
    }

    /// The function's aliases the filters want; None when it carries other tags or is gone.
    async fn aliases(
        &self,
        function: &str,
    ) -> Result<Option<Vec<(String, AliasRouting)>>, Diagnostics> {
        if !self.filters.tags.is_empty() {
            let latest = gone_is_none(self.cloud.find_function(function, "$LATEST").await)?;
            let Some(latest) = latest.flatten() else {
                return Ok(None);
            };
            let tagged = self
                .filters
                .tags
                .iter()
                .all(|(k, v)| latest.tags.get(k) == Some(v));
            if !tagged {
                return Ok(None);
            }
        }
        let aliases = gone_is_none(self.cloud.list_aliases(function).await)?;
        Ok(aliases.map(|all| {
            all.into_iter()
                .filter(|(name, _)| self.filters.wants_alias(name))
                .collect()
        }))
    }

    /// One found deployment; None when it went away while being read.
    async fn describe(
        &self,
        function: &str,
        alias: &str,
        routing: &AliasRouting,
    ) -> Result<Option<Listed>, Diagnostics> {
        let region = self.cloud.region();
        let identity = identity::of(&Value::string(function), &Value::string(alias), region);
        let Some(identity) = identity else {
            return Ok(None);
        };
        let resource_object = match self.state_type {
            None => None,
            Some(ty) => match imported(self.cloud, &format!("{function}:{alias}")).await {
                Ok((state, _)) => Some(state.into_value(ty)),
                // Deleted since it was listed.
                Err(_) if self.gone(function, alias).await => return Ok(None),
                Err(d) => return Err(d.into()),
            },
        };
        Ok(Some(Listed {
            identity,
            display_name: display_name(function, alias, routing),
            resource_object,
        }))
    }

    async fn gone(&self, function: &str, alias: &str) -> bool {
        matches!(self.cloud.find_alias(function, alias).await, Ok(None))
    }
}

/// `orders:live (version 3)`, with the weight of a second version while traffic is split.
fn display_name(function: &str, alias: &str, routing: &AliasRouting) -> String {
    let split = routing
        .extra
        .as_ref()
        .map(|(v, w)| format!(", {:.0}% to version {v}", w * 100.0))
        .unwrap_or_default();
    format!("{function}:{alias} (version {}{split})", routing.version)
}

/// A function deleted between the listing and the read is skipped, not an error.
fn gone_is_none<T>(r: Result<T, AwsError>) -> Result<Option<T>, Diagnostics> {
    absent_if_not_found(r).map_err(listing_failed)
}

fn listing_failed(e: AwsError) -> Diagnostics {
    Diagnostic::error(
        "Error listing Lambda functions",
        format!("{e}. The listing stopped; run `terraform query` again."),
    )
    .into()
}
