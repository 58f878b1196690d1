//! Provisioned concurrency per version: an allocation takes a while (IN_PROGRESS, then READY),
//! or fails with a reason, or stays short of READY; it must fit the account's unreserved
//! concurrency less the 100 Lambda keeps free; an alias carrying weights refuses it, and a
//! version holding it cannot be deleted.

use gitmoxi_engine::ports::{AwsError, AwsErrorKind, Provisioned, ProvisionedStatus};
use tokio::time::Instant;

use super::World;
use crate::error;

/// Unreserved concurrency Lambda never lets provisioned concurrency take.
const KEPT_FREE: u32 = 100;

pub(crate) struct Allocation {
    pub requested: u32,
    pub ready_at: Option<Instant>,
    pub failure: Option<String>,
}

/// How the next allocations behave (set by tests).
#[derive(Default)]
pub(crate) struct CapacityScript {
    pub takes: std::time::Duration,
    pub fail_next: Option<String>,
    pub stuck: bool,
}

impl World {
    fn allocated_elsewhere(&self, function: &str, qualifier: &str) -> u32 {
        let all = self.functions.iter().flat_map(|(name, f)| {
            f.capacity
                .iter()
                .filter(move |(q, _)| !(name == function && q.as_str() == qualifier))
                .map(|(_, a)| a.requested)
        });
        all.sum()
    }

    pub fn put_capacity(
        &mut self,
        function: &str,
        qualifier: &str,
        amount: u32,
        now: Instant,
    ) -> Result<(), AwsError> {
        if amount == 0 {
            return Err(error(
                AwsErrorKind::Invalid,
                "ProvisionedConcurrentExecutions must be at least 1",
            ));
        }
        let f = self.function(function)?;
        let weighted = f.aliases.get(qualifier).is_some_and(|a| a.extra.is_some());
        if weighted {
            return Err(error(
                AwsErrorKind::InUse,
                "Alias with weights can not be used with Provisioned Concurrency",
            ));
        }
        let is_version = qualifier
            .parse::<u64>()
            .is_ok_and(|v| f.versions.contains_key(&v));
        if !is_version && !f.aliases.contains_key(qualifier) {
            return Err(error(
                AwsErrorKind::NotFound,
                format!("Function not found: {function}:{qualifier}"),
            ));
        }
        let available = self.unreserved_concurrency.saturating_sub(KEPT_FREE);
        let wanted = self.allocated_elsewhere(function, qualifier) + amount;
        if wanted > available {
            return Err(error(
                AwsErrorKind::Invalid,
                format!(
                    "Specified ConcurrentExecutions for function decreases account's \
                     UnreservedConcurrentExecution below its minimum value of [{KEPT_FREE}]."
                ),
            ));
        }
        let script = &mut self.capacity_script;
        let allocation = Allocation {
            requested: amount,
            ready_at: (!script.stuck).then_some(now + script.takes),
            failure: script.fail_next.take(),
        };
        self.function_mut(function)?
            .capacity
            .insert(qualifier.to_string(), allocation);
        Ok(())
    }

    pub fn capacity(
        &self,
        function: &str,
        qualifier: &str,
        now: Instant,
    ) -> Result<Provisioned, AwsError> {
        let Some(a) = self.function(function)?.capacity.get(qualifier) else {
            return Err(error(
                AwsErrorKind::NotFound,
                "No Provisioned Concurrency Config found for this function",
            ));
        };
        let ready = a.ready_at.is_some_and(|at| now >= at);
        Ok(match (&a.failure, ready) {
            (Some(reason), _) => Provisioned {
                status: ProvisionedStatus::Failed,
                requested: a.requested,
                allocated: 0,
                reason: Some(reason.clone()),
            },
            (None, true) => Provisioned {
                status: ProvisionedStatus::Ready,
                requested: a.requested,
                allocated: a.requested,
                reason: None,
            },
            (None, false) => Provisioned {
                status: ProvisionedStatus::InProgress,
                requested: a.requested,
                allocated: a.requested / 2,
                reason: None,
            },
        })
    }

    pub fn release_capacity(&mut self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        match self.function_mut(function)?.capacity.remove(qualifier) {
            Some(_) => Ok(()),
            None => Err(error(
                AwsErrorKind::NotFound,
                "No Provisioned Concurrency Config found for this function",
            )),
        }
    }
}
