//! Every queue of the store's RabbitMQ virtual host, from the management API, for operators who
//! want to see more than the store's own two queues.

use percent_encoding::{percent_decode_str, utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::Url;
use serde::{Deserialize, Serialize};
use std::time::Duration;

const TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct QueueRow {
    pub name: String,
    #[serde(default)]
    pub messages: u64,
    #[serde(default)]
    pub consumers: u64,
}

pub struct ManagementApi {
    client: reqwest::Client,
    /// `…/api/queues/<vhost>`, without credentials.
    queues_url: Url,
    user: String,
    password: Option<String>,
}

impl ManagementApi {
    /// `management_url` like `http://guest:guest@rabbitmq:15672`; the vhost is the AMQP URL's.
    pub fn new(management_url: &str, amqp_url: &str) -> anyhow::Result<ManagementApi> {
        let mut base = Url::parse(management_url)?;
        let user = percent_decode_str(base.username())
            .decode_utf8()?
            .into_owned();
        let password = base
            .password()
            .map(|p| percent_decode_str(p).decode_utf8().map(|p| p.into_owned()))
            .transpose()?;
        let _ = base.set_username("");
        let _ = base.set_password(None);
        let vhost = vhost_of(amqp_url)?;
        let path = format!(
            "{}/api/queues/{}",
            base.path().trim_end_matches('/'),
            utf8_percent_encode(&vhost, NON_ALPHANUMERIC)
        );
        base.set_path(&path);
        base.set_query(Some("columns=name,messages,consumers"));
        Ok(ManagementApi {
            client: reqwest::Client::builder().timeout(TIMEOUT).build()?,
            queues_url: base,
            user,
            password,
        })
    }

    pub async fn queues(&self) -> Result<Vec<QueueRow>, String> {
        let answer = self
            .client
            .get(self.queues_url.clone())
            .basic_auth(&self.user, self.password.as_deref())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "the RabbitMQ management API did not answer: {}",
                    e.without_url()
                )
            })?;
        if !answer.status().is_success() {
            return Err(format!(
                "the RabbitMQ management API answered {}",
                answer.status()
            ));
        }
        answer
            .json()
            .await
            .map_err(|e| format!("the RabbitMQ management API sent something else: {e}"))
    }
}

/// `amqp://host/` and `amqp://host` mean the default vhost `/`; `amqp://host/shop` means `shop`.
fn vhost_of(amqp_url: &str) -> anyhow::Result<String> {
    let url = Url::parse(amqp_url)?;
    let path = url.path().strip_prefix('/').unwrap_or("");
    Ok(if path.is_empty() {
        "/".to_owned()
    } else {
        percent_decode_str(path).decode_utf8()?.into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vhost_comes_from_the_amqp_url() {
        assert_eq!(vhost_of("amqp://guest:guest@127.0.0.1:5672").unwrap(), "/");
        assert_eq!(vhost_of("amqp://127.0.0.1:5672/%2f").unwrap(), "/");
        assert_eq!(vhost_of("amqp://127.0.0.1/shop").unwrap(), "shop");
    }

    #[test]
    fn credentials_leave_the_url() {
        let api =
            ManagementApi::new("http://guest:s%40cret@127.0.0.1:15672/", "amqp://h/").unwrap();
        assert_eq!(
            api.queues_url.as_str(),
            "http://127.0.0.1:15672/api/queues/%2F?columns=name,messages,consumers"
        );
        assert_eq!(
            (api.user.as_str(), api.password.as_deref()),
            ("guest", Some("s@cret"))
        );
    }
}
