//! The `provider "gitmoxi" {}` block: schema, validation and the typed settings.

use std::collections::BTreeMap;

pub use crate::aws::{AssumeRole, AwsConfig as ProviderConfig};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::schema::{Attribute, Block, Schema};
use crate::protocol::value::{Type, Value};
use crate::resources::common::orchestrator;

/// The AWS services the provider calls, named as in hashicorp/aws's `endpoints` block.
pub const ENDPOINT_SERVICES: [(&str, &str); 10] = [
    (
        "lambda",
        "AWS Lambda: functions, versions, aliases, event sources.",
    ),
    (
        "cloudwatch",
        "Amazon CloudWatch: alarm states and metrics checked during rollouts.",
    ),
    ("sts", "AWS STS: `assume_role`."),
    (
        "iam",
        "AWS IAM: whether a new execution role exists, asked before the function gets it. \
         With a `lambda` endpoint and no `iam` one, the provider does not ask.",
    ),
    ("sns", "Amazon SNS: deployment notifications."),
    (
        "s3",
        "Amazon S3: staging packages with `package_s3_bucket`.",
    ),
    (
        "elbv2",
        "Elastic Load Balancing: target groups of push event sources.",
    ),
    ("apigateway", "API Gateway (REST APIs)."),
    (
        "stepfunctions",
        "AWS Step Functions: rollouts with the `step_functions` orchestrator.",
    ),
    (
        "apigatewayv2",
        "API Gateway (HTTP and WebSocket APIs): stage variables of push event sources.",
    ),
];

pub const MAX_RETRIES_LIMIT: i64 = 100;

pub fn schema() -> Schema {
    let mut endpoints = Block::new(
        "Custom service endpoints, for local emulators (ministack, LocalStack, moto) or VPC endpoints. \
         `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` are honoured too; a value here wins.",
    );
    for (name, what) in ENDPOINT_SERVICES {
        endpoints = endpoints.attr(Attribute::optional(
            name,
            Type::String,
            &format!("Endpoint URL for {what}"),
        ));
    }
    Schema::new(
        0,
        Block::new(
            "The gitmoxi provider rolls AWS Lambda releases out progressively (CANARY, LINEAR, ALL_AT_ONCE) \
             with alarm-driven rollback. Credentials come from the standard AWS chain (environment, shared \
             config and SSO, web identity, IMDS).",
        )
        .attr(Attribute::optional(
            "region",
            Type::String,
            "AWS region, e.g. `us-east-1`. Defaults to the AWS chain (`AWS_REGION`, the profile's region).",
        ))
        .attr(Attribute::optional("profile", Type::String, "Named profile from the shared AWS config files."))
        .attr(Attribute::optional(
            "max_retries",
            Type::Number,
            "How many times the AWS SDK retries throttled and 5xx calls (0 to 100). Default: the SDK's (3 attempts).",
        ))
        .single_list_block(
            "assume_role",
            Block::new("Assume this IAM role for every call; credentials are refreshed during long rollouts.")
                .attr(Attribute::required("role_arn", Type::String, "ARN of the role to assume."))
                .attr(Attribute::optional("session_name", Type::String, "Session name (default `terraform-provider-gitmoxi`)."))
                .attr(Attribute::optional("external_id", Type::String, "External ID the role's trust policy requires.")),
        )
        .single_list_block("endpoints", endpoints)
        .single_list_block(
            "orchestrator",
            orchestrator::block("Without it, rollouts run in the provider; a resource's own block wins."),
        ),
    )
}

fn known_str(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn valid_region(r: &str) -> bool {
    // e.g. us-east-1, eu-central-2, us-gov-west-1, cn-north-1
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

fn valid_role_arn(a: &str) -> bool {
    let parts: Vec<&str> = a.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].starts_with("role/")
        && parts[5].len() > 5
}

/// Parses and validates the provider block. Errors carry the attribute path.
pub fn parse(config: &Value) -> Result<ProviderConfig, Diagnostics> {
    let mut diags = Diagnostics::default();
    let out = ProviderConfig {
        region: region(config, &mut diags),
        profile: profile(config, &mut diags),
        max_retries: max_retries(config, &mut diags),
        assume_role: config
            .get("assume_role")
            .elements()
            .first()
            .and_then(|block| assume_role(block, &mut diags)),
        endpoints: config
            .get("endpoints")
            .elements()
            .first()
            .map(|block| endpoints(block, &mut diags))
            .unwrap_or_default(),
        orchestrator: orchestrator::parse(
            config.get("orchestrator"),
            AttrPath::root("orchestrator"),
            &mut diags,
        )
        .unwrap_or_default(),
    };
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(out)
    }
}

/// `region`, when known and shaped like an AWS region name.
fn region(config: &Value, diags: &mut Diagnostics) -> Option<String> {
    let region = known_str(config.get("region"))?;
    if valid_region(&region) {
        return Some(region);
    }
    diags.push(
        Diagnostic::error(
            format!("Invalid AWS region {region:?}"),
            "Set `region` to an AWS region name such as \"us-east-1\" or \"eu-west-2\", or remove it \
             to use AWS_REGION or the profile's region.",
        )
        .at(AttrPath::root("region")),
    );
    None
}

/// `profile`, when known and not blank.
fn profile(config: &Value, diags: &mut Diagnostics) -> Option<String> {
    let profile = known_str(config.get("profile"))?;
    if !profile.trim().is_empty() {
        return Some(profile);
    }
    diags.push(
        Diagnostic::error(
            "Empty AWS profile name",
            "Set `profile` to a profile of ~/.aws/config, or remove it.",
        )
        .at(AttrPath::root("profile")),
    );
    None
}

/// `max_retries`, when known and a whole number from 0 to [`MAX_RETRIES_LIMIT`].
fn max_retries(config: &Value, diags: &mut Diagnostics) -> Option<u32> {
    let n = config.get("max_retries").as_f64()?;
    if n.fract() == 0.0 && (0.0..=MAX_RETRIES_LIMIT as f64).contains(&n) {
        return Some(n as u32);
    }
    diags.push(
        Diagnostic::error(
            format!("Invalid max_retries {n}"),
            format!(
                "`max_retries` is how many times a throttled or failed AWS call is retried: a whole \
                 number from 0 to {MAX_RETRIES_LIMIT}, for example 25."
            ),
        )
        .at(AttrPath::root("max_retries")),
    );
    None
}

/// The `assume_role` block: each invalid value is reported; the role is returned once its ARN is
/// known.
fn assume_role(block: &Value, diags: &mut Diagnostics) -> Option<AssumeRole> {
    let path = AttrPath::root("assume_role").index(0);
    let role_arn = known_str(block.get("role_arn"));
    if let Some(arn) = role_arn.as_ref().filter(|arn| !valid_role_arn(arn)) {
        diags.push(
            Diagnostic::error(
                format!("Invalid role ARN {arn:?}"),
                "Set `role_arn` to an IAM role ARN such as \"arn:aws:iam::123456789012:role/deployer\".",
            )
            .at(path.clone().attr("role_arn")),
        );
    }
    let session_name = known_str(block.get("session_name"));
    if let Some(s) = session_name.as_ref().filter(|s| !valid_session_name(s)) {
        diags.push(
            Diagnostic::error(
                format!("Invalid session name {s:?}"),
                "`session_name` must be 2 to 64 characters of letters, digits and +=,.@-_",
            )
            .at(path.clone().attr("session_name")),
        );
    }
    let external_id = known_str(block.get("external_id"));
    if external_id
        .as_ref()
        .is_some_and(|e| !(2..=1224).contains(&e.len()))
    {
        diags.push(
            Diagnostic::error(
                "Invalid external ID",
                "`external_id` must be 2 to 1224 characters long.",
            )
            .at(path.attr("external_id")),
        );
    }
    Some(AssumeRole {
        role_arn: role_arn?,
        session_name,
        external_id,
    })
}

fn valid_session_name(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

/// The `endpoints` block: each known URL by service name.
fn endpoints(block: &Value, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (name, _) in ENDPOINT_SERVICES {
        let Some(url) = known_str(block.get(name)) else {
            continue;
        };
        if valid_endpoint(&url) {
            out.insert(name.to_string(), url);
            continue;
        }
        diags.push(
            Diagnostic::error(
                format!("Invalid {name} endpoint {url:?}"),
                format!(
                    "Set `endpoints.{name}` to an http:// or https:// URL such as \"http://127.0.0.1:4566\", \
                     or remove it to use the AWS default."
                ),
            )
            .at(AttrPath::root("endpoints").index(0).attr(name)),
        );
    }
    out
}

fn valid_endpoint(url: &str) -> bool {
    (url.starts_with("http://") || url.starts_with("https://"))
        && url
            .split("://")
            .nth(1)
            .is_some_and(|rest| !rest.is_empty() && !rest.contains(' '))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(region: Value, max_retries: Value, endpoints: Value, assume: Value) -> Value {
        Value::object([
            ("region", region),
            ("profile", Value::Null),
            ("max_retries", max_retries),
            ("assume_role", assume),
            ("endpoints", endpoints),
        ])
    }

    fn endpoints(lambda: &str) -> Value {
        let mut attrs: BTreeMap<String, Value> = ENDPOINT_SERVICES
            .iter()
            .map(|(n, _)| (n.to_string(), Value::Null))
            .collect();
        attrs.insert("lambda".into(), Value::string(lambda));
        Value::List(vec![Value::Object(attrs)])
    }

    #[test]
    fn accepts_a_full_configuration() {
        let assume = Value::List(vec![Value::object([
            (
                "role_arn",
                Value::string("arn:aws:iam::123456789012:role/deployer"),
            ),
            ("session_name", Value::string("terraform")),
            ("external_id", Value::Null),
        ])]);
        let c = parse(&config(
            Value::string("us-east-1"),
            Value::Number(25.0),
            endpoints("http://127.0.0.1:5000"),
            assume,
        ))
        .unwrap();
        assert_eq!(c.region.as_deref(), Some("us-east-1"));
        assert_eq!(c.max_retries, Some(25));
        assert_eq!(c.endpoints["lambda"], "http://127.0.0.1:5000");
        assert_eq!(
            c.assume_role.unwrap().session_name.as_deref(),
            Some("terraform")
        );
    }

    #[test]
    fn bad_values_point_at_their_argument() {
        let cases = [
            (
                config(
                    Value::string("useast1"),
                    Value::Null,
                    Value::Null,
                    Value::Null,
                ),
                "region",
            ),
            (
                config(Value::Null, Value::Number(-1.0), Value::Null, Value::Null),
                "max_retries",
            ),
            (
                config(Value::Null, Value::Number(2.5), Value::Null, Value::Null),
                "max_retries",
            ),
            (
                config(
                    Value::Null,
                    Value::Null,
                    endpoints("localhost:5000"),
                    Value::Null,
                ),
                "endpoints[0].lambda",
            ),
            (
                config(
                    Value::Null,
                    Value::Null,
                    Value::Null,
                    Value::List(vec![Value::object([
                        ("role_arn", Value::string("deployer")),
                        ("session_name", Value::Null),
                        ("external_id", Value::Null),
                    ])]),
                ),
                "assume_role[0].role_arn",
            ),
        ];
        for (cfg, path) in cases {
            let diags = parse(&cfg).unwrap_err();
            let d = &diags.0[0];
            assert_eq!(d.path.as_ref().unwrap().to_string(), path, "{d}");
            assert!(!d.detail.is_empty());
        }
    }

    #[test]
    fn unknown_values_are_left_for_later() {
        let c = parse(&config(
            Value::Unknown,
            Value::Unknown,
            Value::Null,
            Value::Null,
        ))
        .unwrap();
        assert_eq!(c, ProviderConfig::default());
    }

    #[test]
    fn region_shapes() {
        for ok in ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1"] {
            assert!(valid_region(ok), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us--1", ""] {
            assert!(!valid_region(bad), "{bad}");
        }
    }
}
