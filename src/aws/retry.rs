//! The one retry policy: every SDK call goes through [`send`], which retries what is worth
//! retrying and gives everything above `aws/` a final, classified answer. The SDK's own retries
//! are off, so attempts never multiply.
//!
//! - Throttled (throttling, 5xx, no answer): exponential backoff with full jitter, from 0.5 s up
//!   to 10 s a pause, for `max_attempts` attempts.
//! - Propagating (an execution role IAM has not propagated yet): every 5 s for up to 2 minutes.
//! - Anything else is answered at once.

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use gitmoxi_engine::ports::{AwsError, AwsErrorKind};
use tokio::time::{sleep, Instant};

use super::budget::Budget;
use super::errors::classify;
use super::ops::Op;
use crate::log;

const FIRST_PAUSE: Duration = Duration::from_millis(500);
const MAX_PAUSE: Duration = Duration::from_secs(10);
const PROPAGATION_PAUSE: Duration = Duration::from_secs(5);
const PROPAGATION_WINDOW: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts of a throttled call, the first included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { max_attempts: 10 }
    }
}

impl RetryPolicy {
    /// `max_retries` of the provider block: retries after the first attempt.
    pub fn with_max_retries(max_retries: Option<u32>) -> RetryPolicy {
        max_retries.map_or_else(RetryPolicy::default, |n| RetryPolicy {
            max_attempts: n.saturating_add(1),
        })
    }

    /// How long to wait before attempt `attempt + 1` after `error`, or None to give up.
    pub fn pause(&self, error: &AwsError, attempt: u32, waited: Duration) -> Option<Duration> {
        match error.kind {
            AwsErrorKind::Throttled if attempt < self.max_attempts => {
                let cap = FIRST_PAUSE
                    .saturating_mul(1 << attempt.min(16))
                    .min(MAX_PAUSE);
                Some(jitter(cap))
            }
            AwsErrorKind::Propagating if waited < PROPAGATION_WINDOW => Some(PROPAGATION_PAUSE),
            _ => None,
        }
    }
}

/// Full jitter: uniformly between a tenth of `cap` and `cap`, so clients that were throttled
/// together do not come back together.
fn jitter(cap: Duration) -> Duration {
    let random = RandomState::new().hash_one(Instant::now());
    let millis = cap.as_millis().max(1) as u64;
    Duration::from_millis(millis / 10 + random % (millis - millis / 10).max(1))
}

/// How every SDK call is made: within the quota's budget, and per the retry policy.
pub struct Calls {
    pub retry: RetryPolicy,
    pub budget: Budget,
}

impl Calls {
    /// Sends a request built afresh by `call` for every attempt; each attempt waits for its
    /// share of the operation's quota first.
    pub async fn send<T, E, F, Fut>(&self, op: Op, call: F) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.send_with(&self.retry, op, call).await
    }

    /// [`Calls::send`] under another retry policy, for calls whose answer is advisory.
    pub async fn send_with<T, E, F, Fut>(
        &self,
        retry: &RetryPolicy,
        op: Op,
        mut call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        retrying(retry, op.action, || {
            let budget = &self.budget;
            let attempt = call();
            async move {
                budget.take(op.quota, op.priority).await;
                attempt.await.map_err(|e| classify(op.action, e))
            }
        })
        .await
    }
}

/// Between two attempts of an advisory read that AWS throttled.
const ADVISORY_PAUSE: Duration = Duration::from_millis(250);

impl Calls {
    /// For advisory reads that must not hold anything up: gives up once AWS has spent `within`
    /// on them. Each attempt waits for the operation's budget first, and that wait does not
    /// count (so under a busy budget the read can take longer than `within` in all); a
    /// throttled attempt is tried again while the time allows.
    pub async fn send_within<T, E, F, Fut>(
        &self,
        op: Op,
        within: Duration,
        mut call: F,
    ) -> Result<T, AwsError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut left = within;
        loop {
            self.budget.take(op.quota, op.priority).await;
            let started = Instant::now();
            let Ok(answer) = tokio::time::timeout(left, call()).await else {
                let reason = format!("{}: no answer within {within:?}", op.action);
                return Err(AwsError::new(AwsErrorKind::Other, reason));
            };
            left = left.saturating_sub(started.elapsed());
            match answer.map_err(|e| classify(op.action, e)) {
                Err(e) if e.kind == AwsErrorKind::Throttled && left > ADVISORY_PAUSE => {
                    // Jittered, so previews throttled together do not come back together.
                    let pause = jitter(ADVISORY_PAUSE);
                    sleep(pause).await;
                    left -= pause;
                }
                answer => return answer,
            }
        }
    }
}

/// Runs `call` until it succeeds or `policy` gives up on its classified error. Every adapter of
/// the resources' port goes through here, the in-memory one too.
pub async fn retrying<T, F, Fut>(
    policy: &RetryPolicy,
    action: &str,
    mut call: F,
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let started = Instant::now();
    let mut attempt = 1;
    loop {
        let error = match call().await {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let Some(pause) = policy.pause(&error, attempt, started.elapsed()) else {
            return Err(error);
        };
        log::debug(
            "retrying an AWS call",
            &[
                ("action", action),
                ("kind", &error.kind.to_string()),
                ("attempt", &attempt.to_string()),
                ("pause_ms", &pause.as_millis().to_string()),
            ],
        );
        sleep(pause).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_lambda::operation::get_alias::GetAliasError;

    use super::super::budget::{Priority, Quota};
    use super::super::ops;
    use super::*;

    fn err(kind: AwsErrorKind) -> AwsError {
        AwsError::new(kind, "x")
    }

    #[test]
    fn throttling_backs_off_with_jitter_up_to_the_attempt_limit() {
        let p = RetryPolicy { max_attempts: 4 };
        for attempt in 1..4 {
            let pause = p
                .pause(&err(AwsErrorKind::Throttled), attempt, Duration::ZERO)
                .unwrap();
            let cap = FIRST_PAUSE * (1 << attempt);
            assert!(pause <= cap && pause >= cap / 10, "{attempt}: {pause:?}");
        }
        assert_eq!(
            p.pause(&err(AwsErrorKind::Throttled), 4, Duration::ZERO),
            None
        );
        let late = RetryPolicy { max_attempts: 100 };
        let pause = late
            .pause(&err(AwsErrorKind::Throttled), 30, Duration::ZERO)
            .unwrap();
        assert!(pause <= MAX_PAUSE);
    }

    #[test]
    fn propagation_is_waited_out_for_two_minutes_and_nothing_else_is_retried() {
        let p = RetryPolicy::default();
        let e = err(AwsErrorKind::Propagating);
        assert_eq!(
            p.pause(&e, 20, Duration::from_secs(60)),
            Some(PROPAGATION_PAUSE)
        );
        assert_eq!(p.pause(&e, 20, Duration::from_secs(121)), None);
        for kind in [
            AwsErrorKind::NotFound,
            AwsErrorKind::Conflict,
            AwsErrorKind::InUse,
            AwsErrorKind::Invalid,
            AwsErrorKind::Other,
        ] {
            assert_eq!(p.pause(&err(kind), 1, Duration::ZERO), None, "{kind:?}");
        }
    }

    #[test]
    fn max_retries_counts_retries_after_the_first_attempt() {
        assert_eq!(RetryPolicy::with_max_retries(Some(0)).max_attempts, 1);
        assert_eq!(RetryPolicy::with_max_retries(Some(25)).max_attempts, 26);
        assert_eq!(RetryPolicy::with_max_retries(None), RetryPolicy::default());
    }

    type Answer = Result<u32, SdkError<GetAliasError, HttpResponse>>;

    fn calls() -> Calls {
        Calls {
            retry: RetryPolicy::default(),
            budget: Budget::with_rates(Quota::default_rate),
        }
    }

    /// A plan's preview queued behind a busy budget still gets its answer: only AWS's own time
    /// counts against its patience.
    #[tokio::test(start_paused = true)]
    async fn a_preview_waits_for_the_budget_without_losing_its_answer() {
        let calls = calls();
        for _ in 0..60 {
            calls
                .budget
                .take(Quota::LambdaControl, Priority::Change)
                .await;
        }
        let before = Instant::now();
        let queued = Duration::from_secs(20);
        let preview = calls.send_within(ops::GET_ALIAS, Duration::from_secs(3), || async {
            sleep(Duration::from_secs(1)).await;
            Answer::Ok(7)
        });
        let (answer, ()) = tokio::join!(preview, async {
            for _ in 0..300 {
                calls
                    .budget
                    .take(Quota::LambdaControl, Priority::Change)
                    .await;
            }
        });
        assert_eq!(answer.unwrap(), 7);
        assert!(before.elapsed() >= queued, "{:?}", before.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn a_preview_aws_does_not_answer_in_time_gives_up_once() {
        let calls = calls();
        let mut attempts = 0;
        let answer = calls
            .send_within(ops::GET_ALIAS, Duration::from_secs(3), || {
                attempts += 1;
                async {
                    sleep(Duration::from_secs(60)).await;
                    Answer::Ok(7)
                }
            })
            .await;
        let error = answer.unwrap_err();
        assert_eq!(error.kind, AwsErrorKind::Other);
        assert!(error.to_string().contains("no answer within 3s"), "{error}");
        assert_eq!(attempts, 1);
    }

    fn throttled() -> SdkError<GetAliasError, HttpResponse> {
        use aws_sdk_lambda::error::ErrorMetadata;
        use aws_sdk_lambda::primitives::SdkBody;
        let metadata = ErrorMetadata::builder()
            .code("TooManyRequestsException")
            .build();
        let response = HttpResponse::new(429.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(GetAliasError::generic(metadata), response)
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttled_preview_is_tried_again_while_its_time_allows() {
        let calls = calls();
        let mut attempts = 0;
        let answer = calls
            .send_within(ops::GET_ALIAS, Duration::from_secs(3), || {
                attempts += 1;
                let first = attempts == 1;
                async move {
                    sleep(Duration::from_millis(100)).await;
                    if first {
                        Err(throttled())
                    } else {
                        Answer::Ok(7)
                    }
                }
            })
            .await;
        assert_eq!(answer.unwrap(), 7);
        assert_eq!(attempts, 2);

        // Throttled every time: tries while AWS's time allows, then says it was throttled.
        let mut attempts = 0;
        let answer = calls
            .send_within(ops::GET_ALIAS, Duration::from_secs(1), || {
                attempts += 1;
                async {
                    sleep(Duration::from_millis(100)).await;
                    Answer::Err(throttled())
                }
            })
            .await;
        assert_eq!(answer.unwrap_err().kind, AwsErrorKind::Throttled);
        // Each attempt costs 100 ms and a pause of 25 to 250 ms: at least 2, at most 9 fit.
        assert!((2..=9).contains(&attempts), "{attempts}");
    }
}
