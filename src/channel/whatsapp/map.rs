//! Pure translation between the WhatsApp Cloud API and pintu: the webhook signature, what a
//! notification body says, and the JSON bodies that carry a rendered reply. No I/O here, so
//! every rule is testable against recorded webhook bodies.
//!
//! Notifications are read from a JSON tree rather than derived structs: one field of an
//! unexpected type (Meta has changed types before, e.g. numbers as strings) must cost at most
//! that one message, never the whole delivery. The tree is `serde_json_borrow`'s, which borrows
//! its strings from the body and keeps objects as vectors: every webhook is read this way, and
//! `serde_json::Value` would allocate each key, string and map node. (Of a key given twice,
//! the first counts, where `serde_json::Value` keeps the last; Meta sends each key once.)
//!
//! Texts go out as plain text: pintu's `*bold*` marks are WhatsApp's own bold syntax.
//! Limits are counted in UTF-16 code units, which is never less than the character count Meta
//! documents, so a body that passes here passes there whichever way Meta counts.

use crate::channel::text::{split, utf16_len};
use crate::channel::{Channel, ChatKey};
use crate::model::input::AttachmentKind;
use crate::model::reply::Hint;
use hmac::{Hmac, Mac};
use serde_json_borrow::Value as Json;
use sha2::Sha256;

/// Longest text message body.
pub const TEXT_LIMIT: usize = 4096;
/// Most reply buttons in one message.
pub const MAX_BUTTONS: usize = 3;
/// Longest reply-button title.
pub const BUTTON_TITLE_LIMIT: usize = 20;
/// Longest body of a reply-button or location-request message.
pub const SHORT_BODY_LIMIT: usize = 1024;
/// Most rows in a list message (over all sections).
pub const MAX_ROWS: usize = 10;
/// Longest list row title.
pub const ROW_TITLE_LIMIT: usize = 24;
/// Longest list row description.
pub const ROW_DESCRIPTION_LIMIT: usize = 72;
/// Longest label of the button that opens a list (also used as the section title, whose limit
/// of 24 is larger).
pub const LIST_BUTTON_LIMIT: usize = 20;
/// Body limit of a list message.
pub const LIST_BODY_LIMIT: usize = 4096;
/// Prefix of the id of a numbered choice (`c:1`, `c:2`, ...), as on Telegram.
const CHOICE_PREFIX: &str = "c:";

/// Checks `X-Hub-Signature-256: sha256=<hex>` over the exact raw body, in constant time.
///
/// An empty app secret never verifies: with a missing configuration anyone could sign.
pub fn signature_ok(app_secret: &[u8], header: Option<&str>, raw: &[u8]) -> bool {
    if app_secret.is_empty() {
        return false;
    }
    // Decoded in place: a SHA-256 is 32 bytes, and any other length is refused here.
    let mut sig = [0u8; 32];
    let Some(Ok(())) = header
        .map(str::trim)
        .and_then(|h| h.strip_prefix("sha256="))
        .map(|h| hex::decode_to_slice(h, &mut sig))
    else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret) else {
        return false;
    };
    mac.update(raw);
    // `verify_slice` compares in constant time (and rejects a wrong length).
    mac.verify_slice(&sig).is_ok()
}

/// One thing a webhook body says.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A citizen's message. `chat` id = wa_id (digits, no '+'), else the business-scoped
    /// user_id.
    Message {
        chat: ChatKey,
        wamid: String,
        timestamp: i64,
        content: Content,
        profile_name: Option<String>,
    },
    /// A delivery status of one of our messages (sent/delivered/read/failed), with error codes
    /// if failed. `recipient` is the wa_id, else the business-scoped user id.
    Status { wamid: String, recipient: String, status: String, timestamp: i64, errors: Vec<u32> },
    /// A value-level error Meta reports (codes), for logs.
    Error { codes: Vec<u32> },
}

/// The content of a citizen's message.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    /// An interactive reply (button or list) or a template quick-reply button: its id as we
    /// sent it (e.g. "c:2") or the template's payload, and its title/text.
    Choice {
        id: String,
        title: String,
    },
    /// A shared location, current or a named place.
    Location {
        lat: f64,
        lon: f64,
    },
    /// A shared contact card; `own` when the card's wa_id is the sender's.
    Contact {
        phone: String,
        own: bool,
    },
    /// An image or document to fetch with the two-step media download. `mime` is the essence
    /// (`application/pdf`, parameters dropped, lower case).
    Media {
        media_id: String,
        kind: AttachmentKind,
        mime: Option<String>,
        sha256: Option<String>,
        filename: Option<String>,
    },
    /// Sticker, audio, video, reaction, unsupported, system and unknown types: politely
    /// refused by the engine.
    Unsupported,
}

/// Parses a webhook body leniently (unknown fields ignored). Bodies for another
/// phone_number_id are skipped. Err only for bodies that are not JSON objects of the expected
/// shape at all.
///
/// Every `entry[]`, `changes[]`, `messages[]`, `statuses[]` and `errors[]` is read, in order;
/// within one change: messages, then statuses, then the value-level error. Duplicates (the same
/// wamid twice, even within one body) are all returned: deduplication is the caller's, on the
/// wamid, because redeliveries span bodies anyway.
pub fn events(body: &[u8], phone_number_id: &str) -> Result<Vec<Event>, String> {
    let root: Json = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let Some(root) = root.as_object() else {
        return Err("not a JSON object".to_owned());
    };
    if let Some(object) = root.get("object")
        && object.as_str() != Some("whatsapp_business_account")
    {
        return Err(format!("not a WhatsApp Business notification: object {object}"));
    }
    let Some(entries) = root.get("entry").and_then(Json::as_array) else {
        return Err("no entry array".to_owned());
    };
    let mut out = Vec::new();
    for entry in entries {
        for change in array(field(entry, "changes")) {
            // Other fields (template status, account updates...) share the subscription but
            // carry different shapes; none of them is a citizen's message.
            if field(change, "field").and_then(Json::as_str).is_some_and(|f| f != "messages") {
                continue;
            }
            let Some(value) = field(change, "value") else { continue };
            // One app may serve several numbers; another number's traffic is not ours to
            // answer (and a missing number cannot be shown to be ours).
            if field(value, "metadata").and_then(|m| text_of(m, "phone_number_id"))
                != Some(phone_number_id)
            {
                continue;
            }
            value_events(value, &mut out);
        }
    }
    Ok(out)
}

/// A member of an object: `None` when absent or when `v` is no object; a JSON `null` member
/// is `Some(Null)`.
fn field<'v, 'a>(v: &'v Json<'a>, key: &str) -> Option<&'v Json<'a>> {
    v.as_object()?.get(key)
}

fn array<'v, 'a>(v: Option<&'v Json<'a>>) -> &'v [Json<'a>] {
    v.and_then(Json::as_array).unwrap_or_default()
}

fn text_of<'v>(v: &'v Json<'_>, key: &str) -> Option<&'v str> {
    field(v, key).and_then(Json::as_str)
}

/// A non-blank string field, owned.
fn owned(v: &Json<'_>, key: &str) -> Option<String> {
    text_of(v, key).filter(|s| !s.trim().is_empty()).map(str::to_owned)
}

/// Meta sends Unix seconds as a string; a number is accepted too. Unreadable → 0: the event
/// itself still matters more than its time (the caller has its own clock).
fn timestamp(v: Option<&Json<'_>>) -> i64 {
    match v {
        Some(Json::Str(s)) => s.trim().parse().unwrap_or(0),
        Some(Json::Number(n)) => n.as_i64().unwrap_or(0),
        _ => 0,
    }
}

/// The `code`s of an `errors[]` array (numbers, or digit strings to be lenient).
fn codes(v: Option<&Json<'_>>) -> Vec<u32> {
    array(v)
        .iter()
        .filter_map(|e| match field(e, "code")? {
            Json::Number(n) => n.as_u64().and_then(|c| u32::try_from(c).ok()),
            Json::Str(s) => s.trim().parse().ok(),
            _ => None,
        })
        .collect()
}

fn value_events(value: &Json<'_>, out: &mut Vec<Event>) {
    let contacts = array(field(value, "contacts"));
    out.extend(array(field(value, "messages")).iter().filter_map(|m| message(m, contacts)));
    out.extend(array(field(value, "statuses")).iter().filter_map(status));
    let errors = array(field(value, "errors"));
    if !errors.is_empty() {
        out.push(Event::Error { codes: codes(field(value, "errors")) });
    }
}

/// `+62812…` → `62812…`: ids are compared and stored without the plus.
fn no_plus(s: &str) -> String {
    s.trim().trim_start_matches('+').to_owned()
}

fn message(m: &Json<'_>, contacts: &[Json<'_>]) -> Option<Event> {
    // Without its wamid a message can be neither deduplicated nor marked read; Meta always
    // sends one.
    let wamid = owned(m, "id")?;
    // Group messages (Groups API) get no citizen dialog, as on Telegram.
    if field(m, "group_id").is_some() {
        return None;
    }
    let from = owned(m, "from").map(|f| no_plus(&f));
    let from_user_id = owned(m, "from_user_id");
    // The sender's contact entry: by wa_id or BSUID, else the only one (a value holds one
    // user's messages).
    let contact = contacts
        .iter()
        .find(|c| {
            let wa = text_of(c, "wa_id").map(no_plus);
            let user = text_of(c, "user_id");
            (from.is_some() && wa == from)
                || (from_user_id.is_some() && user == from_user_id.as_deref())
        })
        .or(match contacts {
            [only] => Some(only),
            _ => None,
        });
    // Meta says to reply to the contact's wa_id (it may differ from `from` in a few
    // countries); a user with a username may come with the business-scoped id only.
    let id = contact
        .and_then(|c| owned(c, "wa_id"))
        .map(|w| no_plus(&w))
        .or(from.clone())
        .or(from_user_id)
        .or_else(|| contact.and_then(|c| owned(c, "user_id")))?;
    let profile_name = contact.and_then(|c| field(c, "profile")).and_then(|p| owned(p, "name"));
    let sender = [Some(id.as_str()), from.as_deref()];
    Some(Event::Message {
        chat: ChatKey::new(Channel::WhatsApp, id.clone()),
        wamid,
        timestamp: timestamp(field(m, "timestamp")),
        content: content(m, &sender),
        profile_name,
    })
}

/// `sender` holds the ids the citizen is known by here (for a contact card's `own`).
fn content(m: &Json<'_>, sender: &[Option<&str>]) -> Content {
    let kind = text_of(m, "type").unwrap_or_default();
    let part = m.get(kind);
    let found = match kind {
        "text" => text_of(part, "body").map(|b| Content::Text(b.to_owned())),
        "interactive" => interactive(part),
        // A template's quick-reply button: the payload is what the template was configured
        // with, the text what the citizen saw.
        "button" => choice(owned(part, "payload"), owned(part, "text")),
        "location" => location(part),
        "contacts" => contact_card(part, sender),
        "image" => media(part, AttachmentKind::Photo),
        "document" => media(part, AttachmentKind::Document),
        // sticker, audio (voice notes too), video, reaction (also its removal), unsupported,
        // unknown, system (number changes) and whatever Meta adds next.
        _ => None,
    };
    found.unwrap_or(Content::Unsupported)
}

fn interactive(part: &Json<'_>) -> Option<Content> {
    // Flow answers (`nfm_reply`) and the like are not choices pintu offered.
    let reply = match text_of(part, "type")? {
        t @ ("button_reply" | "list_reply") => field(part, t)?,
        _ => return None,
    };
    choice(owned(reply, "id"), owned(reply, "title"))
}

/// A choice needs at least one of id and title; the missing one repeats the other.
fn choice(id: Option<String>, title: Option<String>) -> Option<Content> {
    match (id, title) {
        (Some(id), Some(title)) => Some(Content::Choice { id, title }),
        (Some(one), None) | (None, Some(one)) => {
            Some(Content::Choice { id: one.clone(), title: one })
        }
        (None, None) => None,
    }
}

fn coordinate(v: Option<&Json<'_>>) -> Option<f64> {
    match v? {
        Json::Number(n) => n.as_f64(),
        Json::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Both a current location and a named place (its name and address are dropped: the
/// coordinates are what the step asks for).
fn location(part: &Json<'_>) -> Option<Content> {
    let lat = coordinate(field(part, "latitude"))?;
    let lon = coordinate(field(part, "longitude"))?;
    Some(Content::Location { lat, lon })
}

/// The first card with a phone. Its phone is the sender's own when one of the card's wa_ids
/// is the sender; otherwise the one WhatsApp knows (has a wa_id), else the first.
fn contact_card(part: &Json<'_>, sender: &[Option<&str>]) -> Option<Content> {
    let cards = part.as_array()?;
    cards.iter().find_map(|card| {
        let phones = array(field(card, "phones"));
        let wa_id = |p: &Json<'_>| owned(p, "wa_id").map(|w| no_plus(&w));
        let own_phone = phones
            .iter()
            .find(|p| wa_id(p).is_some_and(|w| sender.iter().flatten().any(|s| *s == w)));
        let chosen = own_phone
            .or_else(|| phones.iter().find(|p| wa_id(p).is_some()))
            .or_else(|| phones.iter().find(|p| owned(p, "phone").is_some()))?;
        // The phone as shared (may hold spaces and dashes; the engine's validator normalises);
        // a bare wa_id when the card has no number text.
        let phone = owned(chosen, "phone").or_else(|| wa_id(chosen))?;
        Some(Content::Contact { phone, own: own_phone.is_some() })
    })
}

/// The caption is dropped: pintu asks one thing at a time.
fn media(part: &Json<'_>, kind: AttachmentKind) -> Option<Content> {
    Some(Content::Media {
        media_id: owned(part, "id")?,
        kind,
        // The engine compares essences, as it does for Telegram.
        mime: text_of(part, "mime_type")
            .and_then(|m| m.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .filter(|m| !m.is_empty()),
        sha256: owned(part, "sha256"),
        filename: owned(part, "filename"),
    })
}

fn status(s: &Json<'_>) -> Option<Event> {
    Some(Event::Status {
        wamid: owned(s, "id")?,
        recipient: owned(s, "recipient_id")
            .map(|r| no_plus(&r))
            .or_else(|| owned(s, "recipient_user_id"))
            .unwrap_or_default(),
        status: owned(s, "status").unwrap_or_default(),
        timestamp: timestamp(field(s, "timestamp")),
        errors: codes(field(s, "errors")),
    })
}

/// One body POSTed to `/{phone_number_id}/messages`, serialised straight from these types:
/// this runs for every reply, and a `serde_json::Value` tree would cost an allocation per node.
#[derive(Debug, serde::Serialize)]
pub struct Outbound {
    messaging_product: &'static str,
    recipient_type: &'static str,
    /// A wa_id (digits) goes in `to`; a business-scoped user id (`ID.1502576394655843`) in
    /// `recipient`, the field Meta added for users known only by it.
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recipient: Option<String>,
    #[serde(flatten)]
    kind: Kind,
}

/// The `type` of a message and the part named after it.
#[derive(Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum Kind {
    Text { text: TextPart },
    Interactive { interactive: Interactive },
    Template { template: Template },
}

#[derive(Debug, serde::Serialize)]
struct TextPart {
    preview_url: bool,
    body: String,
}

#[derive(Debug, serde::Serialize)]
#[serde(tag = "type")]
enum Interactive {
    #[serde(rename = "button")]
    Buttons { body: BodyText, action: ButtonsAction },
    #[serde(rename = "list")]
    List { body: BodyText, action: ListAction },
    #[serde(rename = "location_request_message")]
    Location { body: BodyText, action: Named },
}

#[derive(Debug, serde::Serialize)]
struct BodyText {
    text: String,
}

#[derive(Debug, serde::Serialize)]
struct ButtonsAction {
    buttons: Vec<Button>,
}

#[derive(Debug, serde::Serialize)]
struct Button {
    #[serde(rename = "type")]
    kind: &'static str,
    reply: IdTitle,
}

#[derive(Debug, serde::Serialize)]
struct IdTitle {
    id: String,
    title: String,
}

#[derive(Debug, serde::Serialize)]
struct ListAction {
    button: String,
    sections: [Section; 1],
}

#[derive(Debug, serde::Serialize)]
struct Section {
    title: String,
    rows: Vec<Row>,
}

#[derive(Debug, serde::Serialize)]
struct Row {
    id: String,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

#[derive(Debug, serde::Serialize)]
struct Named {
    name: &'static str,
}

#[derive(Debug, serde::Serialize)]
struct Template {
    name: String,
    language: Language,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
}

#[derive(Debug, serde::Serialize)]
struct Language {
    code: String,
}

#[derive(Debug, serde::Serialize)]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    parameters: Vec<TextParameter>,
}

#[derive(Debug, serde::Serialize)]
struct TextParameter {
    #[serde(rename = "type")]
    kind: &'static str,
    text: String,
}

impl Outbound {
    fn new(to: &str, kind: Kind) -> Self {
        let to = to.trim();
        let digits = to.trim_start_matches('+');
        let (to, recipient) = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            (Some(digits.to_owned()), None)
        } else {
            (None, Some(to.to_owned()))
        };
        Self { messaging_product: "whatsapp", recipient_type: "individual", to, recipient, kind }
    }

    /// The JSON bytes to POST.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising these types cannot fail: string keys only, no maps, no floats. Sized for
        // a usual body: growing from serde_json's 128 bytes reallocated each time (#15).
        let mut out = Vec::with_capacity(512);
        if serde_json::to_writer(&mut out, self).is_err() {
            out.clear();
        }
        out
    }
}

fn text_message(to: &str, body: &str) -> Outbound {
    Outbound::new(to, Kind::Text { text: TextPart { preview_url: false, body: body.to_owned() } })
}

/// The one-tap part of a reply.
enum Action {
    Buttons(Vec<String>),
    List { button: String, rows: Vec<(String, Option<String>)> },
    Location,
}

impl Action {
    fn body_limit(&self) -> usize {
        match self {
            Action::List { .. } => LIST_BODY_LIMIT,
            Action::Buttons(_) | Action::Location => SHORT_BODY_LIMIT,
        }
    }

    fn message(self, to: &str, body: String) -> Outbound {
        let body = BodyText { text: body };
        let interactive = match self {
            Action::Buttons(titles) => Interactive::Buttons {
                body,
                action: ButtonsAction {
                    buttons: titles
                        .into_iter()
                        .enumerate()
                        .map(|(i, title)| Button {
                            kind: "reply",
                            reply: IdTitle { id: choice_id(i), title },
                        })
                        .collect(),
                },
            },
            Action::List { button, rows } => {
                let rows = rows
                    .into_iter()
                    .enumerate()
                    .map(|(i, (title, description))| Row { id: choice_id(i), title, description })
                    .collect();
                // A single section may go untitled, but a title costs nothing and spares a
                // 400 should Meta ever insist.
                Interactive::List {
                    body,
                    action: ListAction {
                        sections: [Section { title: button.clone(), rows }],
                        button,
                    },
                }
            }
            Action::Location => {
                Interactive::Location { body, action: Named { name: "send_location" } }
            }
        };
        Outbound::new(to, Kind::Interactive { interactive })
    }

    /// A body for an interactive message whose reply text is empty (Meta requires one).
    fn fallback_body(&self, choices: &[String]) -> String {
        match self {
            Action::Location => "📍".to_owned(),
            _ => {
                let lines: Vec<String> = choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("{}. {}", i + 1, c.trim()))
                    .collect();
                cut(&lines.join("\n"), self.body_limit())
            }
        }
    }
}

fn choice_id(index: usize) -> String {
    format!("{CHOICE_PREFIX}{}", index + 1)
}

/// Outbound: the JSON bodies to POST to /{phone_number_id}/messages for one rendered reply.
///
/// `text` is the full plain text (numbered option lines included); `choices` the numbered
/// option labels (id `c:<i>`, 1-based): ≤ 3 choices whose titles fit 20 → reply buttons;
/// ≤ 10 choices → a list (row titles cut to 24, the full label as description ≤ 72 when the
/// title was cut; button `list_button()`, cut to 20); more → numbered text only. Without choices,
/// `Hint::Location` → a location request. Choices win over a hint, as on Telegram.
///
/// Text over 4096 is split on line boundaries. The interactive part rides on the last piece;
/// when that piece is too long for the interactive body (1024 for buttons and location), the
/// text before its last lines goes as text and those last lines (≤ 1024: the question and the
/// options) become the interactive body. Empty text yields no bodies unless there is an
/// interactive part.
pub fn outbound(
    to: &str,
    text: &str,
    choices: &[String],
    hint: Hint,
    list_button: impl FnOnce() -> String,
) -> Vec<Outbound> {
    let mut pieces = split(text, TEXT_LIMIT);
    let Some(action) = action(choices, hint, list_button) else {
        return pieces.iter().map(|p| text_message(to, p)).collect();
    };
    let limit = action.body_limit();
    let body = match pieces.pop() {
        Some(last) if utf16_len(&last) <= limit => last,
        Some(last) => {
            let (head, tail) = split_tail(&last, limit);
            if !head.trim().is_empty() {
                pieces.push(head);
            }
            tail
        }
        None => String::new(),
    };
    let body = if body.trim().is_empty() { action.fallback_body(choices) } else { body };
    let mut out: Vec<Outbound> = pieces.iter().map(|p| text_message(to, p)).collect();
    out.push(action.message(to, body));
    out
}

fn action(choices: &[String], hint: Hint, list_button: impl FnOnce() -> String) -> Option<Action> {
    if choices.is_empty() {
        return (hint == Hint::Location).then_some(Action::Location);
    }
    if choices.len() <= MAX_BUTTONS
        && choices.iter().all(|c| utf16_len(c.trim()) <= BUTTON_TITLE_LIMIT)
    {
        return Some(Action::Buttons(unique_titles(choices, BUTTON_TITLE_LIMIT)));
    }
    if choices.len() <= MAX_ROWS {
        let titles = unique_titles(choices, ROW_TITLE_LIMIT);
        let rows = titles
            .into_iter()
            .zip(choices)
            .map(|(title, label)| {
                // The description shows what the cut title hides; a whole title needs none.
                let label = label.trim();
                let description =
                    (!title.ends_with(label)).then(|| cut(label, ROW_DESCRIPTION_LIMIT));
                (title, description)
            })
            .collect();
        let button = match cut(&list_button(), LIST_BUTTON_LIMIT) {
            b if b.trim().is_empty() => "Menu".to_owned(),
            b => b,
        };
        return Some(Action::List { button, rows });
    }
    None
}

/// Titles cut to `limit`, an empty label shown as its number. Meta rejects duplicate button
/// titles (and duplicates in a list confuse), so when cutting or the labels themselves make
/// duplicates, every title gets its number in front ("2. Kartu Kel…").
fn unique_titles(labels: &[String], limit: usize) -> Vec<String> {
    let plain: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| if l.trim().is_empty() { (i + 1).to_string() } else { cut(l, limit) })
        .collect();
    let mut seen: Vec<String> = plain.iter().map(|t| t.to_lowercase()).collect();
    seen.sort();
    seen.dedup();
    if seen.len() == plain.len() {
        return plain;
    }
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| cut(&format!("{}. {}", i + 1, l.trim()), limit))
        .collect()
}

/// Cuts to `limit` UTF-16 units, the last being "…".
fn cut(s: &str, limit: usize) -> String {
    let s = s.trim();
    if utf16_len(s) <= limit {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut units = 0;
    for c in s.chars() {
        if units + c.len_utf16() > limit.saturating_sub(1) {
            break;
        }
        units += c.len_utf16();
        out.push(c);
    }
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Longest template parameter: a template's body, its own words included, holds at most 1,024
/// characters.
const TEMPLATE_PARAM_MAX: usize = 900;

/// Characters that may not appear in a template parameter: Meta rejects new lines, tabs and
/// runs of more than four spaces there, so every whitespace run becomes one space.
fn template_param(p: &str) -> String {
    let flat = p.split_whitespace().collect::<Vec<_>>().join(" ");
    // An empty parameter is rejected too ("Parameter 'text' is mandatory").
    if flat.is_empty() { "-".to_owned() } else { cut(&flat, TEMPLATE_PARAM_MAX) }
}

/// A template message (outside the 24-hour window): name, language code, body parameters in
/// order. Parameters are flattened to one line; none → no components.
pub fn template(to: &str, name: &str, lang: &str, params: &[String]) -> Outbound {
    let components = if params.is_empty() {
        Vec::new()
    } else {
        let parameters = params
            .iter()
            .map(|p| TextParameter { kind: "text", text: template_param(p) })
            .collect();
        vec![Component { kind: "body", parameters }]
    };
    let template = Template {
        name: name.to_owned(),
        language: Language { code: lang.to_owned() },
        components,
    };
    Outbound::new(to, Kind::Template { template })
}

/// Mark-read (with typing indicator): the citizen sees the ticks turn blue and "typing…" until
/// the reply (at most 25 s).
pub fn mark_read(message_id: &str) -> Vec<u8> {
    #[derive(serde::Serialize)]
    struct Typing {
        #[serde(rename = "type")]
        kind: &'static str,
    }
    #[derive(serde::Serialize)]
    struct MarkRead<'a> {
        messaging_product: &'static str,
        status: &'static str,
        message_id: &'a str,
        typing_indicator: Typing,
    }
    let body = MarkRead {
        messaging_product: "whatsapp",
        status: "read",
        message_id,
        typing_indicator: Typing { kind: "text" },
    };
    serde_json::to_vec(&body).unwrap_or_default()
}

/// `c:<i>` → i (1-based option number), for turning a tap into the engine's numbered answer.
pub fn choice_from_id(id: &str) -> Option<usize> {
    let digits = id.strip_prefix(CHOICE_PREFIX)?;
    // Only plain digits: `c:+1` or `c: 1` were never sent by pintu.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n >= 1)
}

/// Graph error body → (code, message) for retry decisions. The code is what counts (one code
/// may come with HTTP 400 or 429); `error_subcode` is ignored.
pub fn graph_error(body: &[u8]) -> Option<(u32, String)> {
    let v: Json = serde_json::from_slice(body).ok()?;
    let e = field(&v, "error")?;
    let code = match field(e, "code")? {
        Json::Number(n) => u32::try_from(n.as_u64()?).ok()?,
        Json::Str(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some((code, text_of(e, "message").unwrap_or_default().to_owned()))
}

/// Splits a piece into (head, tail): the tail is the longest run of whole last lines within
/// `limit` (or, when the last line alone is longer, that line's last chunk), the head the rest.
fn split_tail(piece: &str, limit: usize) -> (String, String) {
    let limit = limit.max(2);
    let mut start = piece.len();
    let mut units = 0;
    // Line starts from the end: after each '\n', then the piece's start.
    let starts = piece.rmatch_indices('\n').map(|(i, _)| i + 1).chain(std::iter::once(0));
    for s in starts {
        // The segment [s, start) plus its '\n' (none for the last line).
        let seg = utf16_len(&piece[s..start]);
        if units + seg > limit {
            break;
        }
        units += seg;
        start = s;
    }
    if start == piece.len() {
        // The last line alone is too long: the tail is its longest end that fits, starting
        // after a space when one is in its first half so that words stay whole.
        let mut units = 0;
        let mut soft = None;
        for (i, c) in piece.char_indices().rev() {
            if units + c.len_utf16() > limit {
                break;
            }
            units += c.len_utf16();
            start = i;
            if c.is_whitespace() && units >= limit / 2 {
                soft = Some(i + c.len_utf8());
            }
        }
        start = soft.unwrap_or(start);
    }
    let head = piece[..start].trim_end().to_owned();
    let tail = piece[start..].trim_matches('\n').to_owned();
    (head, tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const PNID: &str = "109283746501234";

    fn wa(id: &str) -> ChatKey {
        ChatKey::new(Channel::WhatsApp, id)
    }

    const SITI: &str = "62812345678";
    const AGUS: &str = "6281234567890";

    fn msg(chat: &str, wamid: &str, ts: i64, content: Content) -> Event {
        let name = match chat {
            SITI => "Siti Rahmawati",
            AGUS => "Agus Setiawan",
            _ => unreachable!(),
        };
        Event::Message {
            chat: wa(chat),
            wamid: wamid.to_owned(),
            timestamp: ts,
            content,
            profile_name: Some(name.to_owned()),
        }
    }

    fn text(s: &str) -> Content {
        Content::Text(s.to_owned())
    }

    fn choice(id: &str, title: &str) -> Content {
        Content::Choice { id: id.to_owned(), title: title.to_owned() }
    }

    fn status(wamid: &str, to: &str, status: &str, ts: i64, errors: &[u32]) -> Event {
        Event::Status {
            wamid: wamid.to_owned(),
            recipient: to.to_owned(),
            status: status.to_owned(),
            timestamp: ts,
            errors: errors.to_vec(),
        }
    }

    /// The business-sent wamid the status files and replies refer to.
    const OURS: &str = "wamid.HBgLNjI4MTIzNDU2NzgVAgARGBJEM0I0Njg5ODUzQkM3MUI3OTUA";

    /// The expected events of every recorded body; a new file without an entry fails the test
    /// so that it gets a decision.
    fn expected(name: &str) -> Option<Vec<Event>> {
        let w = |s: &str| format!("wamid.{s}");
        Some(match name {
            "text.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ4QzAzNjVENjMxRDg0RkFEODBENgA="),
                1752301000,
                // The `\ud83d\ude4f` escape pair decodes to one emoji.
                text("Halo, saya mau buat surat pengantar SKCK 🙏"),
            )],
            // A reply to one of our messages is still just text: pintu's dialog is linear.
            "text_reply_context.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQxQ0I1OTUzNDZGRDE5NzM2M0VFNAA="),
                1752301010,
                text("Iya, betul"),
            )],
            // A forwarded text counts as what the citizen says.
            "text_forwarded.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDI4MkFCRUI0RURBOUFEOTlGQTE3AA=="),
                1752301020,
                text("Info: Disdukcapil buka layanan Sabtu pagi."),
            )],
            // Ids pintu did not send (not `c:<i>`) are still passed on; the title lets the
            // engine match them as typed text.
            "interactive_button_reply.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBRFRERCNzQ3NURFMkE3MzkzN0M5NwA="),
                1752301030,
                choice("konfirmasi_ya", "Ya, benar"),
            )],
            // The row description is not kept: the title is what was chosen.
            "interactive_list_reply.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ2RkI3OTE0NTFEMDkzNEUxRTlBNgA="),
                1752301040,
                choice("layanan_kk", "Kartu Keluarga"),
            )],
            // Template quick reply: id = payload, title = the button text.
            "button_template_quick_reply.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ3QzI4RjM3QzBGMEMzNjdFN0ZDRQA="),
                1752301050,
                choice("JADWAL_ULANG", "Jadwalkan ulang"),
            )],
            // Caption dropped.
            "image_caption.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDg3MzA1MjdDNzQ2NDJBRkJDOTQ3AA=="),
                1752301060,
                Content::Media {
                    media_id: "2604585545671592".into(),
                    kind: AttachmentKind::Photo,
                    mime: Some("image/jpeg".into()),
                    sha256: Some("173VRfCdinPCuZAzfIIR1wigTM2XSGJ2heT8ecwDgDk=".into()),
                    filename: None,
                },
            )],
            "document_pdf.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ3REMzMUZCNzA1NjhGODY1QkJGMAA="),
                1752301070,
                Content::Media {
                    media_id: "4630855345605359".into(),
                    kind: AttachmentKind::Document,
                    mime: Some("application/pdf".into()),
                    sha256: Some("xj69y+AMBrfZMUMFa+K7N9ftx3xQdsHdOxyZMfNt24o=".into()),
                    filename: Some("akta_kelahiran.pdf".into()),
                },
            )],
            "location_current.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFEU4MEMxMkNFMEI2OTgwQ0UwRTJCAA=="),
                1752301080,
                Content::Location { lat: -6.175392, lon: 106.827153 },
            )],
            // A named place is its coordinates; name, address and url are dropped.
            "location_named.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBRDOUUyQUU3RUQwRkU3Mzk0MzZFRQA="),
                1752301090,
                Content::Location { lat: -6.9032739, lon: 107.6186281 },
            )],
            // The card's CELL phone carries the sender's own wa_id → own; the phone is kept as
            // shared (the validator normalises "+62 812-345-678").
            "contacts.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ2MjMwMUNCNjkwNTQyNEFBNTY5QQA="),
                1752301100,
                Content::Contact { phone: "+62 812-345-678".into(), own: true },
            )],
            "sticker.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFEQ4MjQ2NTczMThDOEU2QTdCNjRGAA=="),
                1752301110,
                Content::Unsupported,
            )],
            // Voice notes are refused like any audio: pintu has no speech recognition.
            "audio_voice.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBRDQzFBOTZEODA0QzIwRkE4NUJFMAA="),
                1752301120,
                Content::Unsupported,
            )],
            "video.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFEU1RjJBOEEyNDVDNzQ0QUQ1RjkxAA=="),
                1752301130,
                Content::Unsupported,
            )],
            // A reaction (and its removal) is a message of its own; the engine decides
            // whether it deserves an answer.
            "reaction.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBRERTFGNTJDRkM0NUUyM0UwRjhENgA="),
                1752301140,
                Content::Unsupported,
            )],
            "reaction_removed.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBRGMEZGNTY5QUZBN0Q2NzNENEQ4MQA="),
                1752301150,
                Content::Unsupported,
            )],
            // Message-level errors (131051) belong to the Unsupported message: no Error event.
            "unsupported_errors.json" => vec![msg(
                SITI,
                &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ0MDY3QjE2MzAyMjBFMUE1RUQ4MgA="),
                1752301160,
                Content::Unsupported,
            )],
            "unknown_type_legacy.json" => vec![msg(
                AGUS,
                &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDE4NkI3ODkyMENFNkI3NDc2QzVBAA=="),
                1752301170,
                Content::Unsupported,
            )],
            // An interactive message without its body: the citizen did send something, so it
            // is answered as Unsupported; the value-level 131000 is logged.
            "value_level_errors.json" => vec![
                msg(
                    SITI,
                    &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ1OEYxNjkwMzk0MEE1OTk0QzYwNQA="),
                    1752301180,
                    Content::Unsupported,
                ),
                Event::Error { codes: vec![131000] },
            ],
            "status_sent.json" => vec![status(OURS, SITI, "sent", 1752301200, &[])],
            "status_delivered.json" => vec![status(OURS, SITI, "delivered", 1752301202, &[])],
            "status_read.json" => vec![status(OURS, SITI, "read", 1752301260, &[])],
            "status_failed_131047.json" => vec![status(
                "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEkUxOEE0RUU3MzRCOTI1NzE5MwA=",
                AGUS,
                "failed",
                1752301300,
                &[131047],
            )],
            "status_failed_131026.json" => vec![status(
                "wamid.HBgNNjI4MTM5ODc2NTQzMhUCABEYEkYxQkRDRDRENDdENDE2QjRBNgA=",
                "6281398765432",
                "failed",
                1752301310,
                &[131026],
            )],
            "two_changes.json" => vec![
                msg(
                    SITI,
                    &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ4MDRFNEM5MTdCNTM0ODIyQTgwQwA="),
                    1752301400,
                    text("Nama saya Siti Rahmawati"),
                ),
                msg(
                    SITI,
                    &w("HBgLNjI4MTIzNDU2NzgVAgASGBQ5ODg4Njc5NjI1QkEyMjM1OEE5QQA="),
                    1752301401,
                    text("NIK saya menyusul ya"),
                ),
            ],
            "two_messages_one_value.json" => vec![
                msg(
                    AGUS,
                    &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDM2REM2REZEQzU0RUZEOUZDQ0IwAA=="),
                    1752301410,
                    text("Selamat siang"),
                ),
                msg(
                    AGUS,
                    &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFERDOEZEODFDQUJCM0M3MDBBNDQ1AA=="),
                    1752301411,
                    text("Saya mau tanya syarat pindah domisili"),
                ),
            ],
            // Both copies are returned: the caller's wamid dedupe drops the second, the same
            // way it drops a redelivered body.
            "duplicate_message_id.json" => {
                let one = msg(
                    AGUS,
                    &w("HBgNNjI4MTIzNDU2Nzg5MBUCABIYFDkzMDRCNTg5OTUyMjUzNUY2NThCAA=="),
                    1752301420,
                    text("Halo"),
                );
                vec![one.clone(), one]
            }
            _ => return None,
        })
    }

    #[test]
    fn recorded_bodies() {
        let Some(dir) = crate::channel::recorded::dir("whatsapp") else {
            eprintln!("note: ../shared/real-world/whatsapp absent; recorded bodies not checked");
            return;
        };
        let names = crate::channel::recorded::json_names(&dir);
        assert!(names.len() >= 27, "{names:?}");
        for name in &names {
            let body = std::fs::read(dir.join(name)).unwrap();
            let want = expected(name).unwrap_or_else(|| panic!("{name}: no expectation"));
            assert_eq!(events(&body, PNID).unwrap(), want, "{name}");
            // The same body for another number of the same app: nothing for us.
            assert_eq!(events(&body, "999999999999999").unwrap(), vec![], "{name}");
        }
    }

    #[test]
    fn recorded_body_signature_round_trips() {
        let Some(dir) = crate::channel::recorded::dir("whatsapp") else {
            eprintln!("note: ../shared/real-world/whatsapp absent; signature round trip skipped");
            return;
        };
        let mut body = std::fs::read(dir.join("text.json")).unwrap();
        let secret = b"an app secret";
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(&body);
        let header = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(signature_ok(secret, Some(&header), &body));
        assert!(!signature_ok(b"another secret", Some(&header), &body));
        // Re-serialised JSON is not the signed bytes (the emoji escape becomes UTF-8).
        let reserialised =
            serde_json::to_vec(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
        assert!(!signature_ok(secret, Some(&header), &reserialised));
        let last = body.len() - 1;
        body[last] ^= 1;
        assert!(!signature_ok(secret, Some(&header), &body));
    }

    const VECTOR_BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    const VECTOR_SIG: &str =
        "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756";

    #[test]
    fn signature_vector_and_rejections() {
        let secret = b"test_app_secret";
        assert!(signature_ok(secret, Some(VECTOR_SIG), VECTOR_BODY));
        // Surrounding whitespace and upper-case hex are the same signature.
        assert!(signature_ok(secret, Some(&format!(" {} ", VECTOR_SIG)), VECTOR_BODY));
        let upper = format!("sha256={}", VECTOR_SIG["sha256=".len()..].to_ascii_uppercase());
        assert!(signature_ok(secret, Some(&upper), VECTOR_BODY));

        let mut tampered = VECTOR_BODY.to_vec();
        tampered[10] ^= 0x20;
        assert!(!signature_ok(secret, Some(VECTOR_SIG), &tampered));
        assert!(!signature_ok(b"test_app_secreT", Some(VECTOR_SIG), VECTOR_BODY));
        assert!(!signature_ok(b"", Some(VECTOR_SIG), VECTOR_BODY));
        for bad in [
            "",
            "sha256=",
            "sha256=zz",
            "sha1=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756",
            "dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756",
            // One byte short, and one byte too many.
            "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c6337",
            "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c63375600",
            "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633757",
        ] {
            assert!(!signature_ok(secret, Some(bad), VECTOR_BODY), "{bad:?}");
        }
        assert!(!signature_ok(secret, None, VECTOR_BODY));
    }

    #[test]
    fn bodies_of_the_wrong_shape() {
        assert!(events(b"", PNID).is_err());
        assert!(events(b"not json", PNID).is_err());
        assert!(events(b"[]", PNID).is_err());
        assert!(events(b"{}", PNID).is_err());
        assert!(events(br#"{"object":"page","entry":[]}"#, PNID).is_err());
        assert!(events(br#"{"object":"whatsapp_business_account","entry":{}}"#, PNID).is_err());
        assert_eq!(events(VECTOR_BODY, PNID).unwrap(), vec![]);
        // Odd parts inside a good envelope cost only themselves.
        let body = br#"{"object":"whatsapp_business_account","entry":[
            7, {"changes":"x"}, {"changes":[{"field":"messages"}, {"field":"account_update",
            "value":{"metadata":{"phone_number_id":"109283746501234"},"messages":[
            {"from":"1","id":"wamid.X","type":"text","text":{"body":"no"}}]}}]}]}"#;
        assert_eq!(events(body, PNID).unwrap(), vec![]);
    }

    fn value(v: Value) -> Vec<u8> {
        let mut v = v;
        v["metadata"] = json!({ "display_phone_number": "62218350123", "phone_number_id": PNID });
        v["messaging_product"] = json!("whatsapp");
        let body = json!({
            "object": "whatsapp_business_account",
            "entry": [{ "id": "1", "changes": [{ "field": "messages", "value": v }] }]
        });
        serde_json::to_vec(&body).unwrap()
    }

    #[test]
    fn business_scoped_user_ids() {
        // A user with a username: no phone number anywhere, only the BSUID.
        let body = value(json!({
            "contacts": [{ "profile": { "name": "Dewi", "username": "@dewi" },
                           "user_id": "ID.1502576394655843" }],
            "messages": [{ "from_user_id": "ID.1502576394655843", "id": "wamid.B1",
                           "timestamp": "1752301500", "type": "text", "text": { "body": "Halo" } }],
            "statuses": [{ "id": "wamid.B2", "status": "read", "timestamp": 1752301501,
                           "recipient_user_id": "ID.1502576394655843" }]
        }));
        assert_eq!(
            events(&body, PNID).unwrap(),
            vec![
                Event::Message {
                    chat: wa("ID.1502576394655843"),
                    wamid: "wamid.B1".into(),
                    timestamp: 1752301500,
                    content: text("Halo"),
                    profile_name: Some("Dewi".into()),
                },
                status("wamid.B2", "ID.1502576394655843", "read", 1752301501, &[]),
            ]
        );
        // With both: the wa_id wins; the BSUID only in the contact is enough too.
        let body = value(json!({
            "contacts": [{ "profile": { "name": "Dewi" }, "wa_id": "6281111111111",
                           "user_id": "ID.1502576394655843" }],
            "messages": [{ "from": "6281111111111", "from_user_id": "ID.1502576394655843",
                           "id": "wamid.B3", "timestamp": "x", "type": "text",
                           "text": { "body": "a" } },
                         { "id": "wamid.B4", "timestamp": "1", "type": "text",
                           "text": { "body": "b" } }]
        }));
        let got = events(&body, PNID).unwrap();
        let chats: Vec<_> = got
            .iter()
            .map(|e| match e {
                Event::Message { chat, timestamp, .. } => (&*chat.id, *timestamp),
                _ => unreachable!(),
            })
            .collect();
        // An unreadable timestamp is 0, not a lost message.
        assert_eq!(chats, [("6281111111111", 0), ("6281111111111", 1)]);
        // No identity at all: nobody to answer.
        let body = value(json!({ "messages": [{ "id": "wamid.B5", "type": "text",
                                               "text": { "body": "?" } }] }));
        assert_eq!(events(&body, PNID).unwrap(), vec![]);
    }

    #[test]
    fn someone_elses_contact_and_odd_messages() {
        let body = value(json!({
            "contacts": [{ "profile": { "name": "Siti" }, "wa_id": SITI }],
            "messages": [
                { "from": SITI, "id": "wamid.C1", "timestamp": "5", "type": "contacts",
                  "contacts": [{ "name": { "formatted_name": "Rudi" },
                                 "phones": [{ "phone": "0812 9999", "type": "HOME" },
                                            { "phone": "+62 813-1", "wa_id": "62813100" }] }] },
                { "from": SITI, "id": "wamid.C2", "timestamp": "6", "type": "contacts",
                  "contacts": [{ "name": { "formatted_name": "Tanpa nomor" } }] },
                { "from": SITI, "id": "wamid.C3", "timestamp": "7", "type": "interactive",
                  "interactive": { "type": "button_reply", "button_reply": { "id": "c:2" } } },
                { "from": SITI, "id": "wamid.C4", "timestamp": "8", "type": "interactive",
                  "interactive": { "type": "nfm_reply", "nfm_reply": { "response_json": "{}" } } },
                { "from": SITI, "id": "wamid.C5", "timestamp": "9", "type": "system",
                  "system": { "body": "User changed number", "type": "user_changed_number" } },
                { "from": SITI, "id": "wamid.C6", "timestamp": "10", "type": "image",
                  "image": { "mime_type": "image/jpeg" } },
                { "from": SITI, "id": "wamid.C7", "timestamp": "11", "type": "document",
                  "document": { "id": "77", "mime_type": "Application/PDF; x=1" } },
                { "from": SITI, "id": "wamid.C8", "timestamp": "12", "type": "text",
                  "group_id": "G1", "text": { "body": "group chatter" } },
                { "from": "+62812345678", "id": "wamid.C9", "timestamp": "13", "type": "location",
                  "location": { "latitude": "-6.2", "longitude": 106.8 } }
            ]
        }));
        let contents: Vec<(String, Content)> = events(&body, PNID)
            .unwrap()
            .into_iter()
            .map(|e| match e {
                Event::Message { wamid, content, chat, .. } => {
                    assert_eq!(chat, wa(SITI));
                    (wamid, content)
                }
                _ => unreachable!(),
            })
            .collect();
        let want = [
            // The phone WhatsApp knows; not the sender's.
            ("wamid.C1", Content::Contact { phone: "+62 813-1".into(), own: false }),
            ("wamid.C2", Content::Unsupported),
            ("wamid.C3", choice("c:2", "c:2")),
            ("wamid.C4", Content::Unsupported),
            ("wamid.C5", Content::Unsupported),
            ("wamid.C6", Content::Unsupported),
            (
                "wamid.C7",
                Content::Media {
                    media_id: "77".into(),
                    kind: AttachmentKind::Document,
                    mime: Some("application/pdf".into()),
                    sha256: None,
                    filename: None,
                },
            ),
            ("wamid.C9", Content::Location { lat: -6.2, lon: 106.8 }),
        ];
        let want: Vec<(String, Content)> =
            want.into_iter().map(|(w, c)| (w.to_owned(), c)).collect();
        assert_eq!(contents, want);
    }

    #[test]
    fn two_entries_one_for_another_number() {
        let mine = json!({ "field": "messages", "value": {
            "metadata": { "phone_number_id": PNID },
            "statuses": [{ "id": "wamid.S", "status": "sent", "timestamp": "1",
                           "recipient_id": SITI }],
            "errors": [{ "code": 130429 }, { "code": "131056" }, { "title": "no code" }] } });
        let other = json!({ "field": "messages", "value": {
            "metadata": { "phone_number_id": "1" },
            "statuses": [{ "id": "wamid.T", "status": "sent", "timestamp": "1",
                           "recipient_id": SITI }] } });
        let body = json!({ "object": "whatsapp_business_account", "entry": [
            { "changes": [other.clone(), mine] }, { "changes": [other] } ] });
        assert_eq!(
            events(&serde_json::to_vec(&body).unwrap(), PNID).unwrap(),
            vec![
                status("wamid.S", SITI, "sent", 1, &[]),
                Event::Error { codes: vec![130429, 131056] },
            ]
        );
    }

    /// Asserts one outbound body against the C4 limits table.
    fn check_limits(b: &Value) {
        assert_eq!(b["messaging_product"], "whatsapp", "{b}");
        assert_eq!(b["recipient_type"], "individual", "{b}");
        assert!(b["to"].is_string() || b["recipient"].is_string(), "{b}");
        let len = |v: &Value| utf16_len(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")));
        let nonempty = |v: &Value| assert!(!v.as_str().unwrap().trim().is_empty(), "{b}");
        match b["type"].as_str().unwrap() {
            "text" => {
                assert_eq!(b["text"]["preview_url"], false, "{b}");
                nonempty(&b["text"]["body"]);
                assert!(len(&b["text"]["body"]) <= 4096);
            }
            "interactive" => {
                let i = &b["interactive"];
                let body = &i["body"]["text"];
                nonempty(body);
                match i["type"].as_str().unwrap() {
                    "button" => {
                        assert!(len(body) <= 1024);
                        let buttons = i["action"]["buttons"].as_array().unwrap();
                        assert!((1..=3).contains(&buttons.len()), "{b}");
                        let mut titles = Vec::new();
                        for button in buttons {
                            assert_eq!(button["type"], "reply");
                            let title = &button["reply"]["title"];
                            nonempty(title);
                            assert!(len(title) <= 20, "{b}");
                            assert!(len(&button["reply"]["id"]) <= 256);
                            titles.push(title.as_str().unwrap().to_lowercase());
                        }
                        let n = titles.len();
                        titles.sort();
                        titles.dedup();
                        assert_eq!(titles.len(), n, "titles not unique: {b}");
                    }
                    "list" => {
                        assert!(len(body) <= 4096);
                        let button = &i["action"]["button"];
                        nonempty(button);
                        assert!(len(button) <= 20, "{b}");
                        let sections = i["action"]["sections"].as_array().unwrap();
                        assert!((1..=10).contains(&sections.len()));
                        let mut rows = 0;
                        for s in sections {
                            if !s["title"].is_null() {
                                assert!(len(&s["title"]) <= 24);
                            }
                            for row in s["rows"].as_array().unwrap() {
                                rows += 1;
                                nonempty(&row["title"]);
                                assert!(len(&row["title"]) <= 24, "{b}");
                                assert!(len(&row["id"]) <= 200);
                                if !row["description"].is_null() {
                                    assert!(len(&row["description"]) <= 72, "{b}");
                                }
                            }
                        }
                        assert!((1..=10).contains(&rows), "{b}");
                    }
                    "location_request_message" => {
                        assert!(len(body) <= 1024);
                        assert_eq!(i["action"]["name"], "send_location");
                    }
                    other => panic!("unexpected interactive type {other}"),
                }
            }
            other => panic!("unexpected type {other}"),
        }
    }

    /// What goes over the wire, as JSON to look into.
    fn sent(body: &Outbound) -> Value {
        serde_json::from_slice(&body.to_json()).unwrap()
    }

    fn sent_all(bodies: Vec<Outbound>) -> Vec<Value> {
        bodies.iter().map(sent).collect()
    }

    fn out(text: &str, choices: &[String], hint: Hint) -> Vec<Value> {
        let bodies = sent_all(outbound(SITI, text, choices, hint, || "Pilih layanan".to_owned()));
        bodies.iter().for_each(check_limits);
        bodies
    }

    fn labels(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The text the citizen reads, over all bodies.
    fn shown(bodies: &[Value]) -> Vec<String> {
        bodies
            .iter()
            .map(|b| match b["type"].as_str().unwrap() {
                "text" => b["text"]["body"].as_str().unwrap().to_owned(),
                _ => b["interactive"]["body"]["text"].as_str().unwrap().to_owned(),
            })
            .collect()
    }

    #[test]
    fn text_only() {
        let bodies = out("Tiket: *KTP-2026-000123*", &[], Hint::None);
        assert_eq!(
            bodies,
            vec![json!({
                "messaging_product": "whatsapp", "recipient_type": "individual",
                "to": SITI, "type": "text",
                "text": { "preview_url": false, "body": "Tiket: *KTP-2026-000123*" }
            })]
        );
        // Photo/Document/Contact hints have no WhatsApp button: the text says how.
        for hint in [Hint::Photo, Hint::Document, Hint::Contact] {
            assert_eq!(out("Kirim foto KTP", &[], hint).len(), 1);
        }
        assert!(out("", &[], Hint::None).is_empty());
        assert!(out(" \n\n ", &[], Hint::None).is_empty());
    }

    #[test]
    fn two_choices_become_buttons() {
        let bodies = out(
            "Pilih:\n1. KTP-el\n2. Kartu Keluarga",
            &labels(&["KTP-el", "Kartu Keluarga"]),
            Hint::Location,
        );
        assert_eq!(bodies.len(), 1);
        assert_eq!(
            bodies[0]["interactive"],
            json!({ "type": "button", "body": { "text": "Pilih:\n1. KTP-el\n2. Kartu Keluarga" },
                    "action": { "buttons": [
                        { "type": "reply", "reply": { "id": "c:1", "title": "KTP-el" } },
                        { "type": "reply", "reply": { "id": "c:2", "title": "Kartu Keluarga" } }
                    ] } })
        );
        // Labels that are the same (case aside) get their numbers.
        let bodies = out("Sama?", &labels(&["Ya", "ya", "Tidak"]), Hint::None);
        let titles: Vec<&str> = bodies[0]["interactive"]["action"]["buttons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["reply"]["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["1. Ya", "2. ya", "3. Tidak"]);
        // An empty label is shown as its number.
        let bodies = out("?", &labels(&["", "Batal"]), Hint::None);
        assert_eq!(bodies[0]["interactive"]["action"]["buttons"][0]["reply"]["title"], "1");
    }

    #[test]
    fn a_long_label_makes_a_list() {
        let label21 = "Surat Keterangan Usah"; // 21 chars
        assert_eq!(label21.chars().count(), 21);
        let bodies = out("Pilih:", &labels(&["KTP-el", label21]), Hint::None);
        assert_eq!(bodies.len(), 1);
        let i = &bodies[0]["interactive"];
        assert_eq!(i["type"], "list");
        assert_eq!(i["action"]["button"], "Pilih layanan");
        assert_eq!(
            i["action"]["sections"][0]["rows"],
            json!([{ "id": "c:1", "title": "KTP-el" }, { "id": "c:2", "title": label21 }])
        );
        // Over 24: cut title, full label (≤ 72) as description; cuts that collide are numbered.
        let long = [
            "Surat Keterangan Tidak Mampu untuk sekolah",
            "Surat Keterangan Tidak Mampu untuk rumah sakit",
            "Surat pengantar SKCK dari kelurahan dan kecamatan setempat untuk melamar pekerjaan di kota",
            "KK",
        ];
        let bodies = sent_all(outbound(SITI, "Pilih:", &labels(&long), Hint::None, || {
            "Daftar layanan desa kami".to_owned()
        }));
        bodies.iter().for_each(check_limits);
        let action = &bodies[0]["interactive"]["action"];
        assert_eq!(action["button"], "Daftar layanan desa…");
        let rows = action["sections"][0]["rows"].as_array().unwrap();
        assert_eq!(rows[0]["title"], "1. Surat Keterangan Tid…");
        assert_eq!(rows[1]["title"], "2. Surat Keterangan Tid…");
        assert_eq!(rows[0]["description"], long[0]);
        assert_eq!(rows[2]["description"].as_str().unwrap().chars().count(), 72);
        assert!(rows[2]["description"].as_str().unwrap().ends_with('…'));
        // The prefixed title of a short label still fits, and needs no description.
        assert_eq!(rows[3]["title"], "4. KK");
        assert!(rows[3].get("description").is_none());
        // Ten is still a list, with its ten rows.
        let ten: Vec<String> = (1..=10).map(|i| format!("Layanan nomor {i}")).collect();
        let bodies = out("Pilih:", &ten, Hint::None);
        assert_eq!(
            bodies[0]["interactive"]["action"]["sections"][0]["rows"].as_array().unwrap().len(),
            10
        );
        // An empty list button label still gets a label.
        let bodies = sent_all(outbound(SITI, "Pilih:", &ten, Hint::None, || " ".to_owned()));
        assert_eq!(bodies[0]["interactive"]["action"]["button"], "Menu");
    }

    #[test]
    fn eleven_choices_are_numbered_text_only() {
        let eleven: Vec<String> = (1..=11).map(|i| format!("Layanan {i}")).collect();
        let text: Vec<String> =
            eleven.iter().enumerate().map(|(i, l)| format!("{}. {l}", i + 1)).collect();
        let bodies = out(&text.join("\n"), &eleven, Hint::Location);
        assert_eq!(bodies.len(), 1);
        assert_eq!(bodies[0]["type"], "text");
        assert_eq!(bodies[0]["text"]["body"], text.join("\n"));
    }

    #[test]
    fn location_hint_asks_for_a_location() {
        let bodies = out("Bagikan lokasi Anda", &[], Hint::Location);
        assert_eq!(
            bodies,
            vec![json!({
                "messaging_product": "whatsapp", "recipient_type": "individual",
                "to": SITI, "type": "interactive",
                "interactive": { "type": "location_request_message",
                                 "body": { "text": "Bagikan lokasi Anda" },
                                 "action": { "name": "send_location" } }
            })]
        );
        // Empty text: a body is still required.
        let bodies = out("", &[], Hint::Location);
        assert_eq!(bodies[0]["interactive"]["body"]["text"], "📍");
        let bodies = out("", &labels(&["Ya", "Tidak"]), Hint::None);
        assert_eq!(bodies[0]["interactive"]["body"]["text"], "1. Ya\n2. Tidak");
    }

    /// 100 lines of 49 chars + '\n' = 5000 chars.
    fn long_text() -> String {
        let lines: Vec<String> = (0..100).map(|i| format!("{i:03} {}", "x".repeat(45))).collect();
        lines.join("\n")
    }

    #[test]
    fn long_text_is_split_on_lines() {
        let text = long_text();
        assert_eq!(text.chars().count(), 4999);
        let bodies = out(&text, &[], Hint::None);
        assert_eq!(bodies.len(), 2);
        assert!(bodies.iter().all(|b| b["type"] == "text"));
        // Nothing lost, nothing cut mid-line.
        assert_eq!(shown(&bodies).join("\n"), text);

        // A single 10000-char line is cut at spaces.
        let words = "kata ".repeat(2000);
        let bodies = out(&words, &[], Hint::None);
        assert_eq!(bodies.len(), 3);
        assert_eq!(shown(&bodies).concat(), words);

        // Emoji count two units each: 2048 of them fill one message exactly.
        let emoji = "🙏".repeat(2049);
        let pieces = split(&emoji, TEXT_LIMIT);
        assert_eq!(pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(), [2048, 1]);
    }

    #[test]
    fn long_text_with_buttons_and_location() {
        let text = long_text();
        // Buttons: the last piece (~900 chars) fits 1024 and becomes the body.
        let bodies = out(&text, &labels(&["Ya", "Tidak"]), Hint::None);
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[0]["type"], "text");
        assert_eq!(bodies[1]["interactive"]["type"], "button");
        assert_eq!(shown(&bodies).join("\n"), text);

        // A last piece over 1024: its last lines (≤ 1024) carry the buttons, the rest is text.
        let text = format!("{}\n{}", "a".repeat(4000), long_text());
        let bodies = out(&text, &labels(&["Ya", "Tidak"]), Hint::None);
        assert_eq!(bodies.last().unwrap()["interactive"]["type"], "button");
        assert!(bodies[..bodies.len() - 1].iter().all(|b| b["type"] == "text"));
        assert_eq!(shown(&bodies).join("\n"), text);

        // 30 lines of 49 chars (1499) with buttons: the first 10 lines go as text, the last
        // 20 (999) carry the buttons.
        let lines: Vec<String> = (0..30).map(|i| format!("{i:03} {}", "y".repeat(45))).collect();
        let bodies = out(&lines.join("\n"), &labels(&["Ya", "Tidak"]), Hint::None);
        assert_eq!(shown(&bodies), [lines[..10].join("\n"), lines[10..].join("\n")]);
        assert_eq!(bodies[1]["interactive"]["type"], "button");

        // A list's body may be up to 4096: the whole last piece goes with it.
        let five: Vec<String> = (1..=5).map(|i| format!("Pilihan {i}")).collect();
        let bodies = out(&text, &five, Hint::None);
        assert_eq!(bodies.len(), split(&text, TEXT_LIMIT).len());
        assert_eq!(bodies.last().unwrap()["interactive"]["type"], "list");
        assert_eq!(shown(&bodies).join("\n"), text);

        // A last line over 1024 on its own: its last chunk is the body.
        let line = "lokasi ".repeat(300);
        let bodies = out(&line, &[], Hint::Location);
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[1]["interactive"]["type"], "location_request_message");
        let shown = shown(&bodies);
        assert!(utf16_len(&shown[1]) > 512 && shown[1].starts_with("lokasi"), "{shown:?}");
        assert_eq!(shown.join(" "), line);
    }

    #[test]
    fn split_tail_edges() {
        assert_eq!(split_tail("ab\ncd\nef", 5), ("ab".into(), "cd\nef".into()));
        assert_eq!(split_tail("ab\ncd\nef", 2), ("ab\ncd".into(), "ef".into()));
        assert_eq!(split_tail("abcdef", 4), ("ab".into(), "cdef".into()));
        assert_eq!(split_tail("x\nabcdef", 4), ("x\nab".into(), "cdef".into()));
    }

    #[test]
    fn business_scoped_recipient() {
        let bodies = sent_all(outbound("ID.1502576394655843", "Halo", &[], Hint::None, || {
            "Pilih".to_owned()
        }));
        assert_eq!(bodies[0]["recipient"], "ID.1502576394655843");
        assert!(bodies[0].get("to").is_none());
        check_limits(&bodies[0]);
        let bodies =
            sent_all(outbound("+62812345678", "Halo", &[], Hint::None, || "Pilih".to_owned()));
        assert_eq!(bodies[0]["to"], SITI);
    }

    #[test]
    fn template_body() {
        let params = labels(&["Budi", "KTP-2026-000123", "Selesai\n\tdiambil     besok", " "]);
        assert_eq!(
            sent(&template(AGUS, "status_permohonan", "id", &params)),
            json!({
                "messaging_product": "whatsapp", "recipient_type": "individual",
                "to": AGUS, "type": "template",
                "template": { "name": "status_permohonan", "language": { "code": "id" },
                    "components": [{ "type": "body", "parameters": [
                        { "type": "text", "text": "Budi" },
                        { "type": "text", "text": "KTP-2026-000123" },
                        { "type": "text", "text": "Selesai diambil besok" },
                        { "type": "text", "text": "-" }
                    ] }] }
            })
        );
        let t = sent(&template(AGUS, "halo", "id", &[]));
        assert!(t["template"].get("components").is_none());
    }

    #[test]
    fn mark_read_body() {
        assert_eq!(
            serde_json::from_slice::<Value>(&mark_read("wamid.X")).unwrap(),
            json!({ "messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X",
                    "typing_indicator": { "type": "text" } })
        );
    }

    #[test]
    fn choice_ids_round_trip() {
        for i in 1..=10 {
            assert_eq!(choice_from_id(&choice_id(i - 1)), Some(i));
        }
        for bad in ["", "c:", "c:0", "c:+1", "c: 1", "c:1a", "1", "layanan_kk", "C:1"] {
            assert_eq!(choice_from_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn graph_errors() {
        if let Some(dir) = crate::channel::recorded::dir("whatsapp") {
            let dir = dir.join("graph_responses");
            for (file, code) in [
                ("error_100_invalid_parameter.json", 100),
                ("error_130429_rate_limit.json", 130429),
                ("error_131047_reengagement.json", 131047),
                ("error_131056_pair_rate_limit.json", 131056),
                ("error_190_token_expired.json", 190),
            ] {
                let body = std::fs::read(dir.join(file)).unwrap();
                let (got, message) = graph_error(&body).unwrap_or_else(|| panic!("{file}"));
                assert_eq!(got, code, "{file}");
                assert!(!message.is_empty(), "{file}");
            }
            for file in ["send_success.json", "send_success_template_accepted.json"] {
                assert_eq!(graph_error(&std::fs::read(dir.join(file)).unwrap()), None);
            }
        } else {
            eprintln!("note: ../shared/real-world/whatsapp absent; recorded Graph errors skipped");
        }
        assert_eq!(
            graph_error(br#"{"error":{"message":"(#130429) Rate limit hit","code":130429}}"#),
            Some((130429, "(#130429) Rate limit hit".to_owned()))
        );
        assert_eq!(graph_error(br#"{"error":{"code":"131056"}}"#), Some((131056, String::new())));
        for bad in [
            &b""[..],
            b"<html>",
            b"{}",
            br#"{"error":{"message":"x"}}"#,
            br#"{"error":{"code":-1}}"#,
        ] {
            assert_eq!(graph_error(bad), None);
        }
    }
}
