//! Shopper accounts from the outside: an account's credentials, and a `Device` (one browser with
//! its own cookies, and if asked its own source address) with one helper per account endpoint.

use crate::helpers::{eventually, TestApp};
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use std::net::IpAddr;
use std::time::Duration;

/// Credentials no other test uses: tests on the real services share one Postgres, and an
/// account's email is unique across it only by its random part.
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub email: String,
    pub password: String,
}

impl Account {
    pub fn new(tag: &str) -> Account {
        let n: u64 = rand::random::<u64>() & 0xffff_ffff_ffff;
        Account {
            name: format!("Shopper {tag}"),
            email: format!("{tag}.{n:012x}@example.com"),
            password: format!("pw-{n:012x}-{tag}"),
        }
    }
}

/// One browser: a cookie jar of its own, on one store.
pub struct Device {
    pub base: String,
    pub client: Client,
}

impl Device {
    pub fn new(app: &TestApp) -> Device {
        Device::at(&app.address)
    }

    /// A device on the store at `base` (`http://host:port`).
    pub fn at(base: &str) -> Device {
        Device::with(base, Client::builder())
    }

    /// A device whose requests come from `ip` (any 127.x.y.z reaches the store on loopback),
    /// so a client-address limit reached by one test step does not block the next.
    pub fn from_ip(app: &TestApp, ip: &str) -> Device {
        let ip = ip.parse::<IpAddr>().expect("an IP");
        Device::with(&app.address, Client::builder().local_address(ip))
    }

    fn with(base: &str, builder: reqwest::ClientBuilder) -> Device {
        let client = builder
            .cookie_store(true)
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        Device {
            base: base.to_owned(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.client.request(method.clone(), self.url(path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn sign_up(&self, account: &Account) -> Response {
        let body =
            json!({ "name": account.name, "email": account.email, "password": account.password });
        self.send(Method::POST, "/api/account", Some(body)).await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        let body = json!({ "email": email, "password": password });
        self.send(Method::POST, "/api/session", Some(body)).await
    }

    /// Signs in and asserts it worked.
    pub async fn signed_in(&self, account: &Account) {
        let resp = self.sign_in(&account.email, &account.password).await;
        assert_eq!(resp.status(), 200, "signing in {}", account.email);
    }

    /// `GET /api/account`: 200 signed in, 401 not.
    pub async fn account(&self) -> Response {
        self.send(Method::GET, "/api/account", None).await
    }

    pub async fn account_status(&self) -> u16 {
        self.account().await.status().as_u16()
    }

    pub async fn sign_out(&self) -> Response {
        self.send(Method::DELETE, "/api/session", None).await
    }

    pub async fn sign_out_everywhere(&self) -> Response {
        self.send(Method::DELETE, "/api/account/sessions", None)
            .await
    }

    pub async fn sessions(&self) -> Response {
        self.send(Method::GET, "/api/account/sessions", None).await
    }

    pub async fn add(&self, car: i64, quantity: i64) {
        let body = json!({ "car_id": car, "quantity": quantity });
        let resp = self.send(Method::POST, "/api/cart", Some(body)).await;
        assert_eq!(resp.status(), 201, "adding car {car} x{quantity}");
    }

    pub async fn json(&self, path: &str) -> Value {
        let resp = self.send(Method::GET, path, None).await;
        assert_eq!(resp.status(), 200, "GET {path}");
        resp.json().await.expect("a JSON body")
    }

    /// The cart's lines as (car, quantity), by car.
    pub async fn cart_lines(&self) -> Vec<(i64, i64)> {
        lines(&self.json("/api/cart").await)
    }

    /// The cookie's session id, as the cart view reports it.
    pub async fn session_id(&self) -> String {
        let cart = self.json("/api/cart").await;
        cart["session_id"]
            .as_str()
            .expect("a session id")
            .to_owned()
    }

    /// Checks out the cart; returns the order id.
    pub async fn checkout(&self) -> i64 {
        let body = json!({ "customer_name": "Ada Lovelace", "customer_email": "ada@example.com" });
        let resp = self.send(Method::POST, "/api/checkout", Some(body)).await;
        assert_eq!(resp.status(), 201, "checkout");
        resp.json::<Value>().await.unwrap()["order_id"]
            .as_i64()
            .expect("an order id")
    }

    /// Polls this device's view of the order until it reaches `status`, failing after 10 s.
    pub async fn wait_for_status(&self, order: i64, status: &str) {
        let path = format!("/api/orders/{order}");
        let what = format!("order {order} reaching {status}");
        eventually(&what, Duration::from_secs(10), async || {
            self.json(&path).await["order"]["status"] == status
        })
        .await;
    }

    /// The ids in `GET /api/orders`, sorted.
    pub async fn order_ids(&self) -> Vec<i64> {
        let orders = self.json("/api/orders").await;
        let mut ids: Vec<i64> = orders
            .as_array()
            .expect("a list of orders")
            .iter()
            .map(|o| o["id"].as_i64().expect("an order id"))
            .collect();
        ids.sort_unstable();
        ids
    }
}

pub fn lines(cart: &Value) -> Vec<(i64, i64)> {
    let mut lines: Vec<(i64, i64)> = cart["items"]
        .as_array()
        .expect("cart items")
        .iter()
        .map(|i| {
            (
                i["car_id"].as_i64().unwrap(),
                i["quantity"].as_i64().unwrap(),
            )
        })
        .collect();
    lines.sort_unstable();
    lines
}

/// The `session_id` a response sets (`__Host-session_id` over HTTPS), with its attributes, if
/// it sets one.
pub fn set_cookie(resp: &Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("session_id=") || c.starts_with("__Host-session_id="))
        .map(str::to_owned)
}

/// The value of a `session_id=...; attrs` header.
pub fn cookie_value(set_cookie: &str) -> &str {
    set_cookie
        .trim_start_matches("__Host-")
        .trim_start_matches("session_id=")
        .split(';')
        .next()
        .unwrap_or_default()
}

/// A cookie-less client that sends exactly this session id, as a stolen or fixed cookie would.
pub async fn replay(app: &TestApp, session_id: &str, path: &str) -> Response {
    Client::new()
        .get(app.url(path))
        .header("Cookie", format!("session_id={session_id}"))
        .send()
        .await
        .expect("GET")
}

/// `Retry-After` in whole seconds.
pub fn retry_after(resp: &Response) -> u64 {
    resp.headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("whole seconds")
}

/// The value of one sample line in the /metrics text, 0 when the series is absent.
pub fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().expect("a number"))
}
