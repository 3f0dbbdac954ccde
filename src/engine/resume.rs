//! Coming back to a draft. A citizen who left a form half-filled (to fetch the KK, a police
//! letter) and returns after a while is first asked whether to continue it or start anew,
//! before their message is taken as an answer: after hours or days, "Budi" or "ktp hilang"
//! may no longer mean what the open question expects.

use super::Engine;
use super::reply::{Msg, Reply};
use super::session::Pending;
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
        self.s.pending = Pending::Resume;
        let title = self.flow_script().map(|s| Msg::new(s.title_key()));
        let answered = self.s.flow.as_ref().map_or(0, |f| f.answers.len());
        let mut ask = Msg::new("resume-ask").arg("jumlah", answered as i64);
        if let Some(title) = title {
            ask = ask.arg("layanan", title);
        }
        let mut r = Reply::msg(ask);
        r.choices = vec![Msg::new("resume-continue"), Msg::new("resume-restart")];
        self.say(r);
    }

    /// The question once more, shorter: the welcome was just said.
    pub(super) fn ask_resume_again(&mut self) {
        self.s.pending = Pending::Resume;
        let mut r = Reply::key("resume-which");
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
