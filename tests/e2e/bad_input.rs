//! Bad input, one row per mistake: `terraform validate`, then `terraform plan` if
//! validate let it through, must fail with a diagnostic that names the argument (Terraform quotes
//! the source line of the diagnostic's attribute path) and says how to fix it; no function may
//! appear in the emulator, and the provider must never panic.

use crate::fixtures::{
    function_names, readiness_check, shifting, write_handler_zip, AliasDeployment, Deployment,
    ROLE_ARN,
};
use crate::harness::{iam_override, Emulator, TfOutput, Workspace};

struct Case {
    name: &'static str,
    deployment: Deployment,
    /// Every fragment must appear in the failing command's output (whitespace squashed).
    expect: Vec<&'static str>,
}

fn base() -> Deployment {
    Deployment::new("e2e-bad").canary(20, "3s")
}

fn definition(body: &str) -> Option<String> {
    Some(format!(
        "jsonencode({{\n    FunctionName = \"e2e-bad\"\n{body}\n  }})"
    ))
}

fn with(f: impl FnOnce(&mut Deployment)) -> Deployment {
    let mut d = base();
    f(&mut d);
    d
}

fn cases() -> Vec<Case> {
    let role = format!(
        "    Role = \"{ROLE_ARN}\"\n    Runtime = \"python3.12\"\n    Handler = \"app.handler\""
    );
    let role: &'static str = Box::leak(role.into_boxed_str());
    vec![
        Case {
            name: "function_definition is not JSON",
            deployment: with(|d| d.definition = Some("\"{ FunctionName: e2e-bad\"".into())),
            expect: vec!["function_definition", "JSON"],
        },
        Case {
            name: "function_definition has an unknown key",
            deployment: with(|d| d.definition = definition(&format!("{role}\n    Bogus = 1"))),
            expect: vec![
                "function_definition",
                "Unknown key `Bogus`",
                "newer provider",
            ],
        },
        Case {
            name: "function_definition without Role",
            deployment: with(|d| {
                d.definition =
                    definition("    Runtime = \"python3.12\"\n    Handler = \"app.handler\"")
            }),
            expect: vec![
                "function_definition has no Role",
                "Add \"Role\": the ARN of the IAM execution role",
            ],
        },
        Case {
            name: "function_definition with a wrong type",
            deployment: with(|d| {
                d.definition = definition(&format!("{role}\n    Timeout = \"five\""))
            }),
            expect: vec!["function_definition", "Wrong type for `Timeout`", "must be"],
        },
        Case {
            name: "package_file that does not exist",
            deployment: with(|d| d.package_file = "missing.zip".into()),
            expect: vec!["package_file", "missing.zip"],
        },
        Case {
            name: "package_file together with Code",
            deployment: with(|d| {
                d.definition = definition(&format!(
                    "{role}\n    Code = {{ S3Bucket = \"b\", S3Key = \"k.zip\" }}"
                ))
            }),
            expect: vec!["package_file", "Code"],
        },
        Case {
            name: "sensitive_environment key also in Environment",
            deployment: with(|d| {
                d.extra = "  sensitive_environment = { GREETING = \"secret\" }".into()
            }),
            expect: vec!["sensitive_environment", "GREETING"],
        },
        Case {
            name: "alias $LATEST",
            deployment: with(|d| d.alias = "$LATEST".into()),
            expect: vec!["alias = \"$LATEST\"", "not an alias name", "e.g. \"live\""],
        },
        Case {
            name: "alias that is a version number",
            deployment: with(|d| d.alias = "12".into()),
            expect: vec!["alias = \"12\"", "not an alias name", "e.g. \"live\""],
        },
        Case {
            name: "traffic_shifting type bogus",
            deployment: with(|d| {
                d.traffic_shifting = "traffic_shifting {\n    type = \"bogus\"\n  }".into()
            }),
            expect: vec!["type = \"bogus\"", "CANARY"],
        },
        Case {
            name: "traffic_shifting without type",
            deployment: with(|d| {
                d.traffic_shifting =
                    "traffic_shifting {\n    percent = 10\n    wait_interval = \"5m\"\n  }".into()
            }),
            expect: vec!["traffic_shifting needs a type", "CANARY, LINEAR or ALL_AT_ONCE"],
        },
        Case {
            name: "traffic_shifting percent 0",
            deployment: with(|d| d.traffic_shifting = shifting("CANARY", 0, "3s")),
            expect: vec!["percent = 0", "1 to 99"],
        },
        Case {
            name: "traffic_shifting percent 100",
            deployment: with(|d| d.traffic_shifting = shifting("LINEAR", 100, "3s")),
            expect: vec!["percent = 100", "1 to 99"],
        },
        Case {
            name: "traffic_shifting wait_interval abc",
            deployment: with(|d| {
                d.traffic_shifting =
                    "traffic_shifting {\n    type = \"CANARY\"\n    wait_interval = \"abc\"\n  }"
                        .into()
            }),
            expect: vec!["wait_interval = \"abc\"", "\"90s\""],
        },
        Case {
            name: "CodeDeploy name with percent",
            deployment: with(|d| {
                d.traffic_shifting = "traffic_shifting {\n    type = \"Canary10Percent5Minutes\"\n    percent = 30\n  }".into()
            }),
            expect: vec!["percent = 30", "Canary10Percent5Minutes"],
        },
        Case {
            name: "alarms with an empty name",
            deployment: with(|d| d.alarms = vec!["".into()]),
            expect: vec![
                "alarms = [\"\"]",
                "Invalid alarm name",
                "remove the empty entry",
            ],
        },
        Case {
            name: "alarms with a duplicate",
            deployment: with(|d| d.alarms = vec!["errors".into(), "errors".into()]),
            expect: vec![
                "alarms = [\"errors\", \"errors\"]",
                "listed twice",
                "List each alarm once",
            ],
        },
        Case {
            name: "readiness_check max_retries 0",
            deployment: with(|d| d.readiness_check = readiness_check("1s", 0)),
            expect: vec!["max_retries = 0", "whole number from 1"],
        },
        Case {
            name: "readiness_check wait_interval 0s",
            deployment: with(|d| d.readiness_check = readiness_check("0s", 5)),
            expect: vec!["wait_interval = \"0s\"", "longer than zero"],
        },
        Case {
            name: "retain_versions -1",
            deployment: with(|d| d.extra = "  retain_versions = -1".into()),
            expect: vec!["retain_versions = -1", "whole number from 0"],
        },
        Case {
            name: "timeouts update shorter than the waits",
            deployment: with(|d| d.extra = "  timeouts {\n    update = \"1s\"\n  }".into()),
            expect: vec![
                "update = \"1s\"",
                "shorter than the rollout's waits",
                "timeouts.update",
            ],
        },
        Case {
            name: "event_sources is not JSON",
            deployment: base().event_sources("{ PullEventSources: ["),
            expect: vec!["event_sources", "not valid JSON"],
        },
        Case {
            name: "event_sources with an unknown key",
            deployment: base().event_sources(
                r#"{"PullEventSources": [{"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:q", "BatchSze": 5}]}"#,
            ),
            expect: vec!["event_sources", "Unknown key", "BatchSze"],
        },
        Case {
            name: "event_sources BatchSize 0",
            deployment: base().event_sources(
                r#"{"PullEventSources": [{"EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:q", "BatchSize": 0}]}"#,
            ),
            expect: vec!["event_sources", "BatchSize", "between 1 and"],
        },
        Case {
            name: "hooks timeout 0s",
            deployment: base().hooks("before_allow_traffic = \"smoke\"\ntimeout = \"0s\""),
            expect: vec!["timeout = \"0s\"", "Invalid hook timeout", "longer than zero"],
        },
        Case {
            name: "analysis with nothing to check",
            deployment: base().analysis("min_invocations = 10"),
            expect: vec!["analysis has nothing to check", "max_error_rate"],
        },
        Case {
            name: "analysis max_error_rate 150",
            deployment: base().analysis("max_error_rate = 150"),
            expect: vec!["max_error_rate = 150", "percent from 0 to 100"],
        },
        Case {
            name: "notification_topic_arn that is not an SNS ARN",
            deployment: base().notification_topic_arn("arn:aws:sqs:us-east-1:000000000000:q"),
            expect: vec![
                "notification_topic_arn",
                "Invalid SNS topic ARN",
                "arn:aws:sns:",
            ],
        },
        Case {
            name: "alias deployment version $LATEST",
            deployment: with(|d| {
                d.also = AliasDeployment::new("qa", "qa", "$LATEST").resource_hcl()
            }),
            expect: vec![
                "version = \"$LATEST\"",
                "Invalid version",
                "published version number",
            ],
        },
    ]
}

/// Text Terraform prints when a provider crashes or stops answering.
const CRASH_SIGNS: &[&str] = &[
    "panicked",
    "Plugin did not respond",
    "plugin crashed",
    "The plugin encountered an error",
    "unexpected EOF",
];

/// Validate, then plan if validate passed; returns the failing command's output, or an error
/// describing what went wrong.
fn reject(ws: &Workspace) -> Result<TfOutput, String> {
    let validate = ws.tf(&["validate"]);
    let out = if validate.success() {
        ws.tf(&["plan"])
    } else {
        validate
    };
    if let Some(sign) = CRASH_SIGNS.iter().find(|s| out.contains(s)) {
        return Err(format!("the provider crashed ({sign:?}):\n{out}"));
    }
    if out.success() {
        return Err(format!("accepted:\n{out}"));
    }
    Ok(out)
}

#[tokio::test]
async fn every_bad_argument_fails_before_any_change_naming_the_argument() {
    let emulator = Emulator::start();
    let mut failures = Vec::new();

    for (i, case) in cases().into_iter().enumerate() {
        let ws = Workspace::new(&format!("bad-{i:02}"));
        write_handler_zip(&ws, "v1.zip", "v1");
        case.deployment.write(&ws, &emulator.endpoint());
        match reject(&ws) {
            Err(why) => failures.push(format!("[{}] {why}", case.name)),
            Ok(out) => {
                eprintln!("[{}] rejected by `{}`", case.name, out.command);
                let missing: Vec<_> = case.expect.iter().filter(|e| !out.contains(e)).collect();
                if !missing.is_empty() {
                    failures.push(format!(
                        "[{}] the diagnostic does not mention {missing:?}:\n{out}",
                        case.name
                    ));
                } else if !out.contains("Error:") {
                    failures.push(format!("[{}] no error diagnostic:\n{out}", case.name));
                }
            }
        }
    }

    let created = function_names(&emulator.lambda_client()).await;
    assert!(
        created.is_empty(),
        "bad input created functions: {created:?}"
    );
    assert!(
        failures.is_empty(),
        "{} of the bad inputs were not reported as expected:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// What only AWS can tell is checked in the apply's preflight, before any change.
#[tokio::test]
async fn apply_naming_a_missing_alarm_fails_in_preflight_without_creating_anything() {
    let emulator = Emulator::start();
    let ws = Workspace::new("missing-alarm");
    write_handler_zip(&ws, "v1.zip", "v1");
    let mut deployment = base();
    deployment.alarms = vec!["no-such-alarm".into()];
    deployment.write(&ws, &emulator.endpoint());

    let out = ws.tf(&["apply", "-auto-approve"]);

    out.assert_failure_contains("no-such-alarm");
    assert!(
        !CRASH_SIGNS.iter().any(|s| out.contains(s)),
        "the provider crashed:\n{out}"
    );
    let created = function_names(&emulator.lambda_client()).await;
    assert!(created.is_empty(), "the failed create left {created:?}");
    let state = ws.state_json();
    assert!(
        state["values"]["root_module"]["resources"].is_null(),
        "a failed create returns no state: {state:#}"
    );
}

/// With an `iam` endpoint, a role IAM does not know stops the create before Lambda is asked;
/// once the role exists, the same configuration applies.
#[tokio::test]
async fn apply_naming_a_role_iam_does_not_know_fails_in_preflight_then_applies_once_it_exists() {
    let emulator = Emulator::start();
    let ws = Workspace::new("missing-role");
    write_handler_zip(&ws, "v1.zip", "v1");
    base().write(&ws, &emulator.endpoint());
    ws.write("override.tf", &iam_override(&emulator.endpoint()));

    let out = ws.tf(&["apply", "-auto-approve"]);

    out.assert_failure_contains(&format!("execution role {ROLE_ARN} does not exist"));
    let created = function_names(&emulator.lambda_client()).await;
    assert!(created.is_empty(), "the failed create left {created:?}");

    let role = ROLE_ARN.rsplit('/').next().unwrap();
    emulator
        .iam_client()
        .create_role()
        .role_name(role)
        .assume_role_policy_document(LAMBDA_TRUST_POLICY)
        .send()
        .await
        .expect("creating the role");
    ws.tf(&["apply", "-auto-approve"]).assert_success();
    let created = function_names(&emulator.lambda_client()).await;
    assert_eq!(created, ["e2e-bad"]);
}

const LAMBDA_TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
