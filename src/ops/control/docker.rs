//! Containers on a Docker engine, by name: the compose stack's `carstore-postgres`,
//! `carstore-redis` and `carstore-rabbitmq`, or whatever the config file names.

use super::{ControlError, ServiceControl};
use crate::service::ServiceAction;
use async_trait::async_trait;
use bollard::errors::Error as DockerError;
use bollard::query_parameters::{RestartContainerOptions, StopContainerOptions};
use bollard::{ClientVersion, Docker};
use std::time::Duration;

/// Every call used here exists since long before API 1.41 (Docker 20.10), and newer engines
/// still accept it; pinning it spares a version handshake with an engine that may be down.
const API_VERSION: ClientVersion = ClientVersion {
    major_version: 1,
    minor_version: 41,
};
/// Seconds a container gets to stop before it is killed.
const STOP_GRACE_SECS: i32 = 10;
/// Seconds to wait for the engine's answer (a stop can take the whole grace period).
const REQUEST_TIMEOUT_SECS: u64 = 30;
/// How long a look for a container may take: an engine slower than this is not ready.
const LOOK_TIMEOUT: Duration = Duration::from_secs(2);

/// The engine carstore talks to: `DOCKER_HOST`, else the local socket.
#[derive(Clone)]
pub struct DockerEngine {
    pub client: Docker,
    /// Where the engine is, for messages.
    pub address: String,
}

impl DockerEngine {
    pub fn from_env() -> Result<DockerEngine, String> {
        DockerEngine::at(crate::config::docker_host())
    }

    /// `unix:///path/docker.sock` or `tcp://host:2375`.
    pub fn at(address: String) -> Result<DockerEngine, String> {
        let client = if address.starts_with("unix://") {
            Docker::connect_with_unix(&address, REQUEST_TIMEOUT_SECS, &API_VERSION)
        } else {
            Docker::connect_with_http(&address, REQUEST_TIMEOUT_SECS, &API_VERSION)
        };
        let client =
            client.map_err(|e| format!("the Docker engine at {address} cannot be used: {e}"))?;
        Ok(DockerEngine { client, address })
    }

    /// The engine from the environment when it answers and has this container; else what is
    /// missing, as a clause for the dashboard ("the Docker engine at ... has no container ...").
    pub async fn locate(container: &str) -> Result<DockerEngine, String> {
        let engine = DockerEngine::from_env()?;
        engine.look_for(container).await?;
        Ok(engine)
    }

    async fn look_for(&self, container: &str) -> Result<(), String> {
        let inspect = self.client.inspect_container(
            container,
            None::<bollard::query_parameters::InspectContainerOptions>,
        );
        let address = &self.address;
        match tokio::time::timeout(LOOK_TIMEOUT, inspect).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(DockerError::DockerResponseServerError {
                status_code: 404, ..
            })) => Err(format!(
                "the Docker engine at {address} has no container named {container}"
            )),
            Ok(Err(e)) => Err(format!(
                "the Docker engine at {address} does not answer: {e}"
            )),
            Err(_) => Err(format!(
                "the Docker engine at {address} does not answer within {} s",
                LOOK_TIMEOUT.as_secs()
            )),
        }
    }
}

pub struct DockerControl {
    pub engine: DockerEngine,
    pub container: String,
}

impl DockerControl {
    fn explain(&self, e: DockerError) -> ControlError {
        match e {
            DockerError::DockerResponseServerError {
                status_code: 404, ..
            } => ControlError::Failed(format!("there is no container named {}", self.container)),
            DockerError::DockerResponseServerError { message, .. } => {
                ControlError::Failed(format!("Docker refused: {message}"))
            }
            other => ControlError::Unavailable(format!(
                "the Docker engine at {} did not answer: {other}",
                self.engine.address
            )),
        }
    }
}

#[async_trait]
impl ServiceControl for DockerControl {
    fn kind(&self) -> &'static str {
        "docker"
    }

    async fn act(&self, action: ServiceAction) -> Result<Vec<String>, ControlError> {
        let docker = &self.engine.client;
        let name = self.container.as_str();
        let stop = || StopContainerOptions {
            t: Some(STOP_GRACE_SECS),
            signal: None,
        };
        let done = match action {
            ServiceAction::Start => {
                docker
                    .start_container(
                        name,
                        None::<bollard::query_parameters::StartContainerOptions>,
                    )
                    .await
            }
            ServiceAction::Stop => docker.stop_container(name, Some(stop())).await,
            ServiceAction::Restart => {
                let options = RestartContainerOptions {
                    t: Some(STOP_GRACE_SECS),
                    signal: None,
                };
                docker.restart_container(name, Some(options)).await
            }
        };
        match done {
            Ok(()) => Ok(vec![format!("container {name}: {action:?} done")]),
            // 304: already in the asked-for state, which is what was wanted.
            Err(DockerError::DockerResponseServerError {
                status_code: 304, ..
            }) => Ok(vec![format!("container {name} was already in that state")]),
            Err(e) => Err(self.explain(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unreachable_engine_is_unavailable_and_named() {
        let missing = DockerEngine::at("unix:///nonexistent/docker.sock".into()).err();
        assert!(missing.unwrap().contains("/nonexistent/docker.sock"));
        // A port nobody listens on: bound, then released.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("tcp://127.0.0.1:{port}");
        let engine = DockerEngine::at(address.clone()).unwrap();
        let why = engine.look_for("carstore-redis").await.unwrap_err();
        assert!(
            why.contains(&address) && why.contains("does not answer"),
            "{why}"
        );
        let control = DockerControl {
            engine,
            container: "carstore-redis".into(),
        };
        let err = control.act(ServiceAction::Stop).await.unwrap_err();
        assert!(
            matches!(err, ControlError::Unavailable(ref m) if m.contains(&address)),
            "{err}"
        );
    }
}
