//! The replica channel: Redis pub/sub, one channel per store (`<prefix>events`). Each replica
//! publishes its order and load events in small batches and a heartbeat every second, and
//! subscribes to everyone else's. Redis because these events are worth having live and worth
//! nothing late: pub/sub delivers to whoever listens now and keeps nothing, which is exactly
//! that, with no queue per replica to declare or clean up; the order queue in RabbitMQ stays
//! for what must never be lost.

use super::roster::{ChannelState, Roster};
use super::wire::{decode, encode, relayable, Body, Message, WireEvent, MAX_BATCH};
use crate::cache::{redis_builder, redis_fail_fast};
use crate::config::ServiceUrl;
use crate::events::{EventBus, StoreEvent};
use crate::load::LoadRuns;
use anyhow::Context;
use fred::clients::SubscriberClient;
use fred::prelude::*;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

const HEARTBEAT_EVERY: Duration = Duration::from_secs(1);
/// Events wait this long for company before they are sent: one message per burst, not per order.
const BATCH_WAIT: Duration = Duration::from_millis(20);

/// This replica's side of the channel: asks for the others, and a goodbye.
pub struct Fanout {
    link: Option<Link>,
}

struct Link {
    asks: mpsc::Sender<Body>,
    /// The publishing task, which ends after sending the goodbye.
    publisher: parking_lot::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Fanout {
    /// A process with nobody to talk to (embedded mode, or no Redis configured).
    pub fn alone() -> Fanout {
        Fanout { link: None }
    }

    /// Asks whichever replica runs a load run to stop it; `false` when there is no channel.
    pub fn ask_stop_load(&self) -> bool {
        self.link
            .as_ref()
            .is_some_and(|l| l.asks.try_send(Body::StopLoad).is_ok())
    }

    /// Says goodbye, so the others drop this replica from their dashboards now, and stops
    /// publishing (no heartbeat after the goodbye brings it back); best effort, and never
    /// longer than half a second.
    pub async fn leave(&self) {
        let Some(link) = &self.link else { return };
        let publisher = link.publisher.lock().take();
        let said = async {
            let _ = link.asks.send(Body::Leaving).await;
            if let Some(publisher) = publisher {
                let _ = publisher.await;
            }
        };
        let _ = tokio::time::timeout(Duration::from_millis(500), said).await;
    }
}

/// Connects both clients in the background and starts the two tasks; returns at once.
pub fn start_channel(
    url: &ServiceUrl,
    prefix: &str,
    roster: Arc<Roster>,
    bus: Arc<EventBus>,
    load: Option<Arc<LoadRuns>>,
) -> anyhow::Result<Fanout> {
    let channel = format!("{prefix}events");
    let client = redis_builder(url)?
        .build()
        .context("cannot build the replica channel's Redis client")?;
    let subscriber = redis_builder(url)?
        .build_subscriber_client()
        .context("cannot build the replica channel's Redis subscriber")?;
    client.connect();
    subscriber.connect();
    let (asks, asked) = mpsc::channel(16);
    let publisher = Publisher {
        client: client.clone(),
        channel: channel.clone(),
        roster: roster.clone(),
        batch: Vec::new(),
        send_at: None,
    };
    let publisher = tokio::spawn(publisher.run(bus.subscribe(), asked));
    tokio::spawn(receive(subscriber, channel, roster, bus, load));
    Ok(Fanout {
        link: Some(Link {
            asks,
            publisher: parking_lot::Mutex::new(Some(publisher)),
        }),
    })
}

struct Publisher {
    client: Client,
    channel: String,
    roster: Arc<Roster>,
    batch: Vec<WireEvent>,
    send_at: Option<Instant>,
}

impl Publisher {
    async fn run(
        mut self,
        mut local: broadcast::Receiver<StoreEvent>,
        mut asked: mpsc::Receiver<Body>,
    ) {
        let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
        loop {
            let send_at = self.send_at;
            let batch_due = async move {
                match send_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                event = local.recv() => match event {
                    Ok(event) => self.add(&event).await,
                    // Behind by more than the bus keeps: those events reach this replica's
                    // dashboards only. Never worth slowing the store down for.
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(missed, "replica channel fell behind; events not shared")
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = batch_due => self.send_batch().await,
                ask = asked.recv() => match ask {
                    Some(Body::Leaving) => {
                        self.send_batch().await;
                        self.send(Body::Leaving).await;
                        let _ = self.client.quit().await;
                        return;
                    }
                    Some(body) => self.send(body).await,
                    None => return,
                },
                _ = beat.tick() => {
                    let replica = self.roster.this_info();
                    self.send(Body::Heartbeat { replica }).await;
                }
            }
        }
    }

    async fn add(&mut self, event: &StoreEvent) {
        let Some(event) = relayable(event) else {
            return;
        };
        self.batch.push(event);
        self.send_at.get_or_insert(Instant::now() + BATCH_WAIT);
        if self.batch.len() >= MAX_BATCH {
            self.send_batch().await;
        }
    }

    async fn send_batch(&mut self) {
        self.send_at = None;
        let events = std::mem::take(&mut self.batch);
        if !events.is_empty() {
            let instance = self.roster.this.name.clone();
            self.send(Body::Events { instance, events }).await;
        }
    }

    /// Fails at once while Redis is away: what could not be sent is dropped, and the dashboard
    /// says the channel is down.
    async fn send(&self, body: Body) {
        let text = encode(&Message {
            from: self.roster.this.origin.clone(),
            body,
        });
        let sent = self
            .client
            .with_options(&redis_fail_fast())
            .publish::<i64, _, _>(&self.channel, text)
            .await;
        match sent {
            Ok(_) => self
                .roster
                .set_channel(ChannelState::Up, "shared through Redis"),
            Err(_) => self.roster.set_channel(
                ChannelState::Down,
                "Redis is not answering: this dashboard shows this replica's events only",
            ),
        }
    }
}

/// Subscribes (retrying until Redis answers; the client resubscribes by itself after a
/// reconnect) and turns each message from another replica into what it means here.
async fn receive(
    subscriber: SubscriberClient,
    channel: String,
    roster: Arc<Roster>,
    bus: Arc<EventBus>,
    load: Option<Arc<LoadRuns>>,
) {
    let mut messages = subscriber.message_rx();
    let resubscribing = subscriber.manage_subscriptions();
    let stopping = roster.this.stopping();
    let listen = async {
        while subscriber.subscribe(channel.as_str()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        roster.subscribed();
        loop {
            match messages.recv().await {
                Ok(message) => {
                    if let Some(text) = message.value.as_bytes() {
                        arrive(text, &roster, &bus, load.as_deref());
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    };
    // Until the replica stops: then its connection goes too.
    tokio::select! {
        _ = listen => {}
        _ = stopping => {}
    }
    resubscribing.abort();
    let _ = subscriber.quit().await;
}

fn arrive(text: &[u8], roster: &Roster, bus: &EventBus, load: Option<&LoadRuns>) {
    let Some(message) = decode(text) else {
        tracing::debug!("replica channel: a message that is not a replica's was dropped");
        return;
    };
    if message.from == roster.this.origin {
        return;
    }
    match message.body {
        Body::Events { instance, events } => {
            for relayed in events.into_iter().filter_map(|e| e.arrived(&instance)) {
                if let (Some(load), "load") = (load, relayed.event) {
                    load.heard(&message.from, &relayed.data);
                }
                bus.publish(StoreEvent::Relayed(relayed));
            }
        }
        Body::Heartbeat { replica } => roster.heard(&message.from, replica),
        Body::Leaving => roster.forget(&message.from),
        Body::StopLoad => {
            if let Some(load) = load {
                load.stop();
            }
        }
    }
}
