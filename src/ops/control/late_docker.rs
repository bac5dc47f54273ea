//! A docker control for a store started before its Docker engine, or before the engine had the
//! container: the buttons stay disabled, saying what is missing, until a look finds the
//! container; from then on it is a plain docker control.

use super::{ControlError, DockerControl, DockerEngine, ServiceControl};
use crate::service::ServiceAction;
use async_trait::async_trait;
use parking_lot::Mutex;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How often to look again: one stat of the socket, or one small request to the engine.
const LOOK_EVERY: Duration = Duration::from_secs(2);

pub struct LateDockerControl {
    container: String,
    /// Said before what is missing, e.g. that the config file names no backend.
    preface: &'static str,
    /// What the last look found missing, while not attached.
    missing: Mutex<String>,
    attached: OnceLock<DockerControl>,
}

impl LateDockerControl {
    /// `missing` is what the look at start found (a clause from [`DockerEngine::locate`]).
    pub fn new(container: String, preface: &'static str, missing: String) -> Arc<Self> {
        Arc::new(LateDockerControl {
            container,
            preface,
            missing: Mutex::new(missing),
            attached: OnceLock::new(),
        })
    }

    pub fn container(&self) -> &str {
        &self.container
    }

    /// Looks every two seconds until the engine answers and has the container, then attaches.
    /// Returns the engine, for the log window.
    pub async fn attach(&self) -> DockerEngine {
        loop {
            tokio::time::sleep(LOOK_EVERY).await;
            match DockerEngine::locate(&self.container).await {
                Ok(engine) => {
                    let control = DockerControl {
                        engine: engine.clone(),
                        container: self.container.clone(),
                    };
                    // Only this loop sets it, once, so it is never already set.
                    let _ = self.attached.set(control);
                    return engine;
                }
                Err(why) => *self.missing.lock() = why,
            }
        }
    }

    fn reason(&self) -> String {
        let missing = self.missing.lock();
        format!(
            "{}{missing}; looking again every {} s",
            self.preface,
            LOOK_EVERY.as_secs()
        )
    }
}

#[async_trait]
impl ServiceControl for LateDockerControl {
    fn kind(&self) -> &'static str {
        match self.attached.get() {
            Some(docker) => docker.kind(),
            None => "none",
        }
    }

    async fn act(&self, action: ServiceAction) -> Result<Vec<String>, ControlError> {
        match self.attached.get() {
            Some(docker) => docker.act(action).await,
            None => Err(ControlError::NoControl(self.reason())),
        }
    }

    fn disabled_because(&self) -> Option<String> {
        match self.attached.get() {
            Some(docker) => docker.disabled_because(),
            None => Some(self.reason()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn until_attached_it_is_none_and_says_what_is_missing() {
        let control = LateDockerControl::new(
            "carstore-redis".into(),
            "no control backend is configured for it, and ",
            "the Docker engine at unix:///nowhere/docker.sock cannot be used".into(),
        );
        assert_eq!(control.kind(), "none");
        let why = control.disabled_because().expect("disabled");
        assert!(
            why.starts_with("no control backend is configured for it, and the Docker engine")
                && why.ends_with("looking again every 2 s"),
            "{why}"
        );
        let refused = control.act(ServiceAction::Stop).await.unwrap_err();
        assert!(matches!(refused, ControlError::NoControl(m) if m == why));
    }
}
