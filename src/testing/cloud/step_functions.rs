//! The engine's [`Conductor`] on the account's Step Functions: the walk compiled as the SDK
//! adapter compiles it, run by the account's interpreter of that ASL.

use gitmoxi_engine::ports::{AwsError, Conductor, Walk, WalkProgress, WalkState};

use super::FakeCloud;
use crate::model::state_machine::{compile, input, machine_name};

pub struct FakeStepFunctions<'a> {
    pub(super) cloud: &'a FakeCloud,
    pub(super) function: String,
}

impl Conductor for FakeStepFunctions<'_> {
    async fn start(&self, walk: &Walk) -> Result<String, AwsError> {
        let machine = machine_name(&walk.function_name, &walk.alias);
        let aws = &self.cloud.aws;
        let definition = compile(walk, "aws");
        aws.start_execution(&machine, &walk.deployment_id, definition, input(walk))
    }

    async fn progress(
        &self,
        walk: &str,
        alias: &str,
        read_alias: bool,
    ) -> Result<WalkProgress, AwsError> {
        use crate::model::ports::Cloud;
        let state = self.cloud.walk_state(walk).await?;
        if !read_alias && state == WalkState::Running {
            return Ok(WalkProgress::unread(state));
        }
        let routing = self.cloud.find_alias(&self.function, alias).await?;
        Ok(WalkProgress::read(state, routing))
    }

    async fn stop(&self, walk: &str) -> Result<(), AwsError> {
        self.cloud.aws.stop_execution(walk)
    }
}
