//! One client-side budget per AWS quota, shared by every call the provider process makes for its
//! account and region: hundreds of reads in one `terraform plan` or hundreds of rollouts in one
//! `terraform apply` queue for the quota instead of retrying into it. Within a quota, changes to
//! traffic (alias updates: shifts and, above all, rollbacks) go before other changes, and those
//! before routine reads and polls.
//!
//! Token buckets refilled at the quota's rate and holding one token: calls are spaced evenly, so
//! no second ever sees more than the quota, whatever the bucket AWS keeps allows in bursts. Time
//! is `tokio::time`, so tests run them on a paused clock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::{sleep, Instant};

/// An AWS quota the provider's calls count against (Lambda and CloudWatch defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quota {
    /// Every Lambda API except Invoke, GetFunction and GetPolicy: 15 requests/s together.
    LambdaControl,
    /// GetFunction: 100/s.
    GetFunction,
    /// CloudWatch DescribeAlarms: 9/s.
    DescribeAlarms,
    /// CloudWatch DescribeAlarmHistory: 20/s.
    DescribeAlarmHistory,
    /// CloudWatch GetMetricData: 500/s.
    GetMetricData,
    /// Calls with no quota worth pacing (Invoke, SNS, S3, ELB, API Gateway).
    None,
}

impl Quota {
    /// Requests per second AWS allows by default.
    pub fn default_rate(self) -> Option<f64> {
        match self {
            Quota::LambdaControl => Some(15.0),
            Quota::GetFunction => Some(100.0),
            Quota::DescribeAlarms => Some(9.0),
            Quota::DescribeAlarmHistory => Some(20.0),
            Quota::GetMetricData => Some(500.0),
            Quota::None => None,
        }
    }
}

/// Who goes first when a quota is short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Reads and polls.
    Routine = 0,
    /// Changes: updates, publishes, creations, deletions.
    Change = 1,
    /// Alias updates: the traffic itself, rollbacks included.
    Traffic = 2,
}

struct Bucket {
    rate: f64,
    tokens: f64,
    refilled: Instant,
    /// How many callers of each priority are waiting.
    waiting: [u32; 3],
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let earned = now.saturating_duration_since(self.refilled).as_secs_f64() * self.rate;
        self.tokens = (self.tokens + earned).min(1.0);
        self.refilled = now;
    }

    fn outranked(&self, p: Priority) -> bool {
        self.waiting[p as usize + 1..].iter().any(|n| *n > 0)
    }
}

/// The budgets of one account and region.
pub struct Budget {
    buckets: Mutex<HashMap<Quota, Bucket>>,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::with_rates(|q| q.default_rate())
    }
}

/// Takes a caller off the waiting list when its wait ends, however it ends (a dropped future
/// included), so it never blocks lower priorities after leaving.
struct Waiting<'a> {
    budget: &'a Budget,
    quota: Quota,
    priority: Priority,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut buckets = self.budget.lock();
        if let Some(b) = buckets.get_mut(&self.quota) {
            b.waiting[self.priority as usize] -= 1;
        }
    }
}

impl Budget {
    pub fn with_rates(rate: impl Fn(Quota) -> Option<f64>) -> Budget {
        let quotas = [
            Quota::LambdaControl,
            Quota::GetFunction,
            Quota::DescribeAlarms,
            Quota::DescribeAlarmHistory,
            Quota::GetMetricData,
        ];
        let now = Instant::now();
        let buckets = quotas
            .into_iter()
            .filter_map(|q| {
                let rate = rate(q)?;
                let bucket = Bucket {
                    rate,
                    tokens: 1.0,
                    refilled: now,
                    waiting: [0; 3],
                };
                Some((q, bucket))
            })
            .collect();
        Budget {
            buckets: Mutex::new(buckets),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Quota, Bucket>> {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for one request's worth of `quota`.
    pub async fn take(&self, quota: Quota, priority: Priority) {
        let mut registered: Option<Waiting<'_>> = None;
        loop {
            let pause = {
                let mut buckets = self.lock();
                let Some(b) = buckets.get_mut(&quota) else {
                    return;
                };
                b.refill(Instant::now());
                if b.tokens >= 1.0 && !b.outranked(priority) {
                    b.tokens -= 1.0;
                    None
                } else {
                    if registered.is_none() {
                        b.waiting[priority as usize] += 1;
                    }
                    let missing = (1.0 - b.tokens).max(0.0) / b.rate;
                    Some(Duration::from_secs_f64(missing).max(Duration::from_millis(5)))
                }
            };
            match pause {
                None => return drop(registered),
                Some(p) => {
                    if registered.is_none() {
                        registered = Some(Waiting {
                            budget: self,
                            quota,
                            priority,
                        });
                    }
                    sleep(p).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_quota_is_never_exceeded_in_any_second() {
        let budget = Arc::new(Budget::default());
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..60 {
            let b = budget.clone();
            tasks.push(tokio::spawn(async move {
                b.take(Quota::LambdaControl, Priority::Routine).await;
                start.elapsed()
            }));
        }
        let mut at: Vec<Duration> = Vec::new();
        for t in tasks {
            at.push(t.await.unwrap());
        }
        at.sort();
        // Evenly spaced: no 16 of them within a second.
        for window in at.windows(16) {
            let span = window[15] - window[0];
            assert!(
                span >= Duration::from_millis(990),
                "16 calls within {span:?}"
            );
        }
        let last = *at.last().unwrap();
        assert!(last <= Duration::from_secs(4), "{last:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn traffic_goes_before_routine_reads() {
        let budget = Arc::new(Budget::with_rates(|_| Some(1.0)));
        budget.take(Quota::LambdaControl, Priority::Routine).await; // the bucket is empty now
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, p) in [Priority::Routine, Priority::Routine, Priority::Traffic]
            .into_iter()
            .enumerate()
        {
            let (b, order) = (budget.clone(), order.clone());
            tasks.push(tokio::spawn(async move {
                // The routine reads ask first.
                tokio::time::sleep(Duration::from_millis(10 * i as u64)).await;
                b.take(Quota::LambdaControl, p).await;
                order.lock().unwrap().push(p);
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        assert_eq!(order[0], Priority::Traffic, "{order:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn calls_without_a_quota_never_wait() {
        let budget = Budget::default();
        let start = Instant::now();
        for _ in 0..1000 {
            budget.take(Quota::None, Priority::Routine).await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
