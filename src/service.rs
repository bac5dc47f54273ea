//! The store's one word for what it depends on: a **service** is Postgres, Redis or RabbitMQ,
//! whichever implementation stands in for it. An **adapter** is the code that talks to one
//! (`PgStore`, `SqliteDb`, `RedisCache`, `RabbitQueue`, ...), running it either as a real
//! service or embedded in carstore (its [`Mode`](crate::adapter::Mode)). A **control** starts
//! and stops a service (docker, command, none). Everything held once per service sits in a
//! [`PerService`], so no code searches a list for "the one for this service".

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A backing service. Each has one API name (`postgres`), one kind as the dashboard lists it
/// (`database`), one role for messages ("The order database") and one default container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    /// Orders, order items and the outbox (Postgres, or an embedded SQLite file).
    Postgres,
    /// Carts and the catalog cache (Redis, or embedded).
    Redis,
    /// Order events (RabbitMQ, or the in-process queue).
    Rabbit,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Postgres, Service::Redis, Service::Rabbit];

    /// The name in the API's paths and bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Redis => "redis",
            Service::Rabbit => "rabbit",
        }
    }

    /// The service called `name` in the API.
    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What it is to the store, as `/api/services` lists it.
    pub fn kind(self) -> &'static str {
        match self {
            Service::Postgres => "database",
            Service::Redis => "cache",
            Service::Rabbit => "queue",
        }
    }

    /// What a shopper is told is down: the role, not the product.
    pub fn role(self) -> &'static str {
        match self {
            Service::Postgres => "The order database",
            Service::Redis => "The cart service",
            Service::Rabbit => "The order queue",
        }
    }

    /// The container's name in the demo stack, where a docker control looks by default.
    pub fn default_container(self) -> &'static str {
        match self {
            Service::Postgres => "carstore-postgres",
            Service::Redis => "carstore-redis",
            Service::Rabbit => "carstore-rabbitmq",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `T` for each service: a control, a target, a log window. Every service has one by
/// construction, so reading it cannot fail.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PerService<T> {
    pub postgres: T,
    pub redis: T,
    pub rabbit: T,
}

impl<T> PerService<T> {
    /// Builds each service's `T`, in the order of [`Service::ALL`].
    pub fn new(mut make: impl FnMut(Service) -> T) -> Self {
        PerService {
            postgres: make(Service::Postgres),
            redis: make(Service::Redis),
            rabbit: make(Service::Rabbit),
        }
    }

    pub fn get(&self, service: Service) -> &T {
        match service {
            Service::Postgres => &self.postgres,
            Service::Redis => &self.redis,
            Service::Rabbit => &self.rabbit,
        }
    }

    pub fn get_mut(&mut self, service: Service) -> &mut T {
        match service {
            Service::Postgres => &mut self.postgres,
            Service::Redis => &mut self.redis,
            Service::Rabbit => &mut self.rabbit,
        }
    }

    /// Each service with its `T`, in the order of [`Service::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (Service, &T)> {
        Service::ALL.into_iter().map(move |s| (s, self.get(s)))
    }
}

/// What the dashboard may do to a service through its control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = Action)]
pub enum ServiceAction {
    Start,
    Stop,
    Restart,
}

impl ServiceAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceAction::Start => "start",
            ServiceAction::Stop => "stop",
            ServiceAction::Restart => "restart",
        }
    }
}

impl FromStr for ServiceAction {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "start" => Ok(ServiceAction::Start),
            "stop" => Ok(ServiceAction::Stop),
            "restart" => Ok(ServiceAction::Restart),
            _ => Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_found_by_its_api_name() {
        for service in Service::ALL {
            assert_eq!(Service::from_name(service.as_str()), Some(service));
        }
        assert_eq!(Service::from_name("carstore"), None);
    }

    #[test]
    fn per_service_holds_one_value_for_each() {
        let names = PerService::new(Service::as_str);
        assert_eq!(*names.get(Service::Redis), "redis");
        let listed: Vec<_> = names.iter().map(|(s, n)| (s, *n)).collect();
        assert_eq!(listed[2], (Service::Rabbit, "rabbit"));
    }
}
