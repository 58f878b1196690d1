//! IAM, asked one thing: does an execution role exist, before a function is given it.

use std::time::Duration;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};
use tokio::time::{sleep, Instant};

use super::{ops, Aws, RetryPolicy};

/// IAM is eventually consistent: a role created moments ago (by another provider in the same
/// apply) can be unknown to a read for a few seconds.
const NOT_FOUND_WINDOW: Duration = Duration::from_secs(10);
const NOT_FOUND_PAUSE: Duration = Duration::from_secs(2);

/// The check is advisory (Lambda judges the role anyway), so an IAM that does not answer is not
/// waited for.
const ADVISORY: RetryPolicy = RetryPolicy { max_attempts: 2 };

impl Aws {
    /// Whether IAM knows the role; an error when it cannot tell (IAM not reachable from here, or
    /// no permission to read roles).
    pub(super) async fn role_exists(&self, role_arn: &str) -> Result<bool, AwsError> {
        let Some(iam) = &self.iam else {
            return Err(AwsError::new(
                AwsErrorKind::Other,
                "IAM is not asked: the provider has a lambda endpoint and no iam endpoint",
            ));
        };
        let name = role_name(role_arn);
        let started = Instant::now();
        loop {
            let found = self
                .calls
                .send_with(&ADVISORY, ops::GET_ROLE, || {
                    iam.get_role().role_name(name).send()
                })
                .await;
            match found {
                Ok(_) => return Ok(true),
                Err(e) if e.is_not_found() && started.elapsed() < NOT_FOUND_WINDOW => {
                    sleep(NOT_FOUND_PAUSE).await;
                }
                Err(e) if e.is_not_found() => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }
}

/// `arn:aws:iam::123456789012:role/path/name` → `name` (GetRole takes the name, not the path).
fn role_name(role_arn: &str) -> &str {
    role_arn.rsplit('/').next().unwrap_or(role_arn)
}

#[cfg(test)]
mod tests {
    use super::role_name;

    #[test]
    fn the_role_name_is_the_last_path_segment() {
        assert_eq!(role_name("arn:aws:iam::1:role/service/app/exec"), "exec");
        assert_eq!(role_name("arn:aws:iam::1:role/exec"), "exec");
    }
}
