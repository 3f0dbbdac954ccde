//! Pure translation between Telegram Bot API shapes and pintu: what an `Update` means, and how a
//! rendered reply becomes `sendMessage` calls (split at 4096 UTF-16 units, buttons, one-tap
//! reply keyboards). No I/O here, so every rule is testable against recorded updates.
//!
//! Texts go out as plain text (no `parse_mode`): pintu's `*bold*` marks read fine as they are,
//! while MarkdownV2 would reject ordinary text such as "Jl. Sudirman" or "17-08-1990".

pub use crate::channel::text::split;
use crate::channel::{Channel, ChatKey};
use crate::model::input::AttachmentKind;
use crate::model::reply::Hint;
use teloxide::types::{
    ButtonRequest, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton,
    KeyboardMarkup, KeyboardRemove, MediaKind, Message, MessageKind, ReplyMarkup, Update,
    UpdateKind,
};

/// Telegram's limit for one message text, in UTF-16 code units.
pub const TEXT_LIMIT: usize = 4096;
/// More options than this are shown as numbered text only: a wall of buttons hides the question.
pub const MAX_BUTTONS: usize = 12;
/// Longer button labels are cut: Telegram clips them mid-word on phones anyway.
pub const MAX_LABEL_CHARS: usize = 60;
/// Prefix of the callback data of a numbered choice button (`c:1`, `c:2`, ...).
const CHOICE_PREFIX: &str = "c:";

/// What an update means for pintu.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// A message in a private chat (citizen).
    Message { chat: ChatKey, from: Option<u64>, content: Content },
    /// A button press (citizen in a private chat, or an officer in a group).
    Callback {
        chat: ChatKey,
        from: u64,
        query_id: String,
        data: String,
        message_id: Option<i32>,
        private: bool,
    },
    /// In a group: a text that replies to one of the bot's messages (an officer's note).
    GroupReply { chat: ChatKey, from: u64, text: String, reply_to: i32 },
    /// Nothing for pintu (edited messages, membership changes, channel posts, group chatter,
    /// unknown kinds): confirm and drop. The reason is for debug logs.
    Ignore(&'static str),
}

/// The content of a citizen's message.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// Typed text; a command has its `@botname` suffix removed.
    Text(String),
    /// A shared location (or a venue picked in the location sheet).
    Location { lat: f64, lon: f64 },
    /// A shared contact; `own` when contact.user_id == from.id. Phone as sent (may lack '+').
    Contact { phone: String, own: bool },
    /// A photo (largest size) or document to download with getFile. `size` is None when
    /// unknown (teloxide reports u32::MAX for a missing file_size).
    File {
        file_id: String,
        kind: AttachmentKind,
        size: Option<u64>,
        mime: Option<String>,
        name: Option<String>,
    },
    /// Voice, sticker, video, audio, animation, video note, poll, dice...: politely refused by
    /// the engine.
    Unsupported,
}

/// Classifies one update. Never fails: anything pintu cannot use is `Ignore`, so the caller can
/// still confirm it (an unconfirmed update would be redelivered forever).
pub fn incoming(update: &Update) -> Incoming {
    match &update.kind {
        UpdateKind::Message(msg) => message(msg),
        UpdateKind::CallbackQuery(q) => callback(q),
        UpdateKind::EditedMessage(_) => Incoming::Ignore("edited message"),
        UpdateKind::ChannelPost(_) | UpdateKind::EditedChannelPost(_) => {
            Incoming::Ignore("channel post")
        }
        UpdateKind::MyChatMember(_) | UpdateKind::ChatMember(_) => {
            Incoming::Ignore("membership change")
        }
        UpdateKind::Error(_) => Incoming::Ignore("unknown update kind"),
        _ => Incoming::Ignore("update kind not used by pintu"),
    }
}

/// One raw update as it came from `getUpdates` or the webhook.
pub struct Raw {
    /// The update id; `None` when even that cannot be read.
    pub id: Option<u32>,
    pub incoming: Incoming,
}

/// Reads one update's JSON. Nearly every update is a citizen typing in a private chat, so that
/// case is read straight from the few fields it needs; everything else goes through teloxide's
/// full `Update` (which buffers the JSON and tries its variants one by one, several
/// microseconds per update) and [`incoming`]. Both ways give the same [`Incoming`].
pub fn read(json: &str) -> Raw {
    #[derive(serde::Deserialize)]
    struct Lean<'a> {
        update_id: u32,
        #[serde(borrow)]
        message: Option<LeanMessage<'a>>,
    }
    #[derive(serde::Deserialize)]
    struct LeanMessage<'a> {
        chat: LeanChat<'a>,
        from: Option<LeanUser>,
        #[serde(borrow)]
        text: Option<std::borrow::Cow<'a, str>>,
    }
    #[derive(serde::Deserialize)]
    struct LeanChat<'a> {
        id: i64,
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    #[derive(serde::Deserialize)]
    struct LeanUser {
        id: u64,
    }
    #[derive(serde::Deserialize)]
    struct IdOnly {
        update_id: u32,
    }
    if let Ok(Lean { update_id, message: Some(m) }) = serde_json::from_str::<Lean>(json)
        && m.chat.kind == "private"
        && let Some(text) = m.text
    {
        let content = Content::Text(strip_bot_mention(&text));
        let incoming =
            Incoming::Message { chat: chat_key(m.chat.id), from: m.from.map(|u| u.id), content };
        return Raw { id: Some(update_id), incoming };
    }
    match serde_json::from_str::<Update>(json) {
        Ok(update) => Raw { id: Some(update.id.0), incoming: incoming(&update) },
        Err(_) => Raw {
            id: serde_json::from_str::<IdOnly>(json).ok().map(|u| u.update_id),
            incoming: Incoming::Ignore("unreadable update"),
        },
    }
}

fn chat_key(id: i64) -> ChatKey {
    ChatKey::new(Channel::Telegram, id.to_string())
}

fn message(msg: &Message) -> Incoming {
    // Privacy mode still delivers commands, replies to the bot and service messages from
    // groups; citizens are served in private chats only, officers act through buttons.
    if !msg.chat.is_private() {
        // Officers answer the bot's "which note?" question by replying to it.
        let reply_to_bot =
            msg.reply_to_message().filter(|r| r.from.as_ref().is_some_and(|u| u.is_bot));
        return match (reply_to_bot, msg.text(), msg.from.as_ref()) {
            (Some(r), Some(text), Some(from)) => Incoming::GroupReply {
                chat: chat_key(msg.chat.id.0),
                from: from.id.0,
                text: text.to_string(),
                reply_to: r.id.0,
            },
            _ => Incoming::Ignore("message outside a private chat"),
        };
    }
    let from = msg.from.as_ref().map(|u| u.id.0);
    let content = match &msg.kind {
        MessageKind::Common(common) => match media(&common.media_kind, from) {
            Some(content) => content,
            None => return Incoming::Ignore("message without content for pintu"),
        },
        // A dice is something the citizen sent on purpose: answer it like a sticker.
        MessageKind::Dice(_) => Content::Unsupported,
        // Pins, shared chats/users, payments, web-app data...: nothing the citizen said.
        _ => return Incoming::Ignore("service message"),
    };
    Incoming::Message { chat: chat_key(msg.chat.id.0), from, content }
}

/// `None` for media kinds that are not a citizen's message at all (group migration).
fn media(kind: &MediaKind, from: Option<u64>) -> Option<Content> {
    Some(match kind {
        MediaKind::Text(t) => Content::Text(strip_bot_mention(&t.text)),
        MediaKind::Location(l) => {
            Content::Location { lat: l.location.latitude, lon: l.location.longitude }
        }
        // Telegram's location sheet offers nearby places; picking one sends a venue, which is
        // still the location the citizen meant.
        MediaKind::Venue(v) => {
            Content::Location { lat: v.venue.location.latitude, lon: v.venue.location.longitude }
        }
        MediaKind::Contact(c) => {
            let own = matches!((c.contact.user_id, from), (Some(u), Some(f)) if u.0 == f);
            Content::Contact { phone: c.contact.phone_number.clone(), own }
        }
        // The caption is ignored: pintu asks one thing at a time.
        MediaKind::Photo(p) => {
            // Sizes come smallest first; pick by area rather than trusting the order.
            match p.photo.iter().max_by_key(|s| u64::from(s.width) * u64::from(s.height)) {
                Some(best) => Content::File {
                    file_id: best.file.id.0.clone(),
                    kind: AttachmentKind::Photo,
                    size: known_size(best.file.size),
                    // Telegram re-encodes every photo as JPEG.
                    mime: Some("image/jpeg".to_owned()),
                    name: None,
                },
                None => Content::Unsupported,
            }
        }
        MediaKind::Document(d) => Content::File {
            file_id: d.document.file.id.0.clone(),
            kind: AttachmentKind::Document,
            size: known_size(d.document.file.size),
            // The essence ("application/pdf" without parameters) is what the engine compares.
            mime: d.document.mime_type.as_ref().map(|m| m.essence_str().to_owned()),
            name: d.document.file_name.clone(),
        },
        MediaKind::Migration(_) => return None,
        _ => Content::Unsupported,
    })
}

/// teloxide fills a missing `file_size` with `u32::MAX`: that means unknown, not too big.
fn known_size(size: u32) -> Option<u64> {
    (size != u32::MAX).then_some(u64::from(size))
}

/// `/start@layanan_bot payload` → `/start payload`: the engine knows commands without the
/// mention. Only a leading command whose mention looks like a bot username (Telegram requires
/// the `bot` ending) is touched, so ordinary text keeps every `@`.
fn strip_bot_mention(text: &str) -> String {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    let (head, rest) = text.split_at(end);
    if let Some((command, bot)) = head.split_once('@')
        && command.starts_with('/')
        && command.len() > 1
        && bot.len() > 3
        && bot.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && bot.to_ascii_lowercase().ends_with("bot")
    {
        return format!("{command}{rest}");
    }
    text.to_owned()
}

fn callback(q: &CallbackQuery) -> Incoming {
    let from = q.from.id.0;
    // An old (inaccessible) message still names its chat; without any message the press can
    // only have come from the user's own private chat with the bot.
    let (chat, private) = match &q.message {
        Some(m) => (chat_key(m.chat().id.0), m.chat().is_private()),
        None => (ChatKey::new(Channel::Telegram, from.to_string()), true),
    };
    Incoming::Callback {
        chat,
        from,
        query_id: q.id.0.clone(),
        // Game buttons have no data; pintu never sends them, but every press must still be
        // answered, so it stays a Callback whose empty data routes nowhere.
        data: q.data.clone().unwrap_or_default(),
        message_id: q.message.as_ref().map(|m| m.id().0),
        private,
    }
}

/// One message to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub text: String,
    pub markup: Option<ReplyMarkup>,
}

/// Splits and decorates a rendered reply for sendMessage, for a citizen's private chat.
///
/// `text` is the full plain text (numbered option lines included); `choices` the labels of
/// the numbered options: 1 to [`MAX_BUTTONS`] of them become an inline keyboard, one button
/// per row, button i sending `c:<i>`. `hint` Location/Contact adds a one-tap reply keyboard
/// labelled `hint_label` (request buttons only work in private chats: pass `Hint::None` for a
/// group). `keyboard_open` tells whether the chat currently shows such a reply keyboard; the
/// returned bool is the state after these parts are sent.
///
/// Markup goes on the last part, except `KeyboardRemove`, which goes on the first part: it
/// clears the stale keyboard as early as possible. A message can carry only one markup, so
/// when the last part needs an inline keyboard and there is no earlier part, the reply
/// keyboard stays open and is removed by a later message. Empty text yields no parts.
pub fn plan(
    text: &str,
    choices: &[String],
    hint: Hint,
    hint_label: &str,
    keyboard_open: bool,
) -> (Vec<Part>, bool) {
    let mut parts: Vec<Part> =
        split(text, TEXT_LIMIT).into_iter().map(|text| Part { text, markup: None }).collect();
    let Some(last) = parts.len().checked_sub(1) else {
        // Telegram rejects an empty text, so there is nothing to carry a markup either.
        return (parts, keyboard_open);
    };
    let mut open = keyboard_open;
    if let Some(kb) = choice_keyboard(choices) {
        // Choices win over a hint: the engine never asks both at once, and a numbered answer
        // is what the step waits for.
        parts[last].markup = Some(ReplyMarkup::InlineKeyboard(kb));
        if open && last > 0 {
            parts[0].markup = Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new()));
            open = false;
        }
    } else if let Some(request) = request_of(hint) {
        let button = KeyboardButton::new(hint_label).request(request);
        // One-time: it hides after the tap; resized: a single button need not fill half the
        // screen.
        let kb = KeyboardMarkup::new([[button]]).resize_keyboard().one_time_keyboard();
        parts[last].markup = Some(ReplyMarkup::Keyboard(kb));
        open = true;
    } else if open {
        parts[0].markup = Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new()));
        open = false;
    }
    (parts, open)
}

fn request_of(hint: Hint) -> Option<ButtonRequest> {
    match hint {
        Hint::Location => Some(ButtonRequest::Location),
        Hint::Contact => Some(ButtonRequest::Contact),
        // Telegram has no button that asks for a photo or a file: the text says how.
        _ => None,
    }
}

fn choice_keyboard(choices: &[String]) -> Option<InlineKeyboardMarkup> {
    if choices.is_empty() || choices.len() > MAX_BUTTONS {
        return None;
    }
    let rows = choices.iter().enumerate().map(|(i, label)| {
        let n = i + 1;
        // Telegram rejects a button without text.
        let text = if label.trim().is_empty() { n.to_string() } else { cut_label(label) };
        [InlineKeyboardButton::callback(text, format!("{CHOICE_PREFIX}{n}"))]
    });
    Some(InlineKeyboardMarkup::new(rows))
}

/// Cuts a label to [`MAX_LABEL_CHARS`] characters, the last being "…".
fn cut_label(label: &str) -> String {
    let label = label.trim();
    if label.chars().count() <= MAX_LABEL_CHARS {
        return label.to_owned();
    }
    let mut cut: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// `c:<i>` → i (1-based option number), for turning a button press into the engine's
/// numbered answer.
pub fn choice_from_data(data: &str) -> Option<usize> {
    let digits = data.strip_prefix(CHOICE_PREFIX)?;
    // Only plain digits: `c:+1` or `c: 1` were never sent by pintu.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n >= 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::text::utf16_len;

    fn tg(id: i64) -> ChatKey {
        chat_key(id)
    }

    fn parse(dir: &std::path::Path, name: &str) -> Update {
        let path = dir.join(name);
        let json = std::fs::read_to_string(&path).unwrap();
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn text(s: &str) -> Content {
        Content::Text(s.to_owned())
    }

    fn msg(chat: i64, content: Content) -> Incoming {
        Incoming::Message { chat: tg(chat), from: Some(chat as u64), content }
    }

    /// The expected meaning of every recorded update; a new file without an entry fails the
    /// test so that it gets a decision.
    fn expected(name: &str) -> Option<Incoming> {
        let siti = 6123456789;
        let agus = 5234567890;
        let ahmad = 1187654321;
        Some(match name {
            "private_text.json" => {
                msg(siti, text("Selamat pagi, saya mau mengurus surat keterangan domisili."))
            }
            "start_command.json" => msg(agus, text("/start")),
            // The payload stays: the engine may use it to open a service directly.
            "start_deeplink.json" => msg(ahmad, text("/start ktp_baru-2025")),
            // Groups get no citizen dialog, even for a /start with a deep link.
            "group_start_deeplink.json"
            | "group_text.json"
            | "supergroup_text.json"
            | "migrate_from_chat_id.json"
            | "migrate_to_chat_id.json" => Incoming::Ignore("message outside a private chat"),
            "callback_query.json" => Incoming::Callback {
                chat: tg(siti),
                from: siti as u64,
                query_id: "2630163934825679102".into(),
                data: "layanan:ktp".into(),
                message_id: Some(1054),
                private: true,
            },
            // Largest of four sizes; the caption is dropped.
            "photo_caption.json" => msg(
                siti,
                Content::File {
                    file_id: concat!(
                        "AgACAgUAAxkBAAIBX2DVToinn07FyxCTtTuuXNk0auXI_FIjDB3sxdnyVwLA",
                        "2OAQADAgADfwtdt23hqYcAA"
                    )
                    .into(),
                    kind: AttachmentKind::Photo,
                    size: Some(172433),
                    mime: Some("image/jpeg".into()),
                    name: None,
                },
            ),
            "document_pdf.json" => msg(
                agus,
                Content::File {
                    file_id: concat!(
                        "BQACAgUAAxkBAAIBYmNFylPKNk7YQHODnDwe3XEwk0qO-sXLy8dUF",
                        "vSlzOD4MB0lNBuXbLg"
                    )
                    .into(),
                    kind: AttachmentKind::Document,
                    size: Some(536392),
                    mime: Some("application/pdf".into()),
                    name: Some("surat_pengantar_rt_rw.pdf".into()),
                },
            ),
            "location.json" => msg(siti, Content::Location { lat: -6.175392, lon: 106.827153 }),
            // Sent as a reply to the bot's question; the reply context does not matter.
            "contact_own_phone.json" => {
                msg(agus, Content::Contact { phone: "6281234567890".into(), own: true })
            }
            "contact_own_phone_plus.json" => {
                msg(siti, Content::Contact { phone: "+62812345678".into(), own: true })
            }
            "voice.json" => msg(agus, Content::Unsupported),
            "sticker.json" => msg(siti, Content::Unsupported),
            "edited_message.json" => Incoming::Ignore("edited message"),
            "channel_post.json" => Incoming::Ignore("channel post"),
            // Blocking the bot is a membership change; the sender side learns it from 403s.
            "my_chat_member_kicked.json" => Incoming::Ignore("membership change"),
            // teloxide knows message_reaction; pintu does not use it.
            "message_reaction.json" => Incoming::Ignore("update kind not used by pintu"),
            "unknown_update_kind.json" => Incoming::Ignore("unknown update kind"),
            "text_emoji_rtl.json" => {
                msg(ahmad, text("Assalamualaikum 🙏 السلام عليكم\nSaya ingin daftar KTP 🇮🇩 👍🏽 👨‍👩‍👧"))
            }
            // Forwarded text is what the citizen chose to send: treated as typed.
            "forward_origin_user.json" => msg(
                siti,
                text("Syarat pindah domisili: surat pengantar RT/RW, KK asli, dan KTP asli."),
            ),
            "forward_origin_hidden_user.json" => {
                msg(siti, text("Mohon warga melengkapi data KK sebelum akhir bulan."))
            }
            // Checked separately (the text is long): only the kind is compared here.
            "long_text_4096.json" => return None,
            other => panic!("no expectation for {other}: decide what it means"),
        })
    }

    #[test]
    fn recorded_updates() {
        let Some(dir) = crate::channel::recorded::dir("telegram") else {
            eprintln!("note: ../shared/real-world/telegram absent, recorded updates not checked");
            return;
        };
        let names = crate::channel::recorded::json_names(&dir);
        assert!(names.len() >= 25, "{names:?}");
        for name in &names {
            let got = incoming(&parse(&dir, name));
            // The fast reading of the raw JSON means exactly what teloxide's full one does.
            let raw = read(&std::fs::read_to_string(dir.join(name)).unwrap());
            assert_eq!(raw.incoming, got, "{name}: read() and incoming() disagree");
            assert_eq!(raw.id, Some(parse(&dir, name).id.0), "{name}");
            match expected(name) {
                Some(want) => assert_eq!(got, want, "{name}"),
                None => match got {
                    Incoming::Message { content: Content::Text(t), .. } => {
                        assert_eq!(utf16_len(&t), 4096, "{name}");
                        assert_eq!(split(&t, TEXT_LIMIT), vec![t.clone()], "{name}");
                    }
                    other => panic!("{name}: {other:?}"),
                },
            }
        }
    }

    #[test]
    fn read_takes_private_texts_the_short_way_and_keeps_ids_of_odd_updates() {
        let text = r#"{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private","first_name":"A"},"from":{"id":42,"is_bot":false,"first_name":"A"},"text":"/start@layanan_bot ktp"}}"#;
        let raw = read(text);
        assert_eq!(raw.id, Some(7));
        assert_eq!(raw.incoming, msg(42, self::text("/start ktp")));
        let group = text.replace(r#""type":"private""#, r#""type":"group""#);
        assert_eq!(read(&group).incoming, Incoming::Ignore("message outside a private chat"));
        let broken = read(r#"{"update_id":9,"message":{"chat":5}}"#);
        assert_eq!(
            (broken.id, broken.incoming),
            (Some(9), Incoming::Ignore("unknown update kind"))
        );
        assert_eq!(read("not json").id, None);
    }

    fn update(json: &str) -> Update {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn bot_mention_is_stripped_from_commands_only() {
        assert_eq!(strip_bot_mention("/start@layanan_bot"), "/start");
        assert_eq!(strip_bot_mention("/start@Layanan_Bot ktp"), "/start ktp");
        assert_eq!(strip_bot_mention("/start ktp"), "/start ktp");
        assert_eq!(strip_bot_mention("email budi@contoh_bot"), "email budi@contoh_bot");
        assert_eq!(strip_bot_mention("/x@gmail.com"), "/x@gmail.com");
        assert_eq!(strip_bot_mention("@layanan_bot"), "@layanan_bot");
        let u = update(
            r#"{"update_id":1,"message":{"message_id":1,"date":1700000000,
            "from":{"id":777,"is_bot":false,"first_name":"Budi"},
            "chat":{"id":777,"type":"private","first_name":"Budi"},
            "text":"/start@layanan_bot",
            "entities":[{"offset":0,"length":18,"type":"bot_command"}]}}"#,
        );
        assert_eq!(incoming(&u), msg(777, text("/start")));
    }

    #[test]
    fn callback_from_group_and_without_message() {
        let group = update(
            r#"{"update_id":2,"callback_query":{"id":"q1","chat_instance":"-1",
            "from":{"id":42,"is_bot":false,"first_name":"Petugas"},"data":"c:2",
            "message":{"message_id":9,"date":1700000001,
            "chat":{"id":-1001234567890,"type":"supergroup","title":"OPD"},"text":"Tiket"}}}"#,
        );
        assert_eq!(
            incoming(&group),
            Incoming::Callback {
                chat: tg(-1001234567890),
                from: 42,
                query_id: "q1".into(),
                data: "c:2".into(),
                message_id: Some(9),
                private: false,
            }
        );
        let bare = update(
            r#"{"update_id":3,"callback_query":{"id":"q2","chat_instance":"-1",
            "from":{"id":777,"is_bot":false,"first_name":"Budi"},"data":"c:1"}}"#,
        );
        assert_eq!(
            incoming(&bare),
            Incoming::Callback {
                chat: tg(777),
                from: 777,
                query_id: "q2".into(),
                data: "c:1".into(),
                message_id: None,
                private: true,
            }
        );
        // An inaccessible message comes with date 0 and still names its chat.
        let old = update(
            r#"{"update_id":4,"callback_query":{"id":"q3","chat_instance":"-1",
            "from":{"id":42,"is_bot":false,"first_name":"Petugas"},"data":"c:3",
            "message":{"message_id":5,"date":0,
            "chat":{"id":-100777,"type":"supergroup","title":"OPD"}}}}"#,
        );
        match incoming(&old) {
            Incoming::Callback { chat, message_id, private, .. } => {
                assert_eq!((chat, message_id, private), (tg(-100777), Some(5), false));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn contact_of_someone_else_and_unknown_photo_size() {
        let other = update(
            r#"{"update_id":5,"message":{"message_id":1,"date":1700000000,
            "from":{"id":777,"is_bot":false,"first_name":"Budi"},
            "chat":{"id":777,"type":"private","first_name":"Budi"},
            "contact":{"phone_number":"081234","first_name":"Ani","user_id":888}}}"#,
        );
        assert_eq!(
            incoming(&other),
            msg(777, Content::Contact { phone: "081234".into(), own: false })
        );
        let photo = update(
            r#"{"update_id":6,"message":{"message_id":1,"date":1700000000,
            "from":{"id":777,"is_bot":false,"first_name":"Budi"},
            "chat":{"id":777,"type":"private","first_name":"Budi"},
            "photo":[{"file_id":"s","file_unique_id":"s1","width":90,"height":67},
                     {"file_id":"b","file_unique_id":"b1","width":800,"height":600}]}}"#,
        );
        match incoming(&photo) {
            Incoming::Message { content: Content::File { file_id, size, .. }, .. } => {
                assert_eq!((file_id.as_str(), size), ("b", None));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn choice_data_round_trip() {
        assert_eq!(choice_from_data("c:1"), Some(1));
        assert_eq!(choice_from_data("c:12"), Some(12));
        for bad in ["c:", "c:0", "c:-1", "c:+1", "c: 1", "x:1", "layanan:ktp", "", "c:1a"] {
            assert_eq!(choice_from_data(bad), None, "{bad}");
        }
    }

    fn check_pieces(pieces: &[String], limit: usize) {
        for p in pieces {
            assert!(utf16_len(p) <= limit, "{} > {limit}", utf16_len(p));
            assert!(!p.trim().is_empty());
        }
    }

    #[test]
    fn split_exactly_4096_units_with_emoji_is_one_piece() {
        // 1000 emoji (2 units each) + 2096 ASCII = 4096 units, 3096 chars.
        let t = format!("{}{}", "🙏".repeat(1000), "a".repeat(2096));
        assert_eq!(utf16_len(&t), 4096);
        assert_eq!(split(&t, TEXT_LIMIT), vec![t.clone()]);
        // One unit more: two pieces, the emoji never cut in half.
        let t = format!("a{t}");
        let pieces = split(&t, TEXT_LIMIT);
        assert_eq!(pieces.len(), 2);
        check_pieces(&pieces, TEXT_LIMIT);
        assert_eq!(pieces.concat(), t);
        // An odd limit in the middle of emoji: a surrogate pair does not fit in the last unit.
        let e = "👨‍👩‍👧".repeat(50);
        let pieces = split(&e, 7);
        check_pieces(&pieces, 7);
        assert_eq!(pieces.concat(), e);
    }

    #[test]
    fn split_on_line_boundaries() {
        let lines: Vec<String> =
            (0..400).map(|i| format!("{i}. Baris ke-{i} 🇮🇩 *tebal*")).collect();
        let t = lines.join("\n");
        let pieces = split(&t, TEXT_LIMIT);
        assert!(pieces.len() > 1);
        check_pieces(&pieces, TEXT_LIMIT);
        // Every piece holds whole lines and nothing is lost.
        assert_eq!(pieces.join("\n"), t);
        for p in &pieces {
            assert!(p.lines().all(|l| lines.iter().any(|x| x == l)));
        }
        // Greedy: a piece is full enough that the next line would not have fitted.
        for w in pieces.windows(2) {
            let next = w[1].split('\n').next().unwrap();
            assert!(utf16_len(&w[0]) + 1 + utf16_len(next) > TEXT_LIMIT);
        }
        assert_eq!(split("a\nb\nc", 3), vec!["a\nb", "c"]);
        // Blank lines at a cut are trimmed; inner blank lines kept.
        assert_eq!(split("ab\n\ncd\n", 4), vec!["ab", "cd"]);
        assert_eq!(split("a\n\nb", 10), vec!["a\n\nb"]);
    }

    #[test]
    fn split_a_10000_char_line() {
        let t = "x".repeat(10_000);
        let pieces = split(&t, TEXT_LIMIT);
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), [4096, 4096, 1808]);
        assert_eq!(pieces.concat(), t);
        // With spaces the cut falls after a word, and the tail joins the following line.
        let words = "kata ".repeat(2000);
        let t = format!("{}\nakhir", words.trim_end());
        let pieces = split(&t, TEXT_LIMIT);
        check_pieces(&pieces, TEXT_LIMIT);
        assert!(pieces[..pieces.len() - 1].iter().all(|p| p.ends_with(' ')));
        assert!(pieces.last().unwrap().ends_with("kata\nakhir"));
        assert_eq!(pieces.concat(), t);
    }

    #[test]
    fn split_empty_and_blank() {
        assert!(split("", TEXT_LIMIT).is_empty());
        assert!(split("\n\n \n", TEXT_LIMIT).is_empty());
        assert_eq!(split("halo", 0), vec!["ha", "lo"]);
    }

    fn inline(part: &Part) -> Vec<(String, String)> {
        match &part.markup {
            Some(ReplyMarkup::InlineKeyboard(kb)) => kb
                .inline_keyboard
                .iter()
                .map(|row| {
                    assert_eq!(row.len(), 1, "one button per row");
                    match &row[0].kind {
                        teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => {
                            (row[0].text.clone(), d.clone())
                        }
                        other => panic!("{other:?}"),
                    }
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    fn labels(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("Layanan {i}")).collect()
    }

    #[test]
    fn plan_choices_become_buttons() {
        let (parts, open) = plan("Pilih:\n1. KTP-el\n2. KK", &labels(2), Hint::None, "", false);
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].text, "Pilih:\n1. KTP-el\n2. KK");
        assert_eq!(
            inline(&parts[0]),
            [("Layanan 1".into(), "c:1".into()), ("Layanan 2".into(), "c:2".into())]
        );
        assert!(!open);
        // Bold marks stay as typed: plain text, no parse mode.
        let (parts, _) = plan("*Penting*: bawa KTP.", &[], Hint::None, "", false);
        assert_eq!(parts, [Part { text: "*Penting*: bawa KTP.".into(), markup: None }]);
    }

    #[test]
    fn plan_twelve_buttons_at_most_and_data_fits() {
        let (parts, _) = plan("Pilih", &labels(12), Hint::None, "", false);
        let buttons = inline(&parts[0]);
        assert_eq!(buttons.len(), 12);
        for (i, (_, data)) in buttons.iter().enumerate() {
            assert_eq!(choice_from_data(data), Some(i + 1));
            assert!(!data.is_empty() && data.len() <= 64);
        }
        let (parts, _) = plan("Pilih", &labels(13), Hint::None, "", false);
        assert_eq!(parts[0].markup, None);
    }

    #[test]
    fn plan_cuts_long_labels() {
        let long = "Surat Keterangan Tidak Mampu untuk keringanan biaya pendidikan dan kesehatan";
        let (parts, _) = plan("Pilih", &[long.to_owned(), " ".to_owned()], Hint::None, "", false);
        let buttons = inline(&parts[0]);
        assert_eq!(buttons[0].0.chars().count(), MAX_LABEL_CHARS);
        assert!(buttons[0].0.ends_with('…'));
        assert!(long.starts_with(buttons[0].0.trim_end_matches('…')));
        assert_eq!(buttons[1].0, "2");
        // Multi-byte labels are cut on chars.
        let emoji = "🙏".repeat(100);
        assert_eq!(cut_label(&emoji).chars().count(), MAX_LABEL_CHARS);
    }

    #[test]
    fn plan_location_keyboard_then_removal() {
        let (parts, open) = plan("Bagikan lokasi", &[], Hint::Location, "Kirim lokasi", false);
        assert!(open);
        match &parts[0].markup {
            Some(ReplyMarkup::Keyboard(kb)) => {
                assert_eq!(kb.keyboard.len(), 1);
                assert_eq!(kb.keyboard[0][0].text, "Kirim lokasi");
                assert_eq!(kb.keyboard[0][0].request, Some(ButtonRequest::Location));
                assert!(kb.resize_keyboard && kb.one_time_keyboard);
            }
            other => panic!("{other:?}"),
        }
        let (parts, open) = plan("Nomor HP?", &[], Hint::Contact, "Kirim nomor HP", false);
        assert!(open);
        match &parts[0].markup {
            Some(ReplyMarkup::Keyboard(kb)) => {
                assert_eq!(kb.keyboard[0][0].request, Some(ButtonRequest::Contact));
            }
            other => panic!("{other:?}"),
        }
        // The next message without a request keyboard removes it, once.
        let (parts, open) = plan("Lokasi diterima.", &[], Hint::None, "", true);
        assert!(!open);
        assert_eq!(parts[0].markup, Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())));
        let (parts, open) = plan("Lanjut.", &[], Hint::None, "", false);
        assert!(!open);
        assert_eq!(parts[0].markup, None);
        // Photo and document hints have no button.
        let (parts, open) = plan("Kirim foto KTP", &[], Hint::Photo, "x", false);
        assert_eq!((parts[0].markup.clone(), open), (None, false));
    }

    #[test]
    fn plan_removal_with_buttons_needs_an_earlier_part() {
        // One part with buttons: the removal waits for a later message.
        let (parts, open) = plan("Pilih", &labels(2), Hint::None, "", true);
        assert!(open);
        assert!(matches!(parts[0].markup, Some(ReplyMarkup::InlineKeyboard(_))));
        // Two parts: the first clears the keyboard, the last carries the buttons.
        let long = format!("{}\nPilih", "a".repeat(TEXT_LIMIT));
        let (parts, open) = plan(&long, &labels(2), Hint::None, "", true);
        assert!(!open);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].markup, Some(ReplyMarkup::KeyboardRemove(KeyboardRemove::new())));
        assert_eq!(inline(&parts[1]).len(), 2);
    }

    #[test]
    fn plan_markup_on_last_part_only() {
        let long = format!("{}\n{}", "a".repeat(4000), "b".repeat(4000));
        let (parts, open) = plan(&long, &[], Hint::Location, "Kirim lokasi", false);
        assert!(open);
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].markup, None);
        assert!(matches!(parts[1].markup, Some(ReplyMarkup::Keyboard(_))));
        let (parts, open) = plan("", &labels(2), Hint::None, "", true);
        assert!(parts.is_empty() && open);
    }
}
