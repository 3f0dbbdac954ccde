//! Who a chat is: the platform and that platform's chat id, and the identity of one platform
//! message (what dedupe remembers).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The platform a chat lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    Terminal,
    Telegram,
    WhatsApp,
    /// The citizens' web chat (`/obrolan`); the chat id is a random cookie id. Last: the
    /// variant's position is in stored records.
    Web,
}

impl Channel {
    /// Short stable code used in store keys and logs.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Terminal => "term",
            Channel::Telegram => "tg",
            Channel::WhatsApp => "wa",
            Channel::Web => "web",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "term" => Channel::Terminal,
            "tg" => Channel::Telegram,
            "wa" => Channel::WhatsApp,
            "web" => Channel::Web,
            _ => return None,
        })
    }
}

/// One conversation: a channel plus that platform's chat id (a Telegram chat id, a WhatsApp
/// contact id, a terminal `--user`). The id is shared, not copied: a message's chat is cloned
/// some eight times on its way (queues, the batch, the reply), and a copy each time was as many
/// allocations (BENCHMARKS.md, #15). Stored and sent as a plain string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ChatKey {
    pub channel: Channel,
    pub id: Arc<str>,
}

impl ChatKey {
    pub fn new(channel: Channel, id: impl Into<Arc<str>>) -> Self {
        Self { channel, id: id.into() }
    }

    /// Parses the `Display` form, `tg:777`.
    pub fn parse(s: &str) -> Option<Self> {
        let (code, id) = s.split_once(':')?;
        Some(Self::new(Channel::from_code(code)?, id))
    }
}

impl fmt::Display for ChatKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.channel.code(), self.id)
    }
}

/// A platform message's identity, used to step each delivery at most once (Telegram
/// `update_id`, WhatsApp wamid, a terminal line counter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MessageId(pub String);

impl MessageId {
    /// The id as dedupe keeps it: FNV-1a, 64 bits, stable across builds because stored markers
    /// hold it (a false match would drop a citizen's message, so 64 bits, not fewer).
    pub fn hash(&self) -> u64 {
        self.0
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    }
}

#[cfg(test)]
mod tests {
    use super::MessageId;

    /// Stored markers and sessions hold these hashes: the function must never change.
    #[test]
    fn message_hash_is_fnv1a_64() {
        assert_eq!(MessageId(String::new()).hash(), 0xcbf2_9ce4_8422_2325);
        assert_eq!(MessageId("a".into()).hash(), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(MessageId("foobar".into()).hash(), 0x8594_4171_f739_67e8);
    }
}
