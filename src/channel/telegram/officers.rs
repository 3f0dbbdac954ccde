//! Officers' groups: each new ticket of an OPD is posted to its group (personal numbers masked)
//! with buttons to move its status. Only that OPD's listed officers may press them; a status
//! that needs a note asks for it as a reply. Changes go through the same desk as the API, so
//! the citizen gets the same push.

use crate::channel::ChatKey;
use crate::config::OfficerGroup;
use crate::desk::{Desk, DeskError};
use crate::model::reply::Msg;
use crate::model::session::{Lang, Value};
use crate::model::ticket::{Actor, Ticket};
use crate::model::{Status, TicketNo};
use crate::outbox::push::{Delivered, Notice};
use crate::script::catalogue::Catalogue;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use teloxide::prelude::*;
use teloxide::sugar::request::RequestReplyExt;
use teloxide::types::{
    CallbackQueryId, ChatId, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, MessageId,
};
use tokio::sync::{mpsc, watch};

/// The statuses officers can set with one tap.
const BUTTONS: [Status; 4] =
    [Status::Diproses, Status::PerluPerbaikan, Status::Selesai, Status::Ditolak];

/// A note prompt's ticket, wanted status and the officer who pressed.
type NoteFor = (TicketNo, Status, u64);

pub(crate) struct Officers {
    bot: Bot,
    groups: BTreeMap<String, OfficerGroup>,
    desk: Desk,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    /// Note prompts waiting for a reply, by (group, prompt message).
    notes: Mutex<HashMap<(i64, i32), NoteFor>>,
}

impl Officers {
    pub(crate) fn new(
        bot: Bot,
        groups: BTreeMap<String, OfficerGroup>,
        desk: Desk,
        catalogue: watch::Receiver<Arc<Catalogue>>,
    ) -> Self {
        Self { bot, groups, desk, catalogue, notes: Mutex::default() }
    }

    fn text(&self, msg: Msg) -> String {
        self.catalogue.borrow().locales.text(Lang::Id, &msg)
    }

    /// Posts each new ticket to its OPD's group.
    pub(crate) async fn run(self: Arc<Self>, mut notices: mpsc::Receiver<Notice>) {
        while let Some(Notice { ticket, ack }) = notices.recv().await {
            let Some(group) = self.groups.get(&ticket.opd) else {
                let _ = ack.send(Delivered::Yes);
                continue;
            };
            let buttons = BUTTONS.iter().map(|s| {
                let label = self.text(Msg::new(s.label_key()));
                [InlineKeyboardButton::callback(
                    label,
                    format!("s:{}:{}", s.code(), ticket.no.as_str()),
                )]
            });
            let markup = InlineKeyboardMarkup::new(buttons);
            let sent = self
                .bot
                .send_message(ChatId(group.chat_id), self.summary(&ticket))
                .reply_markup(markup)
                .await;
            let outcome = match sent {
                Ok(_) => Delivered::Yes,
                Err(teloxide::RequestError::Api(e)) => {
                    Delivered::Never(format!("officers' group refused: {e}"))
                }
                Err(_) => Delivered::NotNow,
            };
            let _ = ack.send(outcome);
        }
    }

    /// The ticket for officers: every answer, with NIK, KK and phone numbers masked.
    fn summary(&self, t: &Ticket) -> String {
        let cat = self.catalogue.borrow().clone();
        let script = cat.script(&t.script).filter(|s| s.version == t.version);
        let mut lines = vec![
            self.text(
                Msg::new("officer-new-ticket")
                    .arg("tiket", t.no.to_string())
                    .arg("layanan", Msg::new(format!("{}-title", t.script))),
            ),
        ];
        for (step, value) in &t.answers {
            let label = script
                .and_then(|s| {
                    s.step_index(step)
                        .and_then(|i| s.step(i))
                        .map(|st| format!("{}.label", s.prompt_key(st)))
                })
                .filter(|k| cat.locales.has(Lang::Id, k))
                .map_or_else(|| step.clone(), |k| cat.locales.text(Lang::Id, &Msg::new(k)));
            let shown = match value {
                Value::Text(v) if v.len() == 16 && v.chars().all(|c| c.is_ascii_digit()) => {
                    crate::validate::mask_nik(v)
                }
                Value::Text(v) if v.starts_with('+') => crate::validate::mask_phone(v),
                Value::Text(v) if v.contains('@') => crate::validate::mask_email(v),
                Value::Text(v) => v.clone(),
                Value::Number(n) => n.to_string(),
                Value::Date(jd) => crate::locale::format_date(Lang::Id, *jd),
                Value::Choice(i) => script
                    .and_then(|s| s.step_index(step).and_then(|x| s.step(x)).map(|st| (s, st)))
                    .and_then(|(s, st)| match &st.kind {
                        crate::script::StepKind::Choice(opts) => opts
                            .get(usize::from(*i))
                            .map(|o| cat.locales.text(Lang::Id, &Msg::new(s.option_key(st, o)))),
                        _ => None,
                    })
                    .unwrap_or_else(|| i.to_string()),
                Value::Yes(b) => self.text(Msg::new(if *b { "answer-yes" } else { "answer-no" })),
                Value::File(_) => self.text(Msg::new("answer-file")),
                Value::Location { lat, lon } => format!("{lat:.5}, {lon:.5}"),
                Value::Skipped => "-".into(),
            };
            lines.push(format!("{label}: {shown}"));
        }
        lines.join("\n")
    }

    fn group_of(&self, chat_id: i64) -> Option<(&String, &OfficerGroup)> {
        self.groups.iter().find(|(_, g)| g.chat_id == chat_id)
    }

    /// A button press in a group.
    pub(crate) async fn press(&self, chat: &ChatKey, from: u64, query_id: String, data: &str) {
        let query = CallbackQueryId(query_id);
        let parsed = data
            .strip_prefix("s:")
            .and_then(|r| r.split_once(':'))
            .and_then(|(code, no)| Some((Status::parse(code)?, TicketNo::parse(no, &[]).ok()?)));
        let chat_id = chat.id.parse::<i64>().unwrap_or(0);
        let allowed = self.group_of(chat_id).filter(|(_, g)| g.users.contains(&from));
        let (Some((to, no)), Some((opd, _))) = (parsed, allowed) else {
            let _ = self
                .bot
                .answer_callback_query(query)
                .text(self.text(Msg::new("officer-denied")))
                .show_alert(true)
                .await;
            return;
        };
        let actor = Actor::Officer(format!("tg:{from}"));
        match self.desk.change(no, to, None, actor, Some(opd)).await {
            Ok(_) => {
                let done = self.text(
                    Msg::new("officer-done")
                        .arg("tiket", no.to_string())
                        .arg("status", Msg::new(to.label_key())),
                );
                let _ = self.bot.answer_callback_query(query).text(done.clone()).await;
                let _ = self.bot.send_message(ChatId(chat_id), done).await;
            }
            Err(DeskError::Refused(crate::ticket::change::ChangeError::NoteRequired(_))) => {
                let _ = self.bot.answer_callback_query(query).await;
                let ask = self.text(
                    Msg::new("officer-note-ask")
                        .arg("tiket", no.to_string())
                        .arg("status", Msg::new(to.label_key())),
                );
                if let Ok(m) = self
                    .bot
                    .send_message(ChatId(chat_id), ask)
                    .reply_markup(ForceReply::new().selective())
                    .await
                    && let Ok(mut notes) = self.notes.lock()
                {
                    notes.insert((chat_id, m.id.0), (no, to, from));
                }
            }
            Err(e) => {
                let refused = self.text(
                    Msg::new("officer-refused")
                        .arg("tiket", no.to_string())
                        .arg("alasan", e.to_string()),
                );
                let _ = self.bot.answer_callback_query(query).text(refused).show_alert(true).await;
            }
        }
    }

    /// An officer's reply to a note prompt.
    pub(crate) async fn reply(&self, chat: &ChatKey, from: u64, text: String, reply_to: i32) {
        let chat_id = chat.id.parse::<i64>().unwrap_or(0);
        let waiting = self.notes.lock().ok().and_then(|mut n| n.remove(&(chat_id, reply_to)));
        let Some((no, to, asked)) = waiting else { return };
        let Some((opd, group)) = self.group_of(chat_id) else { return };
        if from != asked && !group.users.contains(&from) {
            return;
        }
        let actor = Actor::Officer(format!("tg:{from}"));
        let answer = match self.desk.change(no, to, Some(&text), actor, Some(opd)).await {
            Ok(_) => self.text(
                Msg::new("officer-done")
                    .arg("tiket", no.to_string())
                    .arg("status", Msg::new(to.label_key())),
            ),
            Err(e) => self.text(
                Msg::new("officer-refused")
                    .arg("tiket", no.to_string())
                    .arg("alasan", e.to_string()),
            ),
        };
        let _ = self.bot.send_message(ChatId(chat_id), answer).reply_to(MessageId(reply_to)).await;
    }
}
