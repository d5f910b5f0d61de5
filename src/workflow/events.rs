//! "A request changed": told to every subscriber of its tenant, on this replica and — when Redis
//! is configured — on every other replica.
//!
//! Without Redis an event goes straight into this process's broadcast channel. With Redis it is
//! published on one channel and only comes back through the subscription every replica (this one
//! included) holds on that channel, so each subscriber receives it exactly once wherever the
//! change was made. Events are notifications, not data: subscribers read the request from the
//! database, through the tenant scope, before sending it.
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::config::RedisSettings;

/// How many events a slow subscriber may fall behind before it misses some.
const BACKLOG: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowEvent {
    pub tenant_id: String,
    pub request_id: i64,
    pub version: i32,
    pub status: String,
}

pub struct EventBus {
    local: broadcast::Sender<WorkflowEvent>,
    redis: Option<Publisher>,
}

struct Publisher {
    connection: redis::aio::MultiplexedConnection,
    channel: String,
}

impl EventBus {
    /// Events stay in this process.
    pub fn local() -> Arc<EventBus> {
        Arc::new(EventBus {
            local: broadcast::channel(BACKLOG).0,
            redis: None,
        })
    }

    /// Events go through Redis when `settings.url` is set. The subscription is in place before
    /// this returns, so nothing published after start-up is missed; if Redis drops it, it is
    /// re-established with backoff.
    pub async fn connect(settings: &RedisSettings) -> Result<Arc<EventBus>, String> {
        let Some(url) = settings.redis_url.as_deref().filter(|u| !u.is_empty()) else {
            return Ok(EventBus::local());
        };
        let client = redis::Client::open(url).map_err(|e| format!("CONSOLEAI_REDIS_URL: {e}"))?;
        let channel = format!("{}:workflow", settings.redis_prefix);
        let connection = client
            .get_multiplexed_async_connection()
            .await
            .map_err(|e| format!("cannot connect to Redis: {e}"))?;
        let local = broadcast::channel(BACKLOG).0;
        let pubsub = subscribe(&client, &channel)
            .await
            .map_err(|e| format!("cannot subscribe to Redis channel {channel}: {e}"))?;
        tokio::spawn(forward(client, channel.clone(), pubsub, local.clone()));
        Ok(Arc::new(EventBus {
            local,
            redis: Some(Publisher {
                connection,
                channel,
            }),
        }))
    }

    pub fn subscribe(&self) -> broadcast::Receiver<WorkflowEvent> {
        self.local.subscribe()
    }

    /// Tells subscribers. The change is already committed, so a failure to publish is logged,
    /// not returned: subscribers miss one notification, the data is right.
    pub async fn publish(&self, event: WorkflowEvent) {
        match &self.redis {
            None => {
                let _ = self.local.send(event);
            }
            Some(publisher) => {
                let payload = serde_json::to_string(&event).expect("event serialises");
                let mut connection = publisher.connection.clone();
                let sent: redis::RedisResult<i64> = redis::cmd("PUBLISH")
                    .arg(&publisher.channel)
                    .arg(payload)
                    .query_async(&mut connection)
                    .await;
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "cannot publish a workflow event to Redis");
                }
            }
        }
    }
}

async fn subscribe(
    client: &redis::Client,
    channel: &str,
) -> redis::RedisResult<redis::aio::PubSub> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel).await?;
    Ok(pubsub)
}

/// Moves events from the Redis channel into this process's broadcast, for as long as the
/// process runs.
async fn forward(
    client: redis::Client,
    channel: String,
    mut pubsub: redis::aio::PubSub,
    local: broadcast::Sender<WorkflowEvent>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        {
            let mut messages = pubsub.on_message();
            while let Some(message) = messages.next().await {
                backoff = Duration::from_millis(100);
                let payload: String = match message.get_payload() {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(error = %e, "unreadable workflow event from Redis");
                        continue;
                    }
                };
                match serde_json::from_str::<WorkflowEvent>(&payload) {
                    Ok(event) => {
                        let _ = local.send(event);
                    }
                    Err(e) => tracing::warn!(error = %e, "malformed workflow event from Redis"),
                }
            }
        }
        tracing::warn!("Redis subscription lost; reconnecting");
        loop {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(10));
            match subscribe(&client, &channel).await {
                Ok(p) => {
                    pubsub = p;
                    break;
                }
                Err(e) => tracing::warn!(error = %e, "cannot resubscribe to Redis"),
            }
        }
    }
}
