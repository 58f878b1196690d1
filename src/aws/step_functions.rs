//! Rollouts on Step Functions: the walk compiled to Amazon States Language, put in the alias's
//! state machine (created, or updated for this release), and started as one execution named for
//! the deployment; followed by reading the execution and the alias.

use aws_sdk_sfn::types::{ExecutionStatus, Tag};
use gitmoxi_engine::ports::{
    absent_if_not_found, done_if_not_found, AwsError, AwsErrorKind, Conductor, Walk, WalkProgress,
    WalkState,
};

use super::{ops, Aws};
use crate::model::state_machine::{compile, input, machine_name};

/// Published versions of a rollout machine kept (the newest, the one just published among them).
const KEPT_VERSIONS: usize = 5;

fn version_of(arn: Option<&str>) -> Result<String, AwsError> {
    arn.map(str::to_string).ok_or_else(|| {
        AwsError::new(
            AwsErrorKind::Other,
            "Step Functions published no version of the rollout's state machine",
        )
    })
}

/// The engine's [`Conductor`] on Step Functions, for one function's rollouts.
pub struct StepFunctionsWalk<'a> {
    pub(super) aws: &'a Aws,
    pub(super) function: String,
    pub(super) role_arn: String,
}

impl Aws {
    async fn machine_arn(&self, function: &str, alias: &str) -> Result<String, AwsError> {
        let account = self.account_id().await?;
        let partition = self.partition().await?;
        let name = machine_name(function, alias);
        Ok(format!(
            "arn:{partition}:states:{}:{account}:stateMachine:{name}",
            self.region
        ))
    }

    /// The machine with this definition, published as a version of its own: updated when it
    /// exists, created (tagged) otherwise. The answer is the version's ARN, which the execution
    /// starts on (an execution started on the machine's ARN right after an update may still
    /// run the definition before it).
    async fn put_machine(&self, walk: &Walk, role_arn: &str) -> Result<String, AwsError> {
        let arn = self.machine_arn(&walk.function_name, &walk.alias).await?;
        let definition = compile(walk, self.partition().await?).to_string();
        let updated = self
            .calls
            .send(ops::UPDATE_STATE_MACHINE, || {
                self.sfn
                    .update_state_machine()
                    .state_machine_arn(&arn)
                    .definition(&definition)
                    .role_arn(role_arn)
                    .publish(true)
                    .send()
            })
            .await;
        if let Some(updated) = absent_if_not_found(updated)? {
            self.prune_versions(&arn).await;
            return version_of(updated.state_machine_version_arn());
        }
        let tags = [
            ("gitmoxi:function", walk.function_name.as_str()),
            ("gitmoxi:alias", walk.alias.as_str()),
            ("managed-by", "terraform-provider-gitmoxi"),
        ];
        let tags: Vec<Tag> = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(*k).value(*v).build())
            .collect();
        let created = self
            .calls
            .send(ops::CREATE_STATE_MACHINE, || {
                self.sfn
                    .create_state_machine()
                    .name(machine_name(&walk.function_name, &walk.alias))
                    .definition(&definition)
                    .role_arn(role_arn)
                    .set_tags(Some(tags.clone()))
                    .publish(true)
                    .send()
            })
            .await?;
        version_of(created.state_machine_version_arn())
    }

    /// Each release publishes a version; all but the newest few are deleted (best effort: a
    /// version left over costs nothing and the next release tries again).
    async fn prune_versions(&self, machine: &str) {
        let listed = self
            .calls
            .send(ops::LIST_STATE_MACHINE_VERSIONS, || {
                self.sfn
                    .list_state_machine_versions()
                    .state_machine_arn(machine)
                    .send()
            })
            .await;
        let Ok(listed) = listed else { return };
        // Newest first.
        for old in listed.state_machine_versions().iter().skip(KEPT_VERSIONS) {
            let arn = old.state_machine_version_arn();
            let _ = self
                .calls
                .send(ops::DELETE_STATE_MACHINE_VERSION, || {
                    self.sfn
                        .delete_state_machine_version()
                        .state_machine_version_arn(arn)
                        .send()
                })
                .await;
        }
    }

    /// The execution running on `function`'s `alias`, if any.
    pub(super) async fn running_walk(
        &self,
        function: &str,
        alias: &str,
    ) -> Result<Option<String>, AwsError> {
        let arn = self.machine_arn(function, alias).await?;
        let listed = self
            .calls
            .send(ops::LIST_EXECUTIONS, || {
                self.sfn
                    .list_executions()
                    .state_machine_arn(&arn)
                    .status_filter(ExecutionStatus::Running)
                    .send()
            })
            .await;
        let Some(listed) = absent_if_not_found(listed)? else {
            return Ok(None);
        };
        Ok(listed
            .executions()
            .first()
            .map(|e| e.execution_arn().to_string()))
    }

    pub(super) async fn delete_machine(&self, function: &str, alias: &str) -> Result<(), AwsError> {
        let arn = self.machine_arn(function, alias).await?;
        let deleted = self
            .calls
            .send(ops::DELETE_STATE_MACHINE, || {
                self.sfn
                    .delete_state_machine()
                    .state_machine_arn(&arn)
                    .send()
            })
            .await;
        done_if_not_found(deleted.map(|_| ()))
    }

    pub(super) async fn walk_state(&self, walk: &str) -> Result<WalkState, AwsError> {
        let d = self
            .calls
            .send(ops::DESCRIBE_EXECUTION, || {
                self.sfn.describe_execution().execution_arn(walk).send()
            })
            .await?;
        let failed = |error: &str| WalkState::Failed {
            error: d.error().unwrap_or(error).to_string(),
            cause: d.cause().unwrap_or("no cause given").to_string(),
        };
        Ok(match d.status() {
            ExecutionStatus::Running | ExecutionStatus::PendingRedrive => WalkState::Running,
            ExecutionStatus::Succeeded => WalkState::Succeeded,
            ExecutionStatus::Aborted => failed("Aborted"),
            ExecutionStatus::TimedOut => failed("TimedOut"),
            _ => failed("Failed"),
        })
    }
}

impl Conductor for StepFunctionsWalk<'_> {
    async fn start(&self, walk: &Walk) -> Result<String, AwsError> {
        let aws = self.aws;
        let version = aws.put_machine(walk, &self.role_arn).await?;
        let name = execution_name(&walk.deployment_id);
        let input = input(walk).to_string();
        let started = aws
            .calls
            .send(ops::START_EXECUTION, || {
                aws.sfn
                    .start_execution()
                    .state_machine_arn(&version)
                    .name(&name)
                    .input(&input)
                    .send()
            })
            .await;
        match started {
            Ok(s) => Ok(s.execution_arn().to_string()),
            // A retried start whose first answer was lost: the execution is ours.
            Err(e) if e.kind == AwsErrorKind::InUse => {
                let machine = aws.machine_arn(&walk.function_name, &walk.alias).await?;
                let execution = machine.replace(":stateMachine:", ":execution:");
                Ok(format!("{execution}:{name}"))
            }
            Err(e) => Err(e),
        }
    }

    async fn progress(
        &self,
        walk: &str,
        alias: &str,
        read_alias: bool,
    ) -> Result<WalkProgress, AwsError> {
        let state = self.aws.walk_state(walk).await?;
        if !read_alias && state == WalkState::Running {
            return Ok(WalkProgress::unread(state));
        }
        let routing = self.aws.find_alias(&self.function, alias).await?;
        Ok(WalkProgress::read(state, routing))
    }

    async fn stop(&self, walk: &str) -> Result<(), AwsError> {
        let aws = self.aws;
        aws.calls
            .send(ops::STOP_EXECUTION, || {
                aws.sfn
                    .stop_execution()
                    .execution_arn(walk)
                    .error("Interrupted")
                    .cause("the apply that started this rollout was interrupted")
                    .send()
            })
            .await
            .map(|_| ())
    }
}

/// Execution names allow 80 characters of letters, digits, `-` and `_`; the id's end (its
/// time) is what makes it unique, so a long one loses its start.
fn execution_name(deployment_id: &str) -> String {
    let name: String = deployment_id
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '-',
            },
        )
        .collect();
    name[name.len().saturating_sub(80)..].to_string()
}
