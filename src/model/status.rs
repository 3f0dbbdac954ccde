//! Ticket statuses, what each does to the SLA clock, and who may move a ticket where
//! (domain.md §3.1–3.2).
//!
//! The transition table lives here alone so the HTTP API, officers' buttons, the citizen's
//! `batal <nomor>` and the SLA timer all obey the same rules. Texts shown to citizens are
//! Fluent messages (`locales/*/status.ftl`); this module only names their ids.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a ticket stands. Stored records encode variants by position: append, never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Received, waiting to be checked.
    Diterima,
    /// An officer is checking that the files are complete.
    Diverifikasi,
    /// The citizen must correct data or files; the SLA clock pauses.
    PerluPerbaikan,
    /// Complete and being worked on by the OPD.
    Diproses,
    /// The document is ready to collect.
    SiapDiambil,
    /// Done.
    Selesai,
    /// Refused, with a reason.
    Ditolak,
    /// Not ours; the citizen was pointed to the right agency.
    Dialihkan,
    /// Cancelled by the citizen, or by the system after a long silence.
    Dibatalkan,
}

/// Who asks for a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// The applicant, from their chat.
    Citizen,
    /// Staff of an OPD or Diskominfo, through the API or officers' buttons.
    Officer,
    /// pintu itself: resubmissions and timers.
    System,
}

/// What a status does to the SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaClock {
    /// Working days count towards the due date.
    Runs,
    /// Waiting on the citizen; the due date is recomputed on resubmission.
    Paused,
    /// The agency's part is over.
    Stops,
}

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionError {
    /// The ticket already has that status (HTTP 409).
    Same,
    /// The table has no such move, e.g. out of a terminal status.
    NotAllowed,
    /// The move exists, but not for this actor (a citizen cannot cancel once `diproses`).
    WrongActor,
}

/// Derives the Fluent ids from the code, so the three spellings cannot drift apart.
macro_rules! keys {
    ($($variant:ident = $code:literal),* $(,)?) => {
        /// (code, label id, explanation id).
        fn keys(self) -> (&'static str, &'static str, &'static str) {
            match self {
                $(Self::$variant => {
                    ($code, concat!("status-", $code), concat!("status-", $code, "-explain"))
                })*
            }
        }
    };
}

impl Status {
    /// Every status, in declaration order.
    pub const ALL: [Self; 9] = [
        Self::Diterima,
        Self::Diverifikasi,
        Self::PerluPerbaikan,
        Self::Diproses,
        Self::SiapDiambil,
        Self::Selesai,
        Self::Ditolak,
        Self::Dialihkan,
        Self::Dibatalkan,
    ];

    /// The stable snake_case code used in the API, records and Fluent ids.
    pub fn code(self) -> &'static str {
        self.keys().0
    }

    /// The status with this code, if any.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Fluent id of the short label, e.g. `status-diterima`.
    pub fn label_key(self) -> &'static str {
        self.keys().1
    }

    /// Fluent id of the sentence a citizen reads, e.g. `status-diterima-explain`. Some take
    /// arguments: `diproses` `$opd`, `siap_diambil` `$tempat`, `ditolak` `$alasan`,
    /// `dialihkan` `$instansi`.
    pub fn explain_key(self) -> &'static str {
        self.keys().2
    }

    /// Whether nothing can follow (`siap_diambil` still moves to `selesai`).
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Selesai | Self::Ditolak | Self::Dialihkan | Self::Dibatalkan)
    }

    /// What this status does to the SLA clock.
    pub fn clock(self) -> SlaClock {
        match self {
            Self::Diterima | Self::Diverifikasi | Self::Diproses => SlaClock::Runs,
            Self::PerluPerbaikan => SlaClock::Paused,
            Self::SiapDiambil | Self::Selesai | Self::Ditolak | Self::Dialihkan => SlaClock::Stops,
            Self::Dibatalkan => SlaClock::Stops,
        }
    }

    /// Whether the table requires a note (★) for this move: what to fix, why refused, which
    /// agency, or where and when to collect. False for moves the table does not have.
    pub fn needs_note(from: Self, to: Self) -> bool {
        rule(from, to).is_some_and(|(_, note)| note)
    }

    /// Whether `actor` may move a ticket from `from` to `to`.
    pub fn can_move(from: Self, to: Self, actor: ActorKind) -> Result<(), TransitionError> {
        if from == to {
            return Err(TransitionError::Same);
        }
        let (actors, _) = rule(from, to).ok_or(TransitionError::NotAllowed)?;
        if actors.contains(&actor) { Ok(()) } else { Err(TransitionError::WrongActor) }
    }

    /// The statuses `actor` may move a ticket to from `self`, e.g. to offer officers buttons.
    pub fn moves(self, actor: ActorKind) -> impl Iterator<Item = Self> {
        Self::ALL.into_iter().filter(move |&to| Self::can_move(self, to, actor).is_ok())
    }

    keys! {
        Diterima = "diterima",
        Diverifikasi = "diverifikasi",
        PerluPerbaikan = "perlu_perbaikan",
        Diproses = "diproses",
        SiapDiambil = "siap_diambil",
        Selesai = "selesai",
        Ditolak = "ditolak",
        Dialihkan = "dialihkan",
        Dibatalkan = "dibatalkan",
    }
}

/// The transition table of domain.md §3.2: who may make a move and whether it needs a note (★);
/// `None` means the move does not exist.
fn rule(from: Status, to: Status) -> Option<(&'static [ActorKind], bool)> {
    use ActorKind::{Citizen, Officer, System};
    use Status::*;
    const NOTE: bool = true;
    Some(match (from, to) {
        (Diterima, Diverifikasi) | (Diterima | Diverifikasi, Diproses) => (&[Officer], false),
        (Diterima | Diverifikasi | Diproses, PerluPerbaikan | Ditolak | Dialihkan) => {
            (&[Officer], NOTE)
        }
        // Staff may record a cancellation the citizen asked for by phone or at the counter.
        (Diterima | Diverifikasi, Dibatalkan) => (&[Citizen, Officer], false),
        // Resubmitted corrections go back to checking; the due date is recomputed then.
        (PerluPerbaikan, Diverifikasi) => (&[System], false),
        // The citizen gives up, or the system after 14 silent days (*config*).
        (PerluPerbaikan, Dibatalkan) => (&[Citizen, System], false),
        // The note says where, when and what to bring.
        (Diproses, SiapDiambil) => (&[Officer], NOTE),
        (Diproses | SiapDiambil, Selesai) => (&[Officer], false),
        _ => return None,
    })
}

impl fmt::Display for Status {
    /// The code, for logs and the API; citizens see the Fluent label instead.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Same => "the ticket already has that status",
            Self::NotAllowed => "that status change is not allowed",
            Self::WrongActor => "that status change is not allowed for this actor",
        })
    }
}

impl std::error::Error for TransitionError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// domain.md §3.2 as a grid: rows `from`, columns `to`, both in `Status::ALL` order.
    /// Cell: who may move (c citizen, o officer, s system), `*` note required, `.` no such move,
    /// `=` same status.
    const TABLE: [&str; 9] = [
        //             ter ver per pro sia sel tol ali bat
        "diterima        =  o  o*  o  .   .   o*  o*  co",
        "diverifikasi    .  =  o*  o  .   .   o*  o*  co",
        "perlu_perbaikan .  s  =   .  .   .   .   .   cs",
        "diproses        .  .  o*  =  o*  o   o*  o*  .",
        "siap_diambil    .  .  .   .  =   o   .   .   .",
        "selesai         .  .  .   .  .   =   .   .   .",
        "ditolak         .  .  .   .  .   .   =   .   .",
        "dialihkan       .  .  .   .  .   .   .   =   .",
        "dibatalkan      .  .  .   .  .   .   .   .   =",
    ];
    const ACTORS: [(ActorKind, char); 3] =
        [(ActorKind::Citizen, 'c'), (ActorKind::Officer, 'o'), (ActorKind::System, 's')];

    #[test]
    fn all_81_pairs_follow_the_table() {
        for (row, &from) in TABLE.iter().zip(&Status::ALL) {
            let mut cells = row.split_whitespace();
            assert_eq!(cells.next(), Some(from.code()));
            let cells: Vec<&str> = cells.collect();
            assert_eq!(cells.len(), 9, "{row}");
            for (&cell, &to) in cells.iter().zip(&Status::ALL) {
                assert_eq!(Status::needs_note(from, to), cell.contains('*'), "{from} → {to}");
                for (actor, letter) in ACTORS {
                    let want = match cell {
                        "=" => Err(TransitionError::Same),
                        "." => Err(TransitionError::NotAllowed),
                        _ if cell.contains(letter) => Ok(()),
                        _ => Err(TransitionError::WrongActor),
                    };
                    let got = Status::can_move(from, to, actor);
                    assert_eq!(got, want, "{from} → {to} by {actor:?}");
                }
            }
        }
    }

    #[test]
    fn terminal_statuses_have_no_moves() {
        for s in Status::ALL {
            let moves = ACTORS.iter().flat_map(|&(a, _)| s.moves(a)).count();
            assert_eq!(s.is_terminal(), moves == 0, "{s}");
        }
        let citizen: Vec<_> = Status::Diverifikasi.moves(ActorKind::Citizen).collect();
        assert_eq!(citizen, [Status::Dibatalkan]);
        assert_eq!(Status::Diproses.moves(ActorKind::Citizen).count(), 0);
    }

    #[test]
    fn clock_per_status() {
        use SlaClock::*;
        let want = [Runs, Runs, Paused, Runs, Stops, Stops, Stops, Stops, Stops];
        let got = Status::ALL.map(Status::clock);
        assert_eq!(got, want);
    }
}
