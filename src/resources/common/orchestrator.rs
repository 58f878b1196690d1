//! The `orchestrator` block (in the provider block as every resource's default, and in each
//! resource) and what a rollout on Step Functions cannot do, refused at plan.

use crate::model::settings::{Orchestrator, Settings};
use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::schema::{Attribute, Block};
use crate::protocol::value::{Type, Value};

pub const PROVIDER: &str = "provider";
pub const STEP_FUNCTIONS: &str = "step_functions";

/// The block's schema; `default_note` says what applies without it.
pub fn block(default_note: &str) -> Block {
    Block::new(&format!(
        "Where rollouts run. `provider`: in the provider, during `terraform apply`. \
         `step_functions`: in an AWS Step Functions state machine, which goes on without \
         Terraform (see the Step Functions guide). {default_note}"
    ))
    .attr(Attribute::required(
        "type",
        Type::String,
        "`provider` or `step_functions`.",
    ))
    .attr(Attribute::optional(
        "role_arn",
        Type::String,
        "With `step_functions`: the IAM role the state machine runs as (it updates the alias and \
         reads the alarms). Required there, refused with `provider`.",
    ))
}

/// The block at `path` (a list of at most one); None when absent or not known yet.
pub fn parse(v: &Value, path: AttrPath, diags: &mut Diagnostics) -> Option<Orchestrator> {
    let block = v.elements().first()?.clone();
    let path = path.index(0);
    let kind = block.get("type");
    let role = block.get("role_arn");
    if kind.is_unknown() || role.is_unknown() {
        return None;
    }
    let role = role.as_str().map(str::to_string);
    match (kind.as_str().unwrap_or_default(), role) {
        (PROVIDER, None) => Some(Orchestrator::Provider),
        (PROVIDER, Some(_)) => {
            diags.push(
                Diagnostic::error(
                    "role_arn is only for the step_functions orchestrator",
                    "The provider orchestrator runs rollouts in the provider with its own \
                     credentials. Remove `role_arn`, or set `type = \"step_functions\"`.",
                )
                .at(path.attr("role_arn")),
            );
            None
        }
        (STEP_FUNCTIONS, Some(role_arn)) if valid_role_arn(&role_arn) => {
            Some(Orchestrator::StepFunctions { role_arn })
        }
        (STEP_FUNCTIONS, Some(role_arn)) => {
            diags.push(
                Diagnostic::error(
                    format!("Invalid role ARN {role_arn:?}"),
                    "Set `role_arn` to the ARN of an IAM role, e.g. \
                     \"arn:aws:iam::123456789012:role/gitmoxi-rollouts\".",
                )
                .at(path.attr("role_arn")),
            );
            None
        }
        (STEP_FUNCTIONS, None) => {
            diags.push(
                Diagnostic::error(
                    "The step_functions orchestrator needs role_arn",
                    "Step Functions runs the rollout's state machine as an IAM role that may \
                     update the alias and read the alarms. Set `role_arn` to that role's ARN \
                     (the Step Functions guide has its policy).",
                )
                .at(path.attr("role_arn")),
            );
            None
        }
        (other, _) => {
            diags.push(
                Diagnostic::error(
                    format!("Unknown orchestrator type {other:?}"),
                    "Set `type` to \"provider\" (rollouts run during the apply) or \
                     \"step_functions\" (rollouts run in AWS Step Functions).",
                )
                .at(path.attr("type")),
            );
            None
        }
    }
}

/// `arn:PARTITION:iam::ACCOUNT:role/NAME`.
fn valid_role_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "iam", "", account, resource]
        if partition.starts_with("aws")
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()))
}

/// What a rollout on Step Functions cannot run, refused at plan naming the argument: its state
/// machine watches alarms only, and allocating or releasing provisioned concurrency around the
/// shifts is the provider's work during an apply.
pub fn refusals(settings: &Settings, orchestrator: &Orchestrator, diags: &mut Diagnostics) {
    if *orchestrator == Orchestrator::Provider {
        return;
    }
    let hooks = &settings.hooks;
    if hooks.before_allow_traffic.is_some() || hooks.after_allow_traffic.is_some() {
        diags.push(refused(
            "hooks",
            "lifecycle hooks",
            "Its state machine checks alarms only.",
        ));
    }
    if settings.analysis.is_some() {
        diags.push(refused(
            "analysis",
            "analysis of the new version's metrics",
            "Its state machine checks alarms only: express the check as a CloudWatch alarm on \
             the alias's metrics and list it in `alarms`.",
        ));
    }
    if settings.provisioned_concurrency > 0 {
        diags.push(refused(
            "provisioned_concurrency",
            "provisioned concurrency",
            "Releasing the old version's capacity after the bake needs the provider.",
        ));
    }
}

/// [`refusals`] of a resource's configuration (null when destroying: nothing to refuse), under
/// the provider block's orchestrator when the resource names none.
pub fn plan_refusals(config: &Value, default: Option<&Orchestrator>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if config.is_null() {
        return diags;
    }
    let (settings, _) = super::settings::parse(config);
    let provider = Orchestrator::Provider;
    let orchestrator = settings.orchestrator(default.unwrap_or(&provider));
    refusals(&settings, orchestrator, &mut diags);
    diags
}

fn refused(argument: &str, what: &str, why: &str) -> Diagnostic {
    Diagnostic::error(
        format!("{what} cannot run with the step_functions orchestrator"),
        format!(
            "{why} Remove `{argument}`, or set `orchestrator {{ type = \"provider\" }}` on this \
             resource."
        ),
    )
    .at(AttrPath::root(argument))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(kind: &str, role: Option<&str>) -> Value {
        Value::List(vec![Value::object([
            ("type", Value::string(kind)),
            ("role_arn", Value::opt_string(role.map(str::to_string))),
        ])])
    }

    fn parsed(v: Value) -> (Option<Orchestrator>, Vec<String>) {
        let mut diags = Diagnostics::default();
        let o = parse(&v, AttrPath::root("orchestrator"), &mut diags);
        let paths = diags.0.iter().map(|d| format!("{:?}", d.path)).collect();
        (o, paths)
    }

    #[test]
    fn each_type_and_what_it_needs() {
        let role = "arn:aws:iam::123456789012:role/rollouts";
        assert_eq!(
            parsed(block("provider", None)).0,
            Some(Orchestrator::Provider)
        );
        assert_eq!(
            parsed(block("step_functions", Some(role))).0,
            Some(Orchestrator::StepFunctions {
                role_arn: role.into()
            })
        );
        assert_eq!(parsed(Value::Null).0, None, "no block: the default");
        for (v, at) in [
            (block("step_functions", None), "role_arn"),
            (block("step_functions", Some("rollouts")), "role_arn"),
            (block("provider", Some(role)), "role_arn"),
            (block("codedeploy", None), "type"),
        ] {
            let (o, paths) = parsed(v);
            assert_eq!(o, None);
            assert_eq!(paths.len(), 1);
            assert!(paths[0].contains(at), "{paths:?}");
        }
    }

    #[test]
    fn step_functions_refuses_what_its_machine_cannot_run() {
        let sfn = Orchestrator::StepFunctions {
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
        };
        let mut s = Settings {
            provisioned_concurrency: 5,
            ..Settings::default()
        };
        s.hooks.before_allow_traffic = Some("check".into());
        let mut diags = Diagnostics::default();
        refusals(&s, &sfn, &mut diags);
        assert_eq!(diags.0.len(), 2);
        let mut none = Diagnostics::default();
        refusals(&s, &Orchestrator::Provider, &mut none);
        assert!(none.0.is_empty());
    }
}
