//! The identity both rollout resources give Terraform (1.12 and later): the function, the alias
//! and the region, which is what tells one alias's deployment from every other one. An `import`
//! block can name a deployment by it instead of the `FUNCTION_NAME:ALIAS` id.

use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::schema::{IdentityAttribute, IdentitySchema};
use crate::protocol::value::{Type, Value};

pub fn schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute {
                name: "function_name",
                ty: Type::String,
                description: "The Lambda function's name.",
                required_for_import: true,
            },
            IdentityAttribute {
                name: "alias",
                ty: Type::String,
                description: "The alias the deployment rolls releases onto.",
                required_for_import: true,
            },
            IdentityAttribute {
                name: "region",
                ty: Type::String,
                description: "The AWS region; the provider configuration's region when not given.",
                required_for_import: false,
            },
        ],
    }
}

/// The identity of a deployment of `function` on `alias` in `region`, when both are known.
pub fn of(function: &Value, alias: &Value, region: &str) -> Option<Value> {
    let (function, alias) = (function.as_str()?, alias.as_str()?);
    if function.is_empty() || alias.is_empty() {
        return None;
    }
    Some(Value::object([
        ("function_name", Value::string(function)),
        ("alias", Value::string(alias)),
        ("region", Value::string(region)),
    ]))
}

/// The `FUNCTION_NAME:ALIAS` import id `identity` names, for a provider deploying to `region`.
pub fn import_id(identity: &Value, region: &str) -> Result<String, Diagnostics> {
    let text = |name: &str| {
        identity
            .get(name)
            .as_str()
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let missing = |name: &str| {
        Diagnostic::error(
            format!("The import identity has no {name}"),
            "Give both `function_name` and `alias` in the import block's `identity`.",
        )
    };
    let function = text("function_name").ok_or_else(|| missing("function_name"))?;
    let alias = text("alias").ok_or_else(|| missing("alias"))?;
    if let Some(other) = text("region").filter(|r| r != region) {
        return Err(Diagnostic::error(
            format!("The import identity names region {other}, this provider deploys to {region}"),
            format!(
                "Import it through a provider configured for {other}: add a `provider \"gitmoxi\"` \
                 block with `alias` and `region = \"{other}\"`, and set `provider` in the import \
                 block to it; or leave `region` out of the identity to import from {region}."
            ),
        )
        .into());
    }
    Ok(format!("{function}:{alias}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deployment_is_known_by_function_alias_and_region() {
        let id = of(
            &Value::string("orders"),
            &Value::string("live"),
            "eu-west-1",
        )
        .unwrap();
        assert_eq!(id.get("function_name").as_str(), Some("orders"));
        assert_eq!(id.get("region").as_str(), Some("eu-west-1"));
        assert_eq!(
            of(&Value::Unknown, &Value::string("live"), "eu-west-1"),
            None
        );
        assert_eq!(
            of(&Value::string("orders"), &Value::Null, "eu-west-1"),
            None
        );
    }

    #[test]
    fn an_identity_names_the_import_id_in_this_region_only() {
        let identity = |region: Value| {
            Value::object([
                ("function_name", Value::string("orders")),
                ("alias", Value::string("live")),
                ("region", region),
            ])
        };
        assert_eq!(
            import_id(&identity(Value::Null), "us-east-1").unwrap(),
            "orders:live"
        );
        assert_eq!(
            import_id(&identity(Value::string("us-east-1")), "us-east-1").unwrap(),
            "orders:live"
        );
        let other = import_id(&identity(Value::string("eu-west-1")), "us-east-1").unwrap_err();
        assert!(
            other.0[0].to_string().contains("region = \"eu-west-1\""),
            "{other:?}"
        );
        let no_alias = Value::object([("function_name", Value::string("orders"))]);
        let missing = import_id(&no_alias, "us-east-1").unwrap_err();
        assert!(missing.0[0].to_string().contains("no alias"), "{missing:?}");
    }
}
