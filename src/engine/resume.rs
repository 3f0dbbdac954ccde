//! Coming back to a draft. A citizen who left a form half-filled (to fetch the KK, a police
//! letter) and returns after a while is first asked whether to continue it or start anew,
//! before their message is taken as an answer: after hours or days, "Budi" or "ktp hilang"
//! may no longer mean what the open question expects.

use super::Engine;
use crate::clock::{Now, Timestamp};
use crate::model::reply::{Arg, Msg, Reply};
use crate::model::session::Pending;
use crate::script::lexicon::Intent;

/// Words that continue the draft, besides `1` and a yes ("lanjut" is a yes word already).
const CONTINUE: &[&str] = &["lanjutkan", "teruskan", "lanjutkan saja", "continue", "resume"];
/// Words that drop the draft and start the same service again, besides `2`.
const RESTART: &[&str] = &[
    "mulai baru",
    "baru",
    "mulai lagi",
    "mulai dari awal",
    "dari awal",
    "ulang",
    "ulangi",
    "start again",
    "start over",
    "new",
];

impl Engine<'_> {
    /// "Permohonan KTP-el Bapak/Ibu belum selesai: 1. Lanjutkan 2. Mulai baru".
    pub(super) fn ask_resume(&mut self) {
        let answered = self.s.flow.as_ref().map_or(0, |f| f.answers.len());
        let ask = self.with_title(Msg::new("resume-ask").arg("jumlah", answered as i64));
        self.ask_continue_or_restart(ask);
    }

    /// The question once more, shorter: the welcome was just said.
    pub(super) fn ask_resume_again(&mut self) {
        self.ask_continue_or_restart(Msg::new("resume-which"));
    }

    /// The draft reminder: the same question, sent unasked, with the day the draft is dropped.
    pub(super) fn send_reminder(&mut self) {
        let answered = self.s.flow.as_ref().map_or(0, |f| f.answers.len());
        let dropped = Now::new(
            Timestamp(self.s.touched.0.saturating_add(self.ctx.settings.session_ttl_secs)),
            self.ctx.now.offset,
        );
        let text = Msg::new("draft-reminder")
            .arg("jumlah", answered as i64)
            .arg("tanggal", Arg::Date(dropped.today().to_julian_day()));
        let text = self.with_title(text);
        self.ask_continue_or_restart(text);
    }

    /// The draft's service as the `layanan` argument (none when its script version is gone).
    fn with_title(&self, msg: Msg) -> Msg {
        match self.flow_script() {
            Some(script) => msg.arg("layanan", Msg::new(script.title_key())),
            None => msg,
        }
    }

    /// Asks `text` with the two choices that [`Engine::settle_resume`] reads.
    fn ask_continue_or_restart(&mut self, text: Msg) {
        self.s.pending = Pending::Resume;
        let mut r = Reply::msg(text);
        r.choices = vec![Msg::new("resume-continue"), Msg::new("resume-restart")];
        self.say(r);
    }

    /// The answer to [`Engine::ask_resume`]. False lets a command (`batal`, `menu`, `status`,
    /// an emergency) run as usual, the draft kept; anything else asks again, so an old answer
    /// typed by habit is never filed into the wrong question.
    pub(super) fn settle_resume(&mut self, canon: &str, intent: Option<&Intent>) -> bool {
        let lex = &self.ctx.catalogue.lexicon;
        let pick = match lex.option_number(canon, 2) {
            Some(n) => Some(n == 1),
            None if intent == Some(&Intent::Yes) || CONTINUE.contains(&canon) => Some(true),
            None if RESTART.contains(&canon) => Some(false),
            None => None,
        };
        match pick {
            Some(true) => {
                self.say(Reply::key("resume-continued"));
                self.resume();
                true
            }
            Some(false) => {
                let script = self.flow_script();
                self.s.flow = None;
                self.say(Reply::key("resume-restarted"));
                match script {
                    Some(script) => self.enter_with(&script, false),
                    None => self.menu(false),
                }
                true
            }
            None if matches!(
                intent,
                Some(Intent::Command(..) | Intent::Cancel | Intent::Emergency)
            ) =>
            {
                false
            }
            None => {
                self.ask_resume_again();
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::clock::{Now, Timestamp};
    use crate::engine::{Ctx, Settings, Step, remind, step};
    use crate::model::input::Input;
    use crate::model::reply::{Arg, Piece};
    use crate::model::session::{Pending, Session};
    use crate::script::catalogue::Catalogue;
    use time::UtcOffset;

    const T0: i64 = 1_795_000_000;
    const DAY: i64 = 86_400;

    fn catalogue() -> Catalogue {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        Catalogue::load(&dir.join("dialogs"), &dir.join("locales")).0
    }

    fn say(cat: &Catalogue, s: Option<&Session>, at: i64, text: &str) -> Step {
        let settings = Settings::default();
        let now = Now::new(Timestamp(at), UtcOffset::from_hms(8, 0, 0).unwrap());
        let ctx = Ctx { catalogue: cat, pinned: None, settings: &settings, now };
        step(&ctx, s, Input::Text(text.to_string()))
    }

    fn keys(st: &Step) -> Vec<String> {
        st.replies
            .iter()
            .filter_map(|r| match r.body.first() {
                Some(Piece::Msg(m)) => Some(m.key.clone()),
                _ => None,
            })
            .collect()
    }

    /// An IKD draft with the NIK answered, waiting for the name.
    fn draft(cat: &Catalogue) -> Session {
        let s = say(cat, None, T0, "ikd").session;
        say(cat, Some(&s), T0 + 60, "6409011708900001").session
    }

    #[test]
    fn a_short_pause_needs_no_question() {
        let cat = catalogue();
        let s = draft(&cat);
        let st = say(&cat, Some(&s), T0 + 60 + 20 * 60, "Budi Santoso");
        assert_eq!(keys(&st), ["ikd-email"]);
    }

    #[test]
    fn back_after_days_continue_or_restart_comes_first() {
        let cat = catalogue();
        let s = draft(&cat);
        // The return message looks like an answer, but days later it is not filed as one.
        let st = say(&cat, Some(&s), T0 + 3 * DAY, "Budi Santoso");
        assert_eq!(keys(&st), ["resume-ask"]);
        assert_eq!(st.session.pending, Pending::Resume);
        assert_eq!(st.session.flow.as_ref().unwrap().answers.len(), 1, "nothing lost or added");
        let asked = st.session;

        let go_on = say(&cat, Some(&asked), T0 + 3 * DAY + 10, "1");
        assert_eq!(keys(&go_on), ["resume-continued", "ikd-nama"]);
        assert_eq!(go_on.session.flow.as_ref().unwrap().answers.len(), 1);
        let words = say(&cat, Some(&asked), T0 + 3 * DAY + 10, "lanjutkan");
        assert_eq!(keys(&words), ["resume-continued", "ikd-nama"]);

        let anew = say(&cat, Some(&asked), T0 + 3 * DAY + 10, "mulai baru");
        assert_eq!(keys(&anew), ["resume-restarted", "ikd-nik"]);
        assert!(anew.session.flow.as_ref().unwrap().answers.is_empty());
        let tap = say(&cat, Some(&asked), T0 + 3 * DAY + 10, "2");
        assert_eq!(keys(&tap), ["resume-restarted", "ikd-nik"]);

        let unclear = say(&cat, Some(&asked), T0 + 3 * DAY + 10, "Budi Santoso");
        assert_eq!(keys(&unclear), ["resume-which"]);
        assert_eq!(unclear.session.pending, Pending::Resume);
    }

    #[test]
    fn an_emergency_is_not_held_back() {
        let cat = catalogue();
        let s = draft(&cat);
        let st = say(&cat, Some(&s), T0 + 3 * DAY, "kebakaran");
        let keys = keys(&st);
        assert!(keys.contains(&"emergency-alert".to_string()), "{keys:?}");
        assert!(!keys.contains(&"resume-ask".to_string()), "{keys:?}");
    }

    #[test]
    fn past_the_draft_ttl_the_draft_is_dropped() {
        let cat = catalogue();
        let s = draft(&cat);
        let st = say(&cat, Some(&s), T0 + 60 + 7 * DAY + 1, "Budi Santoso");
        assert_eq!(keys(&st).first().map(String::as_str), Some("session-expired"));
        assert!(st.session.flow.is_none());
    }

    #[test]
    fn the_open_question_survives_the_store() {
        let cat = catalogue();
        let asked = say(&cat, Some(&draft(&cat)), T0 + 3 * DAY, "halo").session;
        // The store writes sessions with postcard (`store::codec`).
        let bytes = postcard::to_allocvec(&asked).unwrap();
        assert_eq!(postcard::from_bytes::<Session>(&bytes).unwrap(), asked);
    }

    fn reminder(cat: &Catalogue, s: Option<&Session>, at: i64, touched: i64) -> Step {
        let settings = Settings::default();
        let now = Now::new(Timestamp(at), UtcOffset::from_hms(8, 0, 0).unwrap());
        let ctx = Ctx { catalogue: cat, pinned: None, settings: &settings, now };
        remind(&ctx, s, Timestamp(touched))
    }

    #[test]
    fn an_idle_draft_is_reminded_once_and_answered_like_a_return() {
        let cat = catalogue();
        let s = draft(&cat);
        let st = reminder(&cat, Some(&s), T0 + 6 * DAY, T0 + 60);
        assert_eq!(keys(&st), ["draft-reminder"]);
        assert_eq!(st.replies[0].choices.len(), 2, "lanjutkan / mulai baru");
        assert_eq!(st.session.touched, s.touched, "a reminder does not lengthen the draft's life");
        assert_eq!(st.session.pending, Pending::Resume);
        // Kept 7 days from the last answer (T0 + 60 is 2026-11-18, 19:07 WITA): dropped on the 25th.
        let Some(Piece::Msg(m)) = st.replies[0].body.first() else { panic!() };
        let day = time::Date::from_calendar_date(2026, time::Month::November, 25).unwrap();
        assert!(m.args.contains(&("tanggal".into(), Arg::Date(day.to_julian_day()))), "{m:?}");
        let reminded = st.session;
        // Not twice.
        assert!(reminder(&cat, Some(&reminded), T0 + 6 * DAY + 600, T0 + 60).replies.is_empty());
        // The citizen answers hours later: the answer settles the reminder, no second question.
        let go_on = say(&cat, Some(&reminded), T0 + 6 * DAY + 5 * 3600, "1");
        assert_eq!(keys(&go_on), ["resume-continued", "ikd-nama"]);
        let anew = say(&cat, Some(&reminded), T0 + 6 * DAY + 5 * 3600, "2");
        assert_eq!(keys(&anew), ["resume-restarted", "ikd-nik"]);
    }

    #[test]
    fn no_reminder_after_activity_without_a_draft_or_past_the_ttl() {
        let cat = catalogue();
        let s = draft(&cat);
        // The scan saw the draft idle since T0 + 60, but the citizen wrote since.
        let later = say(&cat, Some(&s), T0 + 120, "Budi Santoso").session;
        let st = reminder(&cat, Some(&later), T0 + 6 * DAY, T0 + 60);
        assert!(st.replies.is_empty());
        assert_eq!(st.session, later, "nothing changed");
        // No session at all (erased meanwhile), or one without a draft.
        assert!(reminder(&cat, None, T0 + 6 * DAY, T0).replies.is_empty());
        let menu = say(&cat, None, T0, "halo").session;
        assert!(reminder(&cat, Some(&menu), T0 + 6 * DAY, T0).replies.is_empty());
        // Past the TTL the draft is dropped at the next message, not reminded of.
        assert!(reminder(&cat, Some(&s), T0 + 8 * DAY, T0 + 60).replies.is_empty());
    }
}
