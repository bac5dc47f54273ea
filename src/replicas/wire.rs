//! What replicas say to each other on the channel, as JSON. Anyone who can write to Redis can
//! write here, so what arrives is bounded and checked like any input: a message that is too big,
//! malformed, or names an event the dashboard does not know is dropped.

use super::ReplicaInfo;
use crate::config::checked_instance;
use crate::domain::OrderStatus;
use crate::events::{Relayed, StoreEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Events sent in one message at most; a busy replica sends several.
pub(super) const MAX_BATCH: usize = 256;
/// A message longer than this is not from a replica.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Message {
    /// The sender's origin ([`super::ThisReplica::origin`]), so a replica skips its own.
    pub from: String,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Body {
    /// What happened on the sender: orders created or processed, load run figures.
    Events {
        instance: String,
        events: Vec<WireEvent>,
    },
    /// Sent every second: the sender is alive, and how it is.
    Heartbeat { replica: ReplicaInfo },
    /// The sender is stopping: drop it from the roster now rather than when it falls silent.
    Leaving,
    /// Whoever runs a load run stops it (its Stop button was pressed on another replica).
    StopLoad,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct WireEvent {
    pub event: String,
    pub data: Value,
}

/// The events other replicas' dashboards need: orders and load runs. Health, breakers,
/// controls and faults (set per process) are each replica's own view and stay home.
pub(super) fn relayable(event: &StoreEvent) -> Option<WireEvent> {
    match event {
        StoreEvent::Order(_) | StoreEvent::Load(_) => Some(WireEvent {
            event: event.name().to_owned(),
            data: event.data(),
        }),
        _ => None,
    }
}

impl WireEvent {
    /// As a local event again, naming the replica it happened on, with only the fields the
    /// dashboard reads, each of its type; `None` for an event the dashboard does not know or
    /// data that is not what a replica sends.
    pub(super) fn arrived(self, instance: &str) -> Option<Relayed> {
        let Value::Object(mut data) = self.data else {
            return None;
        };
        let (event, fields): (_, &[Field]) = match self.event.as_str() {
            "order" => (
                "order",
                &[("order_id", Value::is_i64), ("status", is_status)],
            ),
            "load" => (
                "load",
                &[
                    ("running", Value::is_boolean),
                    ("plan", is_short_text),
                    ("progress", is_object_or_null),
                    ("summary", is_object_or_null),
                ],
            ),
            _ => return None,
        };
        let mut kept = serde_json::Map::new();
        for (name, valid) in fields {
            let value = data.remove(*name).filter(valid)?;
            kept.insert((*name).to_owned(), value);
        }
        kept.insert("instance".into(), Value::String(instance.to_owned()));
        Some(Relayed {
            event,
            data: Value::Object(kept),
        })
    }
}

/// A field the dashboard reads, and the check its value must pass.
type Field = (&'static str, fn(&Value) -> bool);

fn is_status(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.parse::<OrderStatus>().is_ok())
}

fn is_short_text(v: &Value) -> bool {
    v.as_str().is_some_and(|s| s.len() <= 200)
}

fn is_object_or_null(v: &Value) -> bool {
    v.is_object() || v.is_null()
}

pub(super) fn encode(message: &Message) -> String {
    serde_json::to_string(message).expect("replica messages always serialise")
}

pub(super) fn decode(text: &[u8]) -> Option<Message> {
    if text.len() > MAX_MESSAGE_BYTES {
        return None;
    }
    let message: Message = serde_json::from_slice(text).ok()?;
    let named = |name: &str| checked_instance(name.to_owned()).is_ok();
    let fits = match &message.body {
        Body::Events { instance, events } => events.len() <= MAX_BATCH && named(instance),
        Body::Heartbeat { replica } => named(&replica.instance) && replica.version.len() <= 64,
        Body::Leaving | Body::StopLoad => true,
    };
    (fits && message.from.len() <= 80).then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{OrderId, OrderStatus};
    use serde_json::json;

    #[test]
    fn order_events_travel_and_arrive_naming_their_replica() {
        let sent = Message {
            from: "store-b#1234abcd".into(),
            body: Body::Events {
                instance: "store-b".into(),
                events: vec![
                    relayable(&StoreEvent::order(OrderId(7), OrderStatus::Pending))
                        .expect("orders are relayed"),
                ],
            },
        };
        let got = decode(encode(&sent).as_bytes()).expect("decodes");
        assert_eq!(got.from, "store-b#1234abcd");
        let Body::Events { instance, events } = got.body else {
            panic!("not events: {got:?}");
        };
        let relayed = events
            .into_iter()
            .next()
            .unwrap()
            .arrived(&instance)
            .unwrap();
        assert_eq!(relayed.event, "order");
        assert_eq!(relayed.data["order_id"], 7);
        assert_eq!(relayed.data["instance"], "store-b");
    }

    #[test]
    fn unknown_events_oversized_or_malformed_messages_are_dropped() {
        let stranger = WireEvent {
            event: "health".into(),
            data: json!({}),
        };
        assert!(stranger.arrived("x").is_none());
        let not_object = WireEvent {
            event: "order".into(),
            data: json!(5),
        };
        assert!(not_object.arrived("x").is_none());
        assert!(decode(b"{not json").is_none());
        assert!(decode(&vec![b' '; MAX_MESSAGE_BYTES + 1]).is_none());
        let flood = json!({"from": "a", "kind": "events", "instance": "a",
            "events": vec![json!({"event": "order", "data": {}}); MAX_BATCH + 1]});
        assert!(decode(flood.to_string().as_bytes()).is_none());
        // Only the fields the dashboard reads, each of its type; anything else is dropped.
        let order = WireEvent {
            event: "order".into(),
            data: json!({"order_id": 3, "status": "processed", "customer_email": "a@b.c"}),
        };
        let kept = order.arrived("b").unwrap().data;
        assert_eq!(
            kept,
            json!({"order_id": 3, "status": "processed", "instance": "b"})
        );
        let forged = WireEvent {
            event: "order".into(),
            data: json!({"order_id": "<script>", "status": "processed"}),
        };
        assert!(forged.arrived("b").is_none());
        let bad_name = json!({"from": "a", "kind": "events", "instance": "<b>", "events": []});
        assert!(decode(bad_name.to_string().as_bytes()).is_none());
        let stop = decode(br#"{"from":"a#1","kind":"stop_load"}"#).unwrap();
        assert!(matches!(stop.body, Body::StopLoad));
    }
}
