//! Order events through RabbitMQ: durable queues, persistent messages, publisher confirms, a
//! consumer with manual acks and a prefetch. amqprs does not reconnect by itself, so a
//! supervisor task watches the connection and, when it is lost, reconnects with backoff,
//! declares the queues again and resumes consuming.

mod acks;
mod confirms;
mod consume;
mod link;

use super::{Delivery, OrderQueue, QueueDepth, QueueNames, Settle};
use crate::adapter::{AdapterError, Backoff, EventSink, Mode, Ping};
use crate::config::ServiceUrl;
use crate::service::Service;
use amqprs::channel::ConsumerMessage;
use amqprs::channel::QueueDeclareArguments;
use amqprs::connection::OpenConnectionArguments;
use anyhow::Context;
use async_trait::async_trait;
use link::Link;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex, Notify};

/// Unacknowledged messages the broker hands the processor at once: room for the processor's
/// batches in progress together (see `orders::processor`).
const PREFETCH: u16 = 128;
const SUPERVISE_EVERY: Duration = Duration::from_millis(250);
/// The most a connect (with its declares) or a status check may take.
/// The longest pause between reconnection attempts: a broker that is back is used within it.
const RECONNECT_AT_MOST: Duration = Duration::from_millis(500);
const LINK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Clone)]
pub struct RabbitQueue {
    shared: Arc<Shared>,
}

struct Shared {
    args: OpenConnectionArguments,
    names: QueueNames,
    consume: bool,
    /// The live connection, or `None` while the broker is away.
    link: Mutex<Option<Arc<Link>>>,
    /// Deliveries of the current consumer, tagged with the link they came on.
    deliveries: Mutex<Option<(u64, mpsc::UnboundedReceiver<ConsumerMessage>)>>,
    /// Those handed out and not settled yet, to know when one ack may settle many.
    unsettled: acks::Unsettled,
    relinked: Notify,
}

impl RabbitQueue {
    /// Starts the supervisor and returns at once; until the broker answers, publishing and
    /// status calls say "unavailable" and the processor waits.
    pub fn start(
        url: &ServiceUrl,
        names: QueueNames,
        consume: bool,
    ) -> anyhow::Result<RabbitQueue> {
        let mut args = connection_args(url.expose())
            .with_context(|| format!("AMQP URL {url} is not valid"))?;
        args.heartbeat(5).connection_name("carstore");
        let shared = Arc::new(Shared {
            args,
            names,
            consume,
            link: Mutex::new(None),
            deliveries: Mutex::new(None),
            unsettled: acks::Unsettled::default(),
            relinked: Notify::new(),
        });
        tokio::spawn(supervise(shared.clone()));
        Ok(RabbitQueue { shared })
    }
}

/// `amqp://user:pass@host:port/vhost`, with the vhost percent-decoded as the AMQP URI spec says
/// (`/%2f` is the default vhost `/`), which the driver's own parser does not do.
fn connection_args(raw: &str) -> anyhow::Result<OpenConnectionArguments> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let rest = raw
        .strip_prefix("amqp://")
        .context("only amqp:// is supported")?;
    let (authority, vhost) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = authority
        .rsplit_once('@')
        .unwrap_or(("guest:guest", authority));
    let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().context("port must be a number")?),
        None => (hostport, 5672),
    };
    anyhow::ensure!(!host.is_empty(), "host is missing");
    let mut args = OpenConnectionArguments::new(host, port, &decode(user), &decode(password));
    args.virtual_host(&if vhost.is_empty() {
        "/".to_owned()
    } else {
        decode(vhost)
    });
    Ok(args)
}

/// Keeps one working link: checks it often, replaces it when it is gone.
async fn supervise(shared: Arc<Shared>) {
    let mut generation = 0;
    let mut backoff = Backoff::new(Duration::from_millis(100), RECONNECT_AT_MOST);
    loop {
        let alive = shared
            .link
            .lock()
            .await
            .as_ref()
            .is_some_and(|l| l.is_open());
        if alive {
            tokio::time::sleep(SUPERVISE_EVERY).await;
            continue;
        }
        generation += 1;
        let opening = Link::open(
            &shared.args,
            &shared.names,
            generation,
            shared.consume.then_some(PREFETCH),
        );
        match tokio::time::timeout(LINK_TIMEOUT, opening)
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("timed out")))
        {
            Ok((link, deliveries)) => {
                tracing::info!(queue = %shared.names.orders, "connected to RabbitMQ");
                *shared.link.lock().await = Some(Arc::new(link));
                *shared.deliveries.lock().await = deliveries.map(|rx| (generation, rx));
                shared.relinked.notify_waiters();
                backoff.reset();
            }
            Err(e) => {
                let was_up = shared.link.lock().await.take().is_some();
                if was_up || backoff.is_fresh() {
                    tracing::warn!(service = "rabbit", error = %format!("{e:#}"), "RabbitMQ unavailable, reconnecting");
                }
                backoff.wait().await;
            }
        }
    }
}

fn queue_error(e: impl std::fmt::Display) -> AdapterError {
    AdapterError::unavailable(Service::Rabbit, e)
}

impl Shared {
    /// Runs `work` on the current link, or says the broker is away.
    async fn with_link<T>(
        &self,
        work: impl AsyncFnOnce(&Link) -> Result<T, AdapterError>,
    ) -> Result<T, AdapterError> {
        // Hold the lock only to take the link: publishes wait for confirms, acks must not wait
        // behind them.
        let current = self.link.lock().await.clone();
        let link = current
            .filter(|l| l.is_open())
            .ok_or_else(|| queue_error("not connected to RabbitMQ"))?;
        work(&link).await
    }
}

#[async_trait]
impl EventSink for RabbitQueue {
    async fn publish_all(&self, bodies: &[&str]) -> Vec<Result<(), AdapterError>> {
        let queue = &self.shared.names.orders;
        let published = self
            .shared
            .with_link(async |link| Ok(link.publish_all_confirmed(queue, bodies, 1).await))
            .await;
        published.unwrap_or_else(|e| {
            let said = e.to_string();
            bodies.iter().map(|_| Err(queue_error(&said))).collect()
        })
    }
}

/// Up means the broker answers a passive declare, even before the queue exists.
#[async_trait]
impl Ping for RabbitQueue {
    fn mode(&self) -> Mode {
        Mode::Service
    }

    async fn ping(&self) -> Result<(), AdapterError> {
        self.depth().await.map(drop)
    }
}

#[async_trait]
impl OrderQueue for RabbitQueue {
    fn names(&self) -> &QueueNames {
        &self.shared.names
    }

    async fn receive_ready(&self, max: usize) -> Result<Vec<Delivery>, AdapterError> {
        Ok(self.shared.receive_ready(max).await)
    }

    async fn settle(&self, delivery: Delivery, outcome: Settle) -> Result<(), AdapterError> {
        self.shared.settle(delivery, outcome).await
    }

    async fn ack_all(&self, deliveries: &[Delivery]) -> Result<(), AdapterError> {
        self.shared.ack_all(deliveries).await
    }

    async fn depth(&self) -> Result<QueueDepth, AdapterError> {
        let names = self.shared.names.clone();
        let counting = self.shared.with_link(async |link| {
            let channel = link
                .connection()
                .open_channel(None)
                .await
                .map_err(queue_error)?;
            let count = async |queue: &str| {
                let declared = channel
                    .queue_declare(QueueDeclareArguments::new(queue).passive(true).finish())
                    .await
                    .map_err(queue_error)?;
                Ok::<_, AdapterError>(
                    declared.map(|(_, messages, consumers)| (u64::from(messages), consumers)),
                )
            };
            let (messages, consumers) = count(&names.orders).await?.unwrap_or_default();
            let (dead_lettered, _) = count(&names.dead_letters).await?.unwrap_or_default();
            let _ = channel.close().await;
            Ok(QueueDepth {
                messages,
                consumers,
                dead_lettered,
            })
        });
        tokio::time::timeout(LINK_TIMEOUT, counting)
            .await
            .unwrap_or_else(|_| Err(queue_error("RabbitMQ did not answer in time")))
    }
}

#[cfg(test)]
mod tests {
    use super::connection_args;

    #[test]
    fn amqp_urls_decode_the_vhost() {
        let args = connection_args("amqp://guest:gu%40st@127.0.0.1:5673/%2f").unwrap();
        assert_eq!(args.get_virtual_host(), "/");
        assert_eq!(
            connection_args("amqp://h/shop").unwrap().get_virtual_host(),
            "shop"
        );
        assert!(connection_args("amqp://user:pw@:5672/").is_err());
        assert!(connection_args("amqp://h:notaport/").is_err());
    }
}
