//! The citizens' web chat as a channel (`Channel::Web`): a chat is a random cookie id, a
//! message is a form post, and replies wait in the store until the page asks for them.
//!
//! A reply (or a status push) stays pending in the store until the page has shown it and says
//! so with its next request (`after`, the highest seq it holds); only then is it marked sent
//! and moved into the chat's transcript. The transcript, what the page shows above the
//! replies still pending, is kept in memory only, bounded, and dropped with `hapus data saya`:
//! after a restart the page shows what it had not yet received, never less.
//!
//! A page closed for good would leave its replies (a summary, a status push) in the store for
//! ever: replies no page has fetched for `session_ttl` (7 days by default, as long as a draft is
//! kept) are dropped. The ticket stays, and `status` finds it again.

use crate::channel::{Channel, ChatKey, MessageId, Wiring};
use crate::clock::{Clock, Timestamp};
use crate::convo::{Convo, ConvoError, Queued};
use crate::model::input::Input;
use crate::model::reply::{Hint, Outgoing, Piece};
use crate::outbox::push::{Delivered, Delivery};
use crate::script::catalogue::Catalogue;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

/// Lines of one chat's transcript kept for the page.
const MAX_LINES: usize = 60;
/// Chats whose transcript is kept; the least recently active goes first.
const MAX_CHATS: usize = 20_000;
/// Message ids remembered per chat, so that a re-posted form shows the citizen's line once.
const MAX_MIDS: usize = 32;
/// How often replies nobody fetched are looked for.
const UNREAD_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// The reply that says the chat's data is erased: the transcript goes with it.
const ERASED_KEY: &str = "forget-done";

/// One line of the conversation as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub from_citizen: bool,
    pub text: String,
}

/// What the page shows: the conversation so far, then the current choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    pub lines: Vec<Line>,
    /// The choices of the last reply, numbered from 1.
    pub choices: Vec<String>,
    /// What kind of input the last reply asks for (photo, document, location).
    pub hint: Hint,
    /// The highest reply seq shown: the page sends it back to acknowledge.
    pub after: u64,
}

#[derive(Default)]
struct Transcript {
    lines: VecDeque<Line>,
    choices: Vec<String>,
    hint: Hint,
    /// Replies up to this seq are in `lines` (their sent marks may not be committed yet).
    acked: u64,
    mids: VecDeque<String>,
    /// Last activity, for eviction.
    tick: u64,
}

impl Transcript {
    fn push(&mut self, line: Line) {
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }
}

#[derive(Default)]
struct Transcripts {
    chats: HashMap<String, Transcript>,
    tick: u64,
}

impl Transcripts {
    fn get(&mut self, id: &str) -> &mut Transcript {
        self.tick += 1;
        if !self.chats.contains_key(id) && self.chats.len() >= MAX_CHATS {
            let oldest = self.chats.iter().min_by_key(|(_, t)| t.tick).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.chats.remove(&k);
            }
        }
        let t = self.chats.entry(id.to_string()).or_default();
        t.tick = self.tick;
        t
    }
}

/// The running web channel; shared by the page handlers.
pub struct WebChat {
    convo: Convo,
    catalogue: watch::Receiver<Arc<Catalogue>>,
    data_dir: std::path::PathBuf,
    transcripts: Mutex<Transcripts>,
}

impl WebChat {
    /// Starts the channel: status pushes for web chats are stored as pending replies, for the
    /// page to fetch.
    pub fn start(core: &Wiring<'_>, data_dir: std::path::PathBuf) -> Arc<WebChat> {
        let stopping = core.tasks.stopping().clone();
        core.tasks.spawn(keep_pushes(
            core.convo.clone(),
            core.sinks.register(Channel::Web),
            stopping.clone(),
        ));
        core.tasks.spawn(drop_unread(
            core.convo.clone(),
            core.clock.clone(),
            core.desk.settings.session_ttl_secs,
            stopping,
        ));
        Arc::new(WebChat {
            convo: core.convo.clone(),
            catalogue: core.catalogue.clone(),
            data_dir,
            transcripts: Mutex::default(),
        })
    }

    /// Makes the engine's input for an uploaded file (its kind read from its content).
    pub fn attachment(
        &self,
        bytes: Vec<u8>,
        kind: crate::model::input::AttachmentKind,
    ) -> std::io::Result<Input> {
        crate::channel::attachment_input(&self.data_dir, bytes, kind)
    }

    /// Steps one message of chat `id` and returns once its replies are committed. `mid` is the
    /// form's message id: a form posted twice is stepped once. `shown` is the citizen's line
    /// in the transcript. `after` acknowledges the replies the page had shown.
    pub async fn post(
        &self,
        id: &str,
        mid: &str,
        input: Input,
        shown: String,
        after: u64,
    ) -> Result<(), ConvoError> {
        let chat = ChatKey::new(Channel::Web, id);
        self.acknowledge(&chat, after)?;
        {
            let mut all = self.transcripts();
            let t = all.get(id);
            if !t.mids.iter().any(|m| m == mid) {
                if t.mids.len() == MAX_MIDS {
                    t.mids.pop_front();
                }
                t.mids.push_back(mid.to_string());
                t.push(Line { from_citizen: true, text: shown });
            }
        }
        let msg = Some(MessageId(format!("web:{mid}")));
        let replies = self.convo.handle(chat, msg, input).await?;
        if replies.iter().any(|q| says_erased(&q.out)) {
            self.transcripts().chats.remove(id);
        }
        Ok(())
    }

    /// The page of chat `id`, after acknowledging the replies up to `after`.
    pub fn view(&self, id: &str, after: u64) -> Result<View, ConvoError> {
        let chat = ChatKey::new(Channel::Web, id);
        self.acknowledge(&chat, after)?;
        let fresh = self.fresh(id, after)?;
        let mut all = self.transcripts();
        let t = all.get(id);
        let mut view = View {
            lines: t.lines.iter().cloned().collect(),
            choices: t.choices.clone(),
            hint: t.hint,
            after: after.max(t.acked),
        };
        drop(all);
        view.extend(fresh);
        Ok(view)
    }

    /// Only the replies newer than `after` (the page's poll), after acknowledging those up to
    /// `after`.
    pub fn news(&self, id: &str, after: u64) -> Result<View, ConvoError> {
        let chat = ChatKey::new(Channel::Web, id);
        self.acknowledge(&chat, after)?;
        let mut view = View { after, ..View::default() };
        view.extend(self.fresh(id, after)?);
        Ok(view)
    }

    /// The chat's pending replies not yet in its transcript, rendered, with their seq.
    fn fresh(&self, id: &str, after: u64) -> Result<Vec<(u64, Rendered)>, ConvoError> {
        let chat = ChatKey::new(Channel::Web, id);
        let acked = self.transcripts().get(id).acked;
        let pending = self.convo.chat_pending_replies(&chat).map_err(|_| ConvoError::Store)?;
        Ok(pending
            .into_iter()
            .filter(|q| q.seq > acked.max(after))
            .map(|q| (q.seq, self.render(&q)))
            .collect())
    }

    /// Marks the chat's pending replies up to `after` as sent, keeping them in the transcript.
    fn acknowledge(&self, chat: &ChatKey, after: u64) -> Result<(), ConvoError> {
        let acked = self.transcripts().get(&chat.id).acked;
        if after <= acked {
            return Ok(());
        }
        let shown: Vec<Queued> = self
            .convo
            .chat_pending_replies(chat)
            .map_err(|_| ConvoError::Store)?
            .into_iter()
            .filter(|q| q.seq > acked && q.seq <= after)
            .collect();
        let seqs: Vec<u64> = shown.iter().map(|q| q.seq).collect();
        let rendered: Vec<(u64, Rendered)> =
            shown.iter().map(|q| (q.seq, self.render(q))).collect();
        {
            let mut all = self.transcripts();
            let t = all.get(&chat.id);
            // A request racing this one may have moved them already.
            let already = t.acked;
            for (_, r) in rendered.into_iter().filter(|(seq, _)| *seq > already) {
                t.push(Line { from_citizen: false, text: r.text });
                t.choices = r.choices;
                t.hint = r.hint;
            }
            t.acked = t.acked.max(after);
        }
        self.convo.mark_sent(chat, seqs);
        Ok(())
    }

    /// The transcripts are only what pages show: one left poisoned by a panic is still usable.
    fn transcripts(&self) -> std::sync::MutexGuard<'_, Transcripts> {
        self.transcripts.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn render(&self, q: &Queued) -> Rendered {
        let catalogue = self.catalogue.borrow();
        Rendered {
            text: catalogue.locales.render(q.out.lang, &q.out.reply),
            choices: catalogue.locales.choice_labels(q.out.lang, &q.out.reply),
            hint: q.out.reply.hint,
        }
    }
}

struct Rendered {
    text: String,
    choices: Vec<String>,
    hint: Hint,
}

impl View {
    fn extend(&mut self, fresh: Vec<(u64, Rendered)>) {
        for (seq, r) in fresh {
            self.lines.push(Line { from_citizen: false, text: r.text });
            self.choices = r.choices;
            self.hint = r.hint;
            self.after = self.after.max(seq);
        }
    }
}

fn says_erased(out: &Outgoing) -> bool {
    out.reply.body.iter().any(|p| matches!(p, Piece::Msg(m) if m.key == ERASED_KEY))
}

/// Takes the outbox's pushes for web chats: each is stored as a pending reply before the outbox
/// hears "delivered", so it waits, durably, for the page to ask.
/// A push still on its way when pintu stops is not acknowledged: the outbox offers it again.
async fn keep_pushes(
    convo: Convo,
    mut pushes: mpsc::Receiver<Delivery>,
    stopping: tokio_util::sync::CancellationToken,
) {
    loop {
        let Delivery { chat, out, ack } = tokio::select! {
            _ = stopping.cancelled() => return,
            push = pushes.recv() => match push {
                Some(push) => push,
                None => return,
            },
        };
        let answer = match convo.queue_reply(chat, out).await {
            Ok(_) => Delivered::Yes,
            Err(_) => Delivered::NotNow,
        };
        let _ = ack.send(answer);
    }
}

/// Drops the replies that no page fetched within `keep_secs` of pintu first seeing them
/// pending. Their age is counted in memory from this process's start, so a restart only
/// delays a drop, never hastens it.
async fn drop_unread(
    convo: Convo,
    clock: Arc<dyn Clock>,
    keep_secs: i64,
    stopping: tokio_util::sync::CancellationToken,
) {
    let mut first_seen = HashMap::new();
    let mut every = tokio::time::interval(UNREAD_SWEEP_EVERY);
    loop {
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = every.tick() => {}
        }
        let reader = convo.clone();
        let Ok(Ok(pending)) =
            tokio::task::spawn_blocking(move || reader.pending_replies(Channel::Web)).await
        else {
            continue; // the store is unreadable now: the next sweep tries again
        };
        let pending = pending.into_iter().map(|(chat, q)| (chat, q.seq));
        for (chat, seqs) in unread_too_long(&mut first_seen, pending, clock.now(), keep_secs) {
            convo.mark_sent(&chat, seqs);
        }
    }
}

/// Updates when each pending reply was first seen (forgetting those no longer pending) and
/// returns, per chat, those pending for `keep_secs` or longer.
fn unread_too_long(
    first_seen: &mut HashMap<(ChatKey, u64), Timestamp>,
    pending: impl Iterator<Item = (ChatKey, u64)>,
    now: Timestamp,
    keep_secs: i64,
) -> HashMap<ChatKey, Vec<u64>> {
    let pending: HashSet<(ChatKey, u64)> = pending.collect();
    first_seen.retain(|reply, _| pending.contains(reply));
    let mut expired: HashMap<ChatKey, Vec<u64>> = HashMap::new();
    for reply in pending {
        let since = *first_seen.entry(reply.clone()).or_insert(now);
        if now.0 - since.0 >= keep_secs {
            first_seen.remove(&reply);
            expired.entry(reply.0).or_default().push(reply.1);
        }
    }
    expired
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_nobody_fetched_go_after_the_keep_time_counted_from_first_sight() {
        let a = ChatKey::new(Channel::Web, "a");
        let b = ChatKey::new(Channel::Web, "b");
        let mut seen = HashMap::new();
        let day = 86_400;
        let at = |d: i64| Timestamp(1_800_000_000 + d * day);
        let both = || [(a.clone(), 1), (a.clone(), 2), (b.clone(), 1)].into_iter();
        assert!(unread_too_long(&mut seen, both(), at(0), 7 * day).is_empty());
        // b's reply was fetched on day 3; a new one for b appears on day 5.
        let later = || [(a.clone(), 1), (a.clone(), 2), (b.clone(), 2)].into_iter();
        assert!(unread_too_long(&mut seen, later(), at(5), 7 * day).is_empty());
        let mut gone = unread_too_long(&mut seen, later(), at(7), 7 * day);
        gone.get_mut(&a).unwrap().sort();
        assert_eq!(gone, HashMap::from([(a.clone(), vec![1, 2])]));
        assert_eq!(seen.len(), 1, "only b's reply is still counted");
        let gone = unread_too_long(&mut seen, [(b.clone(), 2)].into_iter(), at(12), 7 * day);
        assert_eq!(gone, HashMap::from([(b, vec![2])]));
        assert!(seen.is_empty());
    }
}
