//! Words about tickets: the confirmation after submitting and status answers. Pure functions
//! the driver calls once it has created or loaded the tickets.

use crate::model::ChatKey;
use crate::model::outbox::PushEvent;
use crate::model::reply::{Arg, Msg, Reply};
use crate::model::session::Value;
use crate::model::session::{Pending, Session};
use crate::model::ticket::Ticket;
use crate::model::{Status, TicketNo};
use crate::script::{Script, StepKind};

fn title(ticket: &Ticket) -> Msg {
    Msg::new(format!("{}-title", ticket.script))
}

/// "Terima kasih ... Nomor tiket: *K7Q4-M9XS* ..." right after a submission.
pub fn submitted(script: &Script, ticket: &Ticket) -> Reply {
    let base = |key: &str| {
        Msg::new(key)
            .arg("tiket", ticket.no.to_string())
            .arg("layanan", Msg::new(script.title_key()))
            .arg("opd", Msg::new(crate::script::opd_key(&script.opd)))
    };
    let mut r = match ticket.due {
        Some(due) => Reply::msg(
            base("submitted")
                .arg("selesai", Arg::Date(due))
                .arg("hari", i64::from(script.sla_days)),
        ),
        None => Reply::msg(base("submitted-no-due")),
    };
    for key in done_notes(script, ticket) {
        r = r.line(Msg::new(key));
    }
    r
}

/// The `-done` texts of the chosen options marked `done: true` (what to bring to a booked
/// visit, ...), in the order the answers were given.
fn done_notes(script: &Script, ticket: &Ticket) -> Vec<String> {
    ticket
        .answers
        .iter()
        .filter_map(|(id, value)| {
            let Value::Choice(i) = value else { return None };
            let step = script.steps.iter().find(|s| *s.id == **id)?;
            let StepKind::Choice(opts) = &step.kind else { return None };
            let opt = opts.get(usize::from(*i)).filter(|o| o.done)?;
            Some(script.option_done_key(step, opt))
        })
        .collect()
}

/// The status of one ticket. The submitting chat sees history and due date; any other chat only
/// the current status, with nothing personal (domain rule: never confirm whose it is).
pub fn one(ticket: &Ticket, own: bool) -> Reply {
    let status = Msg::new(ticket.status.label_key());
    if !own {
        return Reply::msg(
            Msg::new("status-other-chat").arg("tiket", ticket.no.to_string()).arg("status", status),
        );
    }
    let note = ticket.history.last().and_then(|c| c.note.clone()).unwrap_or_default();
    let explain = Msg::new(ticket.status.explain_key())
        .arg("opd", Msg::new(crate::script::opd_key(&ticket.opd)))
        .arg("tempat", note.clone())
        .arg("alasan", note.clone())
        .arg("instansi", note);
    let mut r = Reply::msg(
        Msg::new("status-line")
            .arg("tiket", ticket.no.to_string())
            .arg("layanan", title(ticket))
            .arg("status", status),
    )
    .line(explain);
    if let (Some(due), false) = (ticket.due, ticket.status.is_terminal()) {
        r = r.line(Msg::new("status-due").arg("selesai", Arg::Date(due)));
    }
    r = r.line(Msg::new("status-history-intro"));
    for change in &ticket.history {
        r = r.line(
            Msg::new("status-history-line")
                .arg("waktu", format_time(change.at.0))
                .arg("status", Msg::new(change.status.label_key())),
        );
        if let Some(note) = &change.note {
            r = r.line(Msg::new("status-history-note").arg("catatan", note.as_str()));
        }
    }
    r
}

/// The message of an overdue apology (a template outside the 24-hour window tells it short).
pub const PUSH_OVERDUE: &str = "push-overdue";

/// News about a ticket, pushed without being asked: a status change with what happens next,
/// or an apology for an overdue ticket with the new expected date.
pub fn pushed(ticket: &Ticket, event: PushEvent) -> Reply {
    let base =
        |key: &str| Msg::new(key).arg("tiket", ticket.no.to_string()).arg("layanan", title(ticket));
    match event {
        PushEvent::Overdue { revised_due } => {
            Reply::msg(base(PUSH_OVERDUE).arg("selesai", Arg::Date(revised_due)))
        }
        PushEvent::Status { index } => {
            let Some(change) = ticket.history.get(usize::from(index)) else {
                return one(ticket, true);
            };
            let note = change.note.clone().unwrap_or_default();
            let explain = Msg::new(change.status.explain_key())
                .arg("opd", Msg::new(crate::script::opd_key(&ticket.opd)))
                .arg("tempat", note.clone())
                .arg("alasan", note.clone())
                .arg("instansi", note.clone());
            let mut r =
                Reply::msg(base("push-status").arg("status", Msg::new(change.status.label_key())))
                    .line(explain);
            if !note.is_empty()
                && !matches!(
                    change.status,
                    Status::SiapDiambil | Status::Ditolak | Status::Dialihkan
                )
            {
                r = r.line(Msg::new("status-history-note").arg("catatan", note));
            }
            let next = match change.status {
                Status::PerluPerbaikan => Some("push-next-fix"),
                Status::SiapDiambil => Some("push-next-pickup"),
                s if s.is_terminal() => None,
                _ => Some("push-next-wait"),
            };
            if let Some(key) = next {
                r = r.line(Msg::new(key).arg("tiket", ticket.no.to_string()));
            }
            r
        }
    }
}

/// The answer to `perbaiki <nomor>`: the session waits for the correction only if the ticket
/// is this chat's and an officer asked for one.
pub fn begin_correction(
    session: &mut Session,
    no: TicketNo,
    ticket: Option<&Ticket>,
    chat: &ChatKey,
) -> Reply {
    match ticket {
        Some(t) if &t.chat == chat && t.status == Status::PerluPerbaikan => {
            session.pending = Pending::Correction(t.no);
            let note = t.history.last().and_then(|c| c.note.clone()).unwrap_or_default();
            Reply::msg(Msg::new("fix-ask").arg("tiket", t.no.to_string()).arg("catatan", note))
        }
        Some(t) if &t.chat == chat => Reply::msg(
            Msg::new("fix-not-needed")
                .arg("tiket", t.no.to_string())
                .arg("status", Msg::new(t.status.label_key())),
        ),
        // Another chat's ticket is treated as unknown: never confirm that it exists.
        _ => not_found(&no.to_string()),
    }
}

/// `data saya`: what is held for this chat, personal numbers masked.
pub fn my_data(session: &Session, tickets: &[Ticket]) -> Reply {
    let mut r = Reply::key("mydata-intro");
    let mut any = false;
    if let Some(f) = &session.flow {
        any = true;
        r = r.line(
            Msg::new("mydata-flow")
                .arg("layanan", Msg::new(format!("{}-title", f.script)))
                .arg("jumlah", f.answers.len() as i64),
        );
    }
    for t in tickets {
        any = true;
        let ids: Vec<String> = t
            .answers
            .iter()
            .filter_map(|(_, v)| match v {
                crate::model::session::Value::Text(s)
                    if s.len() == 16 && s.chars().all(|c| c.is_ascii_digit()) =>
                {
                    Some(crate::validate::mask_nik(s))
                }
                crate::model::session::Value::Text(s) if s.starts_with('+') => {
                    Some(crate::validate::mask_phone(s))
                }
                _ => None,
            })
            .collect();
        r = r.line(
            Msg::new("mydata-ticket")
                .arg("tiket", t.no.to_string())
                .arg("layanan", title(t))
                .arg("status", Msg::new(t.status.label_key()))
                .arg("data", if ids.is_empty() { "-".to_string() } else { ids.join(", ") }),
        );
    }
    if !any {
        return Reply::key("mydata-none");
    }
    r.line(Msg::new("mydata-how-to-delete"))
}

/// A number that matches no ticket.
pub fn not_found(no: &str) -> Reply {
    Reply::msg(Msg::new("status-not-found").arg("tiket", no))
}

/// `status` alone: the chat's open tickets (closed ones are not listed).
pub fn mine(tickets: &[Ticket]) -> Reply {
    let open: Vec<&Ticket> = tickets.iter().filter(|t| !t.status.is_terminal()).collect();
    if open.is_empty() {
        return Reply::key("status-none");
    }
    let mut r = Reply::key("status-mine-intro");
    for (n, t) in open.iter().enumerate() {
        r = r.line(
            Msg::new("status-mine-line")
                .arg("nomor", n as i64 + 1)
                .arg("tiket", t.no.to_string())
                .arg("layanan", title(t))
                .arg("status", Msg::new(t.status.label_key())),
        );
    }
    r
}

/// "26-11-2026 09.15" in UTC+8 would need the zone; history shows dates only, which every
/// zone agrees on closely enough for a citizen.
fn format_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| format!("{:02}-{:02}-{}", t.day(), u8::from(t.month()), t.year()))
        .unwrap_or_default()
}
