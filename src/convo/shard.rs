//! One shard: steps its chats' messages in arrival order, resolves effects that need the store
//! or randomness, and commits each round as one batch before releasing any reply.

use super::{ConvoError, Inbound, Queued, Shared};
use crate::clock::Now;
use crate::commit::Committer;
use crate::engine::{self, Ctx, Draft, Effect, StatusQuery};
use crate::fast_hash::{HashMap, HashSet};
use crate::model::input::Upload;
use crate::model::outbox::{Job, OutboxEntry, OutboxOp};
use crate::model::reply::{Msg, Outgoing, Reply};
use crate::model::session::Session;
use crate::model::ticket::{Actor, Change, FollowUp, Ticket};
use crate::model::{ChatKey, MessageId};
use crate::model::{Status, TicketNo};
use crate::script::catalogue::{Catalogue, Pinned};
use crate::store::ReplyOp;
use crate::store::{Batch, Seen, StoreError};
use crate::ticket::change::{ChangeCtx, change_status, new_entry_id};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use tokio::sync::mpsc;

/// What a shard remembers between rounds.
#[derive(Default)]
struct ShardState {
    /// The store is shared with other instances (`Store::shared`): sessions are read fenced in
    /// every round and never cached, since another instance may step the chat meanwhile.
    fenced: bool,
    /// Committed sessions, shared with nothing once their commit is done (see `run`).
    sessions: HashMap<ChatKey, Arc<Session>>,
    /// Old script versions that sessions are still pinned to, compiled from the store.
    pinned: HashMap<(String, u32), Pinned>,
    /// Script versions known to be stored already.
    stored: HashSet<(String, u32)>,
}

/// Writes and replies of one round, before the commit.
#[derive(Default)]
struct Round {
    batch: Batch,
    /// Chats whose session is erased in this round.
    forgotten: HashSet<ChatKey>,
    /// Attachment files of erased drafts and tickets, deleted before the round is committed.
    doomed_files: Vec<String>,
    /// Attachments kept by this round's steps, written just before its commit.
    uploads: Vec<Upload>,
    sessions: HashMap<ChatKey, Session>,
    /// Hashes of the platform messages stepped in this round: its dedupe markers.
    seen: Vec<u64>,
    tickets: HashMap<TicketNo, Ticket>,
    /// When fenced: the step version each chat was read at, first read of the round.
    fences: HashMap<ChatKey, u64>,
}

pub(crate) async fn run(
    shared: Arc<Shared>,
    committer: Committer,
    mut rx: mpsc::Receiver<Inbound>,
) {
    let mut state = ShardState { fenced: shared.store.shared(), ..ShardState::default() };
    let max = shared.config.batch_max.max(1);
    let mut buf = Vec::with_capacity(max);
    while rx.recv_many(&mut buf, max).await > 0 {
        let catalogue = shared.catalogue.borrow().clone();
        let mut round = Round::default();
        let mut waiting = Vec::with_capacity(buf.len());
        for inbound in buf.drain(..) {
            let Inbound { chat, msg, input, done } = inbound;
            match step_one(&shared, &catalogue, &mut state, &mut round, &chat, msg, input) {
                Ok(out) => waiting.push((done, out)),
                Err(e) => {
                    tracing::error!(error = %e, "store read failed; message left for redelivery");
                    let _ = done.send(Err(ConvoError::Store));
                }
            }
        }
        let Round {
            mut batch, mut sessions, forgotten, doomed_files, uploads, seen, fences, ..
        } = round;
        batch.fences.extend(fences);
        if !seen.is_empty() {
            batch.seen.push(Seen { at: shared.clock.now(), hashes: seen.clone() });
        }
        for chat in &forgotten {
            sessions.remove(chat);
            state.sessions.remove(chat);
            batch.sessions.push((chat.clone(), None));
        }
        // Shared with the batch, not copied into it: the committer drops the batch's sessions
        // before it answers, so the chat's next step takes its session back without a copy.
        let sessions: Vec<(ChatKey, Arc<Session>)> =
            sessions.into_iter().map(|(c, s)| (c, Arc::new(s))).collect();
        batch.sessions.extend(sessions.iter().map(|(c, s)| (c.clone(), Some(s.clone()))));
        let scripts: Vec<(String, u32)> =
            batch.scripts.iter().map(|(i, v, _)| (i.clone(), *v)).collect();
        // The rest of an erasure is the commit itself: it destroys the keys of the session and
        // of the anonymised tickets (see `store::sled`). Kept uploads are written first: a
        // committed record never points at a file that is not on disk.
        let files_gone = erase_files(&shared.config.data_dir, &doomed_files);
        let ok = files_gone
            && write_uploads(uploads).await
            && (batch.is_empty() || committer.commit(batch).await);
        shared.config.metrics.round(ok);
        // The round's chats left the cache when stepped (`step_one`): after a failed commit
        // they stay out, and are read from the store again.
        if ok {
            shared.dedupe.insert(&seen);
            if state.sessions.len() + sessions.len() > shared.config.cache_per_shard {
                // Crude but bounded: forget everything cached; sessions reload from the store.
                state.sessions.clear();
            }
            if !state.fenced {
                state.sessions.extend(sessions);
            }
            state.stored.extend(scripts);
        }
        for (done, out) in waiting {
            let _ = done.send(if ok { Ok(out) } else { Err(ConvoError::Store) });
        }
    }
}

fn step_one(
    shared: &Shared,
    catalogue: &Arc<Catalogue>,
    state: &mut ShardState,
    round: &mut Round,
    chat: &ChatKey,
    msg: Option<MessageId>,
    input: crate::model::input::Input,
) -> Result<Vec<Queued>, StoreError> {
    let metrics = &shared.config.metrics;
    // The cached copy is taken, not cloned: the round's result replaces it once committed, and
    // a chat that returns early or whose commit fails is only read from the store next time.
    // The round's own copy must stay: it is what this round will commit.
    let cached = || state.sessions.remove(chat).map(Arc::unwrap_or_clone);
    let session = match round.sessions.get(chat).cloned().or_else(cached) {
        Some(s) => Some(s),
        None if state.fenced => {
            let (session, version) = shared.store.load_session_fenced(chat)?;
            round.fences.entry(chat.clone()).or_insert(version);
            session
        }
        None => shared.store.load_session(chat)?,
    };
    // A draft reminder is pintu's own: a chat without a session (erased meanwhile) gets
    // nothing, and none is created for it.
    let reminder = matches!(input, crate::model::input::Input::DraftReminder { .. });
    if reminder && session.is_none() {
        return Ok(Vec::new());
    }
    let hash = msg.as_ref().map(MessageId::hash);
    if let Some(h) = hash {
        // Sessions of format 2 still carry the hashes they kept before markers did.
        let kept = session.as_ref().is_some_and(|s| s.recent.contains(&h));
        // Another instance may have stepped it: asked after the fenced read (see
        // `store::postgres`), so a step committed before that read is found here.
        let here = round.seen.contains(&h) || shared.dedupe.contains(h) || kept;
        if here || (state.fenced && shared.store.stepped(h)?) {
            tracing::debug!("duplicate delivery: not stepped again");
            metrics.message_in(chat.channel, true);
            return still_pending(shared, round, chat);
        }
    }
    if !reminder {
        metrics.message_in(chat.channel, false);
    }
    let started = std::time::Instant::now();
    let pinned = resolve_pinned(shared, catalogue, state, session.as_ref())?;
    let now = Now::new(shared.clock.now(), shared.config.offset);
    let ctx = Ctx {
        catalogue,
        pinned: pinned.as_ref().map(|p| &p.script),
        settings: &shared.settings,
        now,
    };
    let upload = match &input {
        crate::model::input::Input::Attachment(a) => Some((a.file.path.clone(), a.upload.clone())),
        _ => None,
    };
    let step = engine::step(&ctx, session.as_ref(), input);
    if reminder && step.replies.is_empty() {
        return Ok(Vec::new()); // not due any more: nothing changed
    }
    funnel(metrics, catalogue, session.as_ref(), &step);
    // What a format-2 session kept becomes markers of this round, good for another window.
    round.seen.extend(session.iter().flat_map(|s| &s.recent));
    let before = session;
    let mut session = step.session;
    session.recent = Vec::new();
    let lang = session.lang;
    let mut replies = step.replies;
    if let Some(p) = &pinned {
        // Render now with the texts this version was written with; the live texts may have
        // lost or changed its messages.
        for r in &mut replies {
            r.for_each_msg_mut(|m| *m = Msg::literal(p.locales.text(lang, m)));
        }
    }
    // Insert effect replies from the back so earlier positions stay valid.
    for effect in step.effects.into_iter().rev() {
        match effect {
            Effect::Pin { script, version } => {
                pin(shared, catalogue, state, round, script, version)?
            }
            Effect::ShowStatus { query, at } => {
                let r = status(shared, round, chat, &query)?;
                replies.insert(at.min(replies.len()), r);
            }
            Effect::Submit { draft, at } => {
                let r = submit(shared, round, chat, lang, draft, now)?;
                replies.insert(at.min(replies.len()), r);
            }
            Effect::BeginCorrection { ticket, at } => {
                let t = current_ticket(shared, round, &ticket)?;
                let r = engine::status::begin_correction(&mut session, ticket, t.as_ref(), chat);
                replies.insert(at.min(replies.len()), r);
            }
            Effect::ShowMyData { at } => {
                let mut tickets = shared.store.tickets_of(chat)?;
                tickets.extend(round.tickets.values().filter(|t| &t.chat == chat).cloned());
                replies.insert(at.min(replies.len()), engine::status::my_data(&session, &tickets));
            }
            Effect::Forget { at } => {
                let r = forget(shared, round, chat, before.as_ref(), now)?;
                replies.insert(at.min(replies.len()), r);
            }
            Effect::Correct { ticket, value, at } => {
                let r = correct(shared, round, chat, ticket, value, now)?;
                replies.insert(at.min(replies.len()), r);
            }
        }
    }
    round.seen.extend(hash);
    if let Some((path, upload)) = upload {
        // Written only if what this round commits refers to it: the draft's answer, or a
        // ticket (a correction, a submission). A refused file never reaches the disk.
        let kept = session.files().any(|f| f.path == path)
            || round.batch.tickets.iter().any(|t| t.files().any(|f| f.path == path));
        if kept {
            round.uploads.push(upload);
        }
    }
    round.sessions.insert(chat.clone(), session);
    metrics.step_time(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    metrics.replies_out(chat.channel, replies.len());
    let queued: Vec<Queued> = replies
        .into_iter()
        .map(|reply| {
            let seq = shared.reply_seq.fetch_add(1, Ordering::Relaxed);
            let out = Arc::new(Outgoing { lang, reply });
            round.batch.replies.push(ReplyOp::Pending {
                chat: chat.clone(),
                seq,
                out: out.clone(),
            });
            Queued { seq, out }
        })
        .collect();
    Ok(queued)
}

/// What a redelivered message gets instead of a step: the chat's replies still pending. The
/// first delivery's replies may never have reached the sender (its caller went away after the
/// commit) or may be waiting for the platform; the sender skips those it already has.
/// The chat's replies not yet sent, for a duplicate delivery to hand back: those in the store,
/// and those of this round (a redelivery that arrives before the original is committed must not
/// depend on the original's caller to send them). The channel drops any it holds already.
fn still_pending(
    shared: &Shared,
    round: &Round,
    chat: &ChatKey,
) -> Result<Vec<Queued>, StoreError> {
    let mut pending: Vec<Queued> = shared
        .store
        .chat_pending_replies(chat)?
        .into_iter()
        .map(|(seq, out)| Queued { seq, out: out.into() })
        .collect();
    pending.extend(round.batch.replies.iter().filter_map(|op| match op {
        ReplyOp::Pending { chat: c, seq, out } if c == chat => {
            Some(Queued { seq: *seq, out: out.clone() })
        }
        _ => None,
    }));
    pending.sort_by_key(|q| q.seq);
    Ok(pending)
}

/// Counts dialogs started, completed, and abandoned (with the step the citizen left at).
fn funnel(
    metrics: &crate::metrics::Metrics,
    catalogue: &Catalogue,
    before: Option<&Session>,
    step: &engine::Step,
) {
    use crate::metrics::Funnel;
    let mut completed = None;
    for e in &step.effects {
        match e {
            Effect::Pin { script, .. } => metrics.funnel(script, Funnel::Started, ""),
            Effect::Submit { draft, .. } => {
                metrics.funnel(&draft.script.id, Funnel::Completed, "");
                completed = Some(draft.script.id.to_string());
            }
            _ => {}
        }
    }
    let Some(old) = before.and_then(|s| s.flow.as_ref()) else { return };
    let same_dialog = step
        .session
        .flow
        .as_ref()
        .is_some_and(|f| f.script == old.script && f.started == old.started);
    let finished = completed.as_deref() == Some(old.script.as_str());
    if !same_dialog && !finished {
        let step_id = catalogue
            .script(&old.script)
            .filter(|s| s.version == old.version)
            .and_then(|s| s.step(old.at).map(|st| st.id.to_string()))
            .unwrap_or_else(|| old.at.to_string());
        metrics.funnel(&old.script, Funnel::Abandoned, &step_id);
    }
}

/// The script version a session is pinned to, when it is no longer the current one.
fn resolve_pinned(
    shared: &Shared,
    catalogue: &Catalogue,
    state: &mut ShardState,
    session: Option<&Session>,
) -> Result<Option<Pinned>, StoreError> {
    let Some(flow) = session.and_then(|s| s.flow.as_ref()) else {
        return Ok(None);
    };
    if catalogue.script(&flow.script).is_some_and(|s| s.version == flow.version) {
        return Ok(None);
    }
    let key = (flow.script.clone(), flow.version);
    if let Some(s) = state.pinned.get(&key) {
        return Ok(Some(s.clone()));
    }
    let Some(source) = shared.store.script_source(&flow.script, flow.version)? else {
        return Ok(None);
    };
    let compiled = catalogue.compile_pinned(&flow.script, &source);
    if let Some(s) = &compiled {
        state.pinned.insert(key, s.clone());
    }
    Ok(compiled)
}

/// Stores a script version's source the first time a session starts on it.
fn pin(
    shared: &Shared,
    catalogue: &Catalogue,
    state: &mut ShardState,
    round: &mut Round,
    script: String,
    version: u32,
) -> Result<(), StoreError> {
    let key = (script, version);
    if state.stored.contains(&key)
        || round.batch.scripts.iter().any(|(i, v, _)| (i, v) == (&key.0, &key.1))
    {
        return Ok(());
    }
    if shared.store.script_source(&key.0, key.1)?.is_some() {
        state.stored.insert(key);
        return Ok(());
    }
    if let Some(s) = catalogue.script(&key.0).filter(|s| s.version == key.1) {
        let record = catalogue.pinned_record(s);
        round.batch.scripts.push((key.0, key.1, record));
    }
    Ok(())
}

/// `hapus data saya`: the session goes, closed tickets lose everything personal, open ones are
/// kept until they are finished (the retention job erases them later).
fn forget(
    shared: &Shared,
    round: &mut Round,
    chat: &ChatKey,
    draft: Option<&Session>,
    now: Now,
) -> Result<Reply, StoreError> {
    // The draft's own attachments go with it (a ticket's are kept while it is open).
    round.doomed_files.extend(draft.into_iter().flat_map(Session::files).map(|f| f.path.clone()));
    let mut tickets = shared.store.tickets_of(chat)?;
    tickets.extend(round.tickets.values().filter(|t| &t.chat == chat).cloned());
    let mut open = 0i64;
    let mut erased = 0;
    for mut t in tickets {
        if !t.status.is_terminal() {
            open += 1;
            continue;
        }
        round.doomed_files.extend(t.erase_personal());
        erased += 1;
        round.batch.tickets.push(t.clone());
        round.tickets.insert(t.no, t);
    }
    round.forgotten.insert(chat.clone());
    let detail = format!("session erased, {erased} closed tickets anonymised, {open} open kept");
    round.batch.audit.push(crate::audit::AuditEvent::new(now.at, "citizen", "erase", "", detail));
    tracing::info!(erased, open, "a citizen erased their data");
    Ok(Reply::msg(Msg::new("forget-done").arg("terbuka", open)))
}

/// Writes the round's kept attachments; false (the round is not committed, its messages are
/// redelivered) if one cannot be written.
async fn write_uploads(uploads: Vec<Upload>) -> bool {
    if uploads.is_empty() {
        return true;
    }
    let written =
        tokio::task::spawn_blocking(move || uploads.iter().try_for_each(crate::attachments::write))
            .await;
    match written {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "an attachment could not be written; messages left for redelivery");
            false
        }
        Err(e) => {
            tracing::error!(error = %e, "writing attachments stopped");
            false
        }
    }
}

/// Deletes erased tickets' attachments; false (the round fails and is redelivered) if one
/// could not be deleted, so no erasure is acknowledged with a file left behind.
fn erase_files(data_dir: &Option<std::path::PathBuf>, files: &[String]) -> bool {
    let Some(dir) = data_dir.as_ref().filter(|_| !files.is_empty()) else { return true };
    match crate::private_fs::remove_attachments(dir, files) {
        Ok(()) => true,
        Err(e) => {
            tracing::error!(error = %e, "erased attachments could not be deleted");
            false
        }
    }
}

/// A ticket as this round sees it (written earlier in the round, or stored).
fn current_ticket(
    shared: &Shared,
    round: &Round,
    no: &TicketNo,
) -> Result<Option<Ticket>, StoreError> {
    match round.tickets.get(no) {
        Some(t) => Ok(Some(t.clone())),
        None => shared.store.ticket(no),
    }
}

/// The citizen's correction: kept with the ticket, sent to the agency as a new revision, and
/// the ticket goes back to verification with its service time restarted.
fn correct(
    shared: &Shared,
    round: &mut Round,
    chat: &ChatKey,
    no: TicketNo,
    value: crate::model::session::Value,
    now: Now,
) -> Result<Reply, StoreError> {
    let Some(t) = current_ticket(shared, round, &no)?.filter(|t| &t.chat == chat) else {
        return Ok(engine::status::not_found(&no.to_string()));
    };
    let sla_days = shared.catalogue.borrow().script(&t.script).map_or(0, |s| s.sla_days);
    let ctx = ChangeCtx { now, calendar: &shared.settings.calendar, sla_days, push_id: 0 };
    let note = Some("perbaikan dikirim warga");
    // The citizen is in the chat and gets a direct answer: the push is not needed.
    let Ok((mut fixed, _push)) = change_status(&t, Status::Diverifikasi, note, Actor::System, &ctx)
    else {
        let status = Msg::new(t.status.label_key());
        return Ok(Reply::msg(
            Msg::new("fix-not-needed").arg("tiket", no.to_string()).arg("status", status),
        ));
    };
    fixed.followup.corrections += 1;
    let revision = fixed.followup.corrections;
    fixed.answers.push((format!("perbaikan_{revision}"), value));
    if shared.config.routes.forwards(&fixed.opd) {
        round.batch.outbox.push(OutboxOp::Put(OutboxEntry {
            id: new_entry_id(),
            job: Job::Forward { ticket: no, revision },
            due: now.at,
            attempts: 0,
            created: now.at,
            last_error: None,
        }));
    }
    tracing::info!(ticket = %no, revision, "correction received");
    round.batch.tickets.push(fixed.clone());
    round.tickets.insert(no, fixed);
    Ok(Reply::msg(Msg::new("fix-received").arg("tiket", no.to_string())))
}

fn status(
    shared: &Shared,
    round: &Round,
    chat: &ChatKey,
    query: &StatusQuery,
) -> Result<Reply, StoreError> {
    Ok(match query {
        StatusQuery::One(no) => {
            let ticket = match round.tickets.get(no) {
                Some(t) => Some(t.clone()),
                None => shared.store.ticket(no)?,
            };
            match ticket {
                Some(t) => engine::status::one(&t, &t.chat == chat),
                None => engine::status::not_found(&no.to_string()),
            }
        }
        StatusQuery::Mine => {
            let mut tickets = shared.store.tickets_of(chat)?;
            tickets.extend(round.tickets.values().filter(|t| &t.chat == chat).cloned());
            engine::status::mine(&tickets)
        }
    })
}

/// Gives the draft a fresh random number and a due date, and adds the ticket to the round.
fn submit(
    shared: &Shared,
    round: &mut Round,
    chat: &ChatKey,
    lang: crate::model::session::Lang,
    draft: Draft,
    now: Now,
) -> Result<Reply, StoreError> {
    let no = loop {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Io(format!("no randomness: {e}")))?;
        let no = TicketNo::from_random(bytes);
        // 31^7 numbers make a collision rare, but a repeated number would leak another
        // citizen's ticket: retry until unused.
        if !round.tickets.contains_key(&no) && shared.store.ticket(&no)?.is_none() {
            break no;
        }
    };
    let script = draft.script;
    let due = (script.sla_days > 0).then(|| {
        shared.settings.calendar.add_working_days(now.today(), script.sla_days).to_julian_day()
    });
    let ticket = Ticket {
        no,
        script: script.id.to_string(),
        version: script.version,
        opd: script.opd.to_string(),
        chat: chat.clone(),
        lang,
        answers: draft.answers,
        status: Status::Diterima,
        history: vec![Change {
            at: now.at,
            status: Status::Diterima,
            actor: Actor::Citizen,
            note: None,
        }],
        created: now.at,
        due,
        followup: FollowUp::default(),
    };
    tracing::info!(ticket = %no, script = %script.id, opd = %script.opd, "ticket submitted");
    let reply = engine::status::submitted(&script, &ticket);
    // Written with the ticket, in the same commit: the agency gets it even if pintu dies now.
    let routes = &shared.config.routes;
    let forward = routes.forwards(&ticket.opd).then_some(Job::Forward { ticket: no, revision: 0 });
    let notify = routes.notifies(&ticket.opd).then_some(Job::Notify { ticket: no });
    for job in forward.into_iter().chain(notify) {
        round.batch.outbox.push(OutboxOp::Put(OutboxEntry {
            id: new_entry_id(),
            job,
            due: now.at,
            attempts: 0,
            created: now.at,
            last_error: None,
        }));
    }
    round.batch.tickets.push(ticket.clone());
    round.tickets.insert(no, ticket);
    Ok(reply)
}
