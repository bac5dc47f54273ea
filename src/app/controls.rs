//! The one place that picks how each service is started and stopped, and where its log window
//! reads from. The config file decides; with nothing there for a service that has a URL, a
//! Docker container of the demo stack's name is used when the engine knows one. A Docker control
//! whose engine or container is not there yet keeps looking and attaches when it is.

use crate::config::{ControlSpec, Settings};
use crate::events::{ControlChange, EventBus, StoreEvent};
use crate::ops::control::{
    CommandControl, DockerControl, DockerEngine, LateDockerControl, NoControl, ServiceControl,
};
use crate::ops::logs::{follow_container, follow_file, own_log, LogFeed, LogWindows};
use crate::ops::vhost_queues::ManagementApi;
use crate::service::{PerService, Service};
use std::sync::Arc;
use tokio::task::JoinHandle;

pub(super) struct Controls {
    pub(super) controls: PerService<Arc<dyn ServiceControl>>,
    /// Log windows: carstore's own, and each service's once it has a log source.
    pub(super) logs: Arc<LogWindows>,
    /// The tasks that follow the log sources.
    pub(super) followers: Vec<JoinHandle<()>>,
}

/// `events` hears of a control that attaches after start.
pub(super) async fn pick_controls(settings: &Settings, events: Arc<EventBus>) -> Controls {
    let mut picked = Picking {
        logs: Arc::new(LogWindows::new(own_log())),
        followers: Vec::new(),
        events,
    };
    let controls = PerService {
        postgres: pick_control(&mut picked, settings, Service::Postgres).await,
        redis: pick_control(&mut picked, settings, Service::Redis).await,
        rabbit: pick_control(&mut picked, settings, Service::Rabbit).await,
    };
    Controls {
        controls,
        logs: picked.logs,
        followers: picked.followers,
    }
}

/// What picking the controls opens along the way: log windows and the tasks that feed them.
struct Picking {
    logs: Arc<LogWindows>,
    followers: Vec<JoinHandle<()>>,
    events: Arc<EventBus>,
}

async fn pick_control(
    picked: &mut Picking,
    settings: &Settings,
    service: Service,
) -> Arc<dyn ServiceControl> {
    let control = match (settings.control.get(service), settings.url_of(service)) {
        (Some(spec), _) => configured(picked, service, spec),
        (None, None) => Arc::new(NoControl("it runs embedded in carstore".into())),
        // A pod reaches no Docker engine, and carstore gets no rights over the cluster.
        (None, Some(_)) if crate::config::on_kubernetes() => Arc::new(NoControl(
            "on Kubernetes the cluster runs it: use kubectl (scale, rollout restart)".into(),
        )),
        (None, Some(_)) => found_in_docker(picked, service).await,
    };
    tracing::info!(
        service = service.as_str(),
        control = control.kind(),
        "control"
    );
    control
}

fn configured(
    picked: &mut Picking,
    service: Service,
    spec: &ControlSpec,
) -> Arc<dyn ServiceControl> {
    match spec {
        ControlSpec::None => Arc::new(NoControl(
            "the config file gives it no control backend".into(),
        )),
        ControlSpec::Command {
            start,
            stop,
            restart,
            log_file,
        } => {
            if let Some(path) = log_file {
                let feed = picked.add_log(service);
                picked
                    .followers
                    .push(tokio::spawn(follow_file(path.clone(), feed)));
            }
            Arc::new(CommandControl {
                start: start.clone(),
                stop: stop.clone(),
                restart: restart.clone(),
            })
        }
        ControlSpec::Docker { container } => {
            let container = container
                .clone()
                .unwrap_or_else(|| service.default_container().to_owned());
            match DockerEngine::from_env() {
                Ok(engine) => picked.docker(service, engine, container),
                Err(why) => picked.late_docker(service, container, "", why),
            }
        }
    }
}

/// No config for a service with a URL: the demo stack's container when the engine has one, now
/// or later.
async fn found_in_docker(picked: &mut Picking, service: Service) -> Arc<dyn ServiceControl> {
    let name = service.default_container().to_owned();
    match DockerEngine::locate(&name).await {
        Ok(engine) => picked.docker(service, engine, name),
        Err(why) => picked.late_docker(
            service,
            name,
            "no control backend is configured for it, and ",
            why,
        ),
    }
}

impl Picking {
    fn add_log(&mut self, service: Service) -> Arc<LogFeed> {
        self.logs.open(service)
    }

    fn docker(
        &mut self,
        service: Service,
        engine: DockerEngine,
        container: String,
    ) -> Arc<dyn ServiceControl> {
        let feed = self.add_log(service);
        self.followers.push(tokio::spawn(follow_container(
            engine.client.clone(),
            container.clone(),
            feed,
        )));
        Arc::new(DockerControl { engine, container })
    }

    /// A docker control that keeps looking for its container; once found, its log window opens
    /// and follows the container.
    fn late_docker(
        &mut self,
        service: Service,
        container: String,
        preface: &'static str,
        missing: String,
    ) -> Arc<dyn ServiceControl> {
        let control = LateDockerControl::new(container, preface, missing);
        let (watching, windows, events) = (control.clone(), self.logs.clone(), self.events.clone());
        self.followers.push(tokio::spawn(async move {
            let engine = watching.attach().await;
            let container = watching.container().to_owned();
            tracing::info!(
                service = service.as_str(),
                %container,
                engine = %engine.address,
                "control: docker, attached now that the engine has the container"
            );
            let feed = windows.open(service);
            events.publish(StoreEvent::Control(ControlChange {
                service,
                control: "docker",
            }));
            follow_container(engine.client, container, feed).await;
        }));
        control
    }
}

/// The RabbitMQ management API, when both its URL and the AMQP URL are set.
pub(super) fn management_api(settings: &Settings) -> anyhow::Result<Option<ManagementApi>> {
    let (Some(management), Some(amqp)) = (&settings.rabbit_management_url, &settings.amqp_url)
    else {
        return Ok(None);
    };
    tracing::info!(url = %management, "queues: every queue of the vhost, from the management API");
    Ok(Some(ManagementApi::new(
        management.expose(),
        amqp.expose(),
    )?))
}
