//! One connection to the broker with its two channels: one to publish (in confirm mode), one to
//! consume. A new link is made for every reconnect; its generation tells deliveries apart.

use super::confirms::{ConfirmCallback, SharedConfirms, TAG_HEADER};
use super::queue_error;
use crate::adapter::AdapterError;
use crate::queue::Delivery;
use crate::queue::QueueNames;
use amqprs::callbacks::DefaultChannelCallback;
use amqprs::channel::ConsumerMessage;
use amqprs::channel::{
    BasicConsumeArguments, BasicPublishArguments, BasicQosArguments, Channel,
    ConfirmSelectArguments, QueueDeclareArguments,
};
use amqprs::connection::{Connection, OpenConnectionArguments};
use amqprs::{BasicProperties, FieldTable, FieldValue, DELIVERY_MODE_PERSISTENT};
use anyhow::Context;
use std::time::Duration;
use tokio::sync::{mpsc, Mutex};

const OPEN_TIMEOUT: Duration = Duration::from_secs(3);
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);
const ATTEMPT_HEADER: &str = "x-carstore-attempt";

pub struct Link {
    connection: Connection,
    publisher: Channel,
    consumer: Option<Channel>,
    confirms: SharedConfirms,
    /// Held while publishing, so delivery tags follow the order of `expect_next`.
    publishing: Mutex<()>,
    generation: u64,
}

impl Link {
    /// Connects, declares both queues, and starts consuming when `prefetch` is given.
    pub async fn open(
        args: &OpenConnectionArguments,
        names: &QueueNames,
        generation: u64,
        prefetch: Option<u16>,
    ) -> anyhow::Result<(Link, Option<mpsc::UnboundedReceiver<ConsumerMessage>>)> {
        let connection = tokio::time::timeout(OPEN_TIMEOUT, Connection::open(args))
            .await
            .context("timed out connecting")?
            .context("connect")?;
        let publisher = connection
            .open_channel(None)
            .await
            .context("open a channel")?;
        for queue in [&names.orders, &names.dead_letters] {
            publisher
                .queue_declare(QueueDeclareArguments::durable_client_named(queue))
                .await
                .with_context(|| format!("declare queue {queue}"))?;
        }
        let confirms = SharedConfirms::default();
        publisher
            .register_callback(ConfirmCallback(confirms.clone()))
            .await
            .context("register confirms")?;
        publisher
            .confirm_select(ConfirmSelectArguments::default())
            .await
            .context("confirm mode")?;
        let (consumer, deliveries) = match prefetch {
            Some(prefetch) => {
                let (channel, rx) = start_consuming(&connection, &names.orders, prefetch).await?;
                (Some(channel), Some(rx))
            }
            None => (None, None),
        };
        let link = Link {
            connection,
            publisher,
            consumer,
            confirms,
            publishing: Mutex::new(()),
            generation,
        };
        Ok((link, deliveries))
    }

    pub fn is_open(&self) -> bool {
        self.connection.is_open()
            && self.publisher.is_open()
            && self.consumer.as_ref().is_none_or(Channel::is_open)
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    pub fn consumer(&self) -> Option<&Channel> {
        self.consumer.as_ref()
    }

    /// Publishes a persistent message and waits for the broker's confirm.
    pub async fn publish_confirmed(
        &self,
        queue: &str,
        body: &str,
        attempt: u32,
    ) -> Result<(), AdapterError> {
        self.publish_all_confirmed(queue, &[body], attempt)
            .await
            .pop()
            .unwrap_or_else(|| Err(queue_error("nothing was published")))
    }

    /// Publishes persistent messages one after the other, then waits for all their confirms
    /// together: one answer per message, in order.
    pub async fn publish_all_confirmed(
        &self,
        queue: &str,
        bodies: &[&str],
        attempt: u32,
    ) -> Vec<Result<(), AdapterError>> {
        let mut answers = Vec::with_capacity(bodies.len());
        {
            // Tags are counted in publish order, so tag and publish are paired under one lock;
            // the confirms are awaited after it, so publishers never queue behind a confirm.
            let _in_tag_order = self.publishing.lock().await;
            for body in bodies {
                let (tag, confirmed) = self.confirms.lock().expect_next();
                let sent = self
                    .publisher
                    .basic_publish(
                        properties(attempt, tag),
                        body.as_bytes().to_vec(),
                        BasicPublishArguments::new("", queue)
                            .mandatory(true)
                            .finish(),
                    )
                    .await;
                match sent {
                    Ok(()) => answers.push(Ok(confirmed)),
                    // The channel is failing: what is left is not sent on it.
                    Err(e) => {
                        let said = e.to_string();
                        answers
                            .extend((answers.len()..bodies.len()).map(|_| Err(queue_error(&said))));
                        break;
                    }
                }
            }
        }
        let deadline = tokio::time::Instant::now() + CONFIRM_TIMEOUT;
        let mut results = Vec::with_capacity(answers.len());
        for answer in answers {
            results.push(match answer {
                Ok(confirmed) => match tokio::time::timeout_at(deadline, confirmed).await {
                    Ok(Ok(true)) => Ok(()),
                    Ok(Ok(false)) => Err(queue_error("the broker refused the message")),
                    Ok(Err(_)) | Err(_) => Err(queue_error("no confirm from the broker")),
                },
                Err(e) => Err(e),
            });
        }
        results
    }
}

/// Persistent JSON, with the attempt count and the publish tag (to know a returned message by).
fn properties(attempt: u32, tag: u64) -> BasicProperties {
    let mut headers = FieldTable::new();
    headers.insert(
        ATTEMPT_HEADER.try_into().expect("short header name"),
        FieldValue::I(attempt as i32),
    );
    headers.insert(
        TAG_HEADER.try_into().expect("short header name"),
        FieldValue::l(tag as i64),
    );
    BasicProperties::default()
        .with_delivery_mode(DELIVERY_MODE_PERSISTENT)
        .with_content_type("application/json")
        .with_headers(headers)
        .finish()
}

async fn start_consuming(
    connection: &Connection,
    queue: &str,
    prefetch: u16,
) -> anyhow::Result<(Channel, mpsc::UnboundedReceiver<ConsumerMessage>)> {
    let channel = connection
        .open_channel(None)
        .await
        .context("open the consumer channel")?;
    channel
        .register_callback(DefaultChannelCallback)
        .await
        .context("register callback")?;
    channel
        .basic_qos(BasicQosArguments::new(0, prefetch, false))
        .await
        .context("set prefetch")?;
    let (_tag, rx) = channel
        .basic_consume_rx(
            BasicConsumeArguments::new(queue, "carstore-processor")
                .manual_ack(true)
                .finish(),
        )
        .await
        .context("start consuming")?;
    Ok((channel, rx))
}

/// A broker message as a `Delivery`; the attempt count travels in a header.
pub fn delivery(generation: u64, message: ConsumerMessage) -> Option<Delivery> {
    let tag = message.deliver?.delivery_tag();
    let attempt = message
        .basic_properties
        .as_ref()
        .and_then(BasicProperties::headers)
        .and_then(|h| h.get(&ATTEMPT_HEADER.try_into().ok()?).cloned())
        .and_then(|v| match v {
            FieldValue::I(n) => u32::try_from(n).ok(),
            _ => None,
        })
        .unwrap_or(1);
    let body = String::from_utf8_lossy(&message.content.unwrap_or_default()).into_owned();
    Some(Delivery {
        tag,
        body,
        attempt,
        link_generation: generation,
    })
}
