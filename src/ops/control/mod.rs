//! Starting and stopping the backing services from the dashboard, behind one small trait:
//! `docker` (a container by name), `command` (shell commands from the config file) or `none`
//! (buttons disabled, reason shown).

mod command;
mod docker;
mod late_docker;

pub use command::CommandControl;
pub use docker::{DockerControl, DockerEngine};
pub use late_docker::LateDockerControl;

use crate::service::ServiceAction;
use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// This service has no control backend (embedded, or not configured).
    #[error("{0}")]
    NoControl(String),
    /// The backend itself could not be reached or run.
    #[error("{0}")]
    Unavailable(String),
    /// The backend ran and the action failed.
    #[error("{0}")]
    Failed(String),
}

#[async_trait]
pub trait ServiceControl: Send + Sync {
    /// `docker`, `command` or `none`, as `/api/services` shows it.
    fn kind(&self) -> &'static str;
    /// Runs the action; returns what it printed, line by line.
    async fn act(&self, action: ServiceAction) -> Result<Vec<String>, ControlError>;
    /// Why the buttons are disabled, for the page's tooltip; `None` when they work. Owned, as
    /// a control that attaches later has a reason that changes.
    fn disabled_because(&self) -> Option<String> {
        None
    }
}

/// No control: every action is refused with the reason.
pub struct NoControl(pub String);

#[async_trait]
impl ServiceControl for NoControl {
    fn kind(&self) -> &'static str {
        "none"
    }

    async fn act(&self, _: ServiceAction) -> Result<Vec<String>, ControlError> {
        Err(ControlError::NoControl(self.0.clone()))
    }

    fn disabled_because(&self) -> Option<String> {
        Some(self.0.clone())
    }
}
