//! Notifications in the rollout: `DeploymentStart` once preflight passed and the alias
//! was read, and one ending message once the rollout has ended (after any rollback and cleanup,
//! so the reason is complete). A failed notification becomes a warning on the outcome.

use crate::ports::{AwsError, Notification, NotificationEvent};

use super::machine::{Action, Phase, State};
use super::{Event, Status};

/// Where the rollout goes once a notification was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AfterNotify {
    /// On to the release: update, publish, or the route the alias shows.
    Route,
    Finish,
}

/// The ending message for a status; `restored`: traffic had moved and was put back.
pub(super) fn ending_event(status: Status, restored: bool) -> NotificationEvent {
    match status {
        Status::Succeeded => NotificationEvent::DeploymentSuccess,
        Status::RolledBack => NotificationEvent::DeploymentRollback,
        Status::Interrupted if restored => NotificationEvent::DeploymentRollback,
        Status::Interrupted | Status::Failed => NotificationEvent::DeploymentFailure,
        // Not an ending: `announce_end` sends nothing for it.
        Status::InProgress => NotificationEvent::DeploymentStart,
    }
}

impl State {
    /// The alias was read: announce the start (when asked to), then go on.
    pub(super) fn announce_start(&mut self, out: &mut Vec<Action>) {
        if !self.d.notify {
            return self.route(out);
        }
        self.send(
            NotificationEvent::DeploymentStart,
            None,
            AfterNotify::Route,
            out,
        )
    }

    /// Called when the rollout has ended; true when a notification went out and finishing waits
    /// for its answer.
    pub(super) fn announce_end(
        &mut self,
        status: Status,
        reason: Option<String>,
        out: &mut Vec<Action>,
    ) -> bool {
        if !self.d.notify || self.end_announced || status == Status::InProgress {
            return false;
        }
        self.end_announced = true;
        let event = ending_event(status, self.traffic_restored);
        self.send(event, reason, AfterNotify::Finish, out);
        true
    }

    fn send(
        &mut self,
        event: NotificationEvent,
        reason: Option<String>,
        then: AfterNotify,
        out: &mut Vec<Action>,
    ) {
        out.push(Action::Notify(Notification {
            event,
            deployment_id: self.d.id.clone(),
            function_name: self.d.function_name.clone(),
            alias: self.d.alias.clone(),
            from_version: self.from.clone(),
            to_version: self.to.clone(),
            reason,
        }));
        self.phase = Phase::Notifying { event, then };
    }

    pub(super) fn notified(
        &mut self,
        event: NotificationEvent,
        then: AfterNotify,
        r: Result<(), AwsError>,
        out: &mut Vec<Action>,
    ) {
        match r {
            Ok(()) => out.push(Action::Emit(Event::Notified { event })),
            Err(e) => {
                let warning = format!("sending the {event} notification failed: {e}");
                out.push(Action::Emit(Event::NotifyFailed {
                    event,
                    reason: warning.clone(),
                }));
                self.warnings.push(warning);
            }
        }
        match then {
            AfterNotify::Route => self.route(out),
            AfterNotify::Finish => self.finish(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ending_event_follows_status_and_traffic() {
        use NotificationEvent::*;
        let rows = [
            (Status::Succeeded, false, DeploymentSuccess),
            (Status::RolledBack, true, DeploymentRollback),
            (Status::Failed, false, DeploymentFailure),
            (Status::Interrupted, false, DeploymentFailure),
            (Status::Interrupted, true, DeploymentRollback),
        ];
        for (status, restored, expected) in rows {
            assert_eq!(ending_event(status, restored), expected, "{status}");
        }
    }
}
