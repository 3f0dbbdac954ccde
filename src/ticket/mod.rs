//! Ticket rules: how a status change is applied (history, due date, the citizen's push), and
//! the texts tickets need. The values themselves (numbers, statuses, records) are shared
//! vocabulary in `model`.
//!
//! Pure: no store, clock or randomness. Callers bring the current time and ids.
//!
//! May use: `calendar`, `clock`, `model`.

pub mod change;

pub use crate::model::status::{ActorKind, SlaClock, Status, TransitionError};
pub use crate::model::ticket_no::{TicketNo, TicketNoError};

/// Every message id this module hands out (status labels and explanations, number errors),
/// for `pintu check`.
pub fn message_ids() -> Vec<String> {
    let mut ids: Vec<String> = Status::ALL
        .iter()
        .flat_map(|s| [s.label_key().to_string(), s.explain_key().to_string()])
        .collect();
    let errors = [
        TicketNoError::WrongLength { len: 0 },
        TicketNoError::BadSymbol { symbol: '0' },
        TicketNoError::CheckFailed,
    ];
    ids.extend(errors.iter().map(|e| e.message_id().to_string()));
    ids
}

/// How these values look from outside: in chat text, on the wire and in the locales.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_numbers_in_chat_text() {
        let want = TicketNo::parse("K7Q4M9XS", &[]).ok();
        let prefixes = ["KTP"];
        for text in [
            "status k7q4 m9xs",
            "cek K7Q4-M9XS ya pak",
            "Nomor tiket: *K7Q4-M9XS*.",
            "lacak KTP K7Q4-M9XS",
            "batal k7q4 - m9xs",
            "perbaiki #K7Q4M9XS, terima kasih",
        ] {
            assert_eq!(TicketNo::find_in(text, &prefixes), want, "{text}");
        }
        for text in ["status", "cek status tiket saya", "K7Q4-M9XA", "6409011708900001", ""] {
            assert_eq!(TicketNo::find_in(text, &prefixes), None, "{text}");
        }
    }

    #[test]
    fn known_prefixes_are_dropped() {
        let p = ["KTP", "kk"];
        let want = TicketNo::parse("K7Q4M9XS", &[]);
        for ok in ["KTP-K7Q4-M9XS", "ktp k7q4m9xs", "KK-K7Q4-M9XS", "K7Q4-M9XS"] {
            assert_eq!(TicketNo::parse(ok, &p), want, "{ok}");
        }
        // With a prefix, the error is about the number that follows it.
        let short = TicketNo::parse("KTP-K7Q4-M9X", &p);
        assert_eq!(short, Err(TicketNoError::WrongLength { len: 7 }));
        // A number that itself starts with a prefix is not cut.
        let ktp = TicketNo::parse("KTP2-2223", &[]).unwrap();
        assert_eq!(TicketNo::parse("ktp22223", &p), Ok(ktp));
    }

    #[test]
    fn serde_uses_compact_strings_and_codes() {
        let no = TicketNo::parse("K7Q4-M9XS", &[]).unwrap();
        assert_eq!(no.as_str(), "K7Q4M9XS");
        assert_eq!(format!("{no:?}"), r#"TicketNo("K7Q4M9XS")"#);
        assert_eq!(serde_json::to_string(&no).unwrap(), r#""K7Q4M9XS""#);
        assert_eq!(serde_json::from_str::<TicketNo>(r#""K7Q4M9XS""#).unwrap(), no);
        assert!(serde_json::from_str::<TicketNo>(r#""K7Q4M9XA""#).is_err());

        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
            assert_eq!(s.to_string(), s.code());
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.code()));
        }
        assert_eq!(Status::PerluPerbaikan.code(), "perlu_perbaikan");
        assert_eq!(Status::parse("Diterima"), None);
        let back: Status = serde_json::from_str(r#""siap_diambil""#).unwrap();
        assert_eq!(back, Status::SiapDiambil);
        assert_eq!(serde_json::to_string(&ActorKind::System).unwrap(), r#""system""#);
    }

    /// Every Fluent id handed out here exists in both locales (compiled in, no I/O).
    #[test]
    fn locales_define_every_message() {
        let locales = [
            ("id", include_str!("../../locales/id/status.ftl")),
            ("en", include_str!("../../locales/en/status.ftl")),
        ];
        let errors = [
            TicketNoError::WrongLength { len: 0 },
            TicketNoError::BadSymbol { symbol: '0' },
            TicketNoError::CheckFailed,
        ];
        let ids = Status::ALL
            .iter()
            .flat_map(|s| [s.label_key(), s.explain_key()])
            .chain(errors.iter().map(TicketNoError::message_id));
        for id in ids {
            assert!(id.starts_with("status-") || id.starts_with("invalid-ticket-"), "{id}");
            for (lang, ftl) in locales {
                let defined = ftl.lines().any(|l| l.split_once(" =").is_some_and(|(k, _)| k == id));
                assert!(defined, "{lang}: {id} missing");
            }
        }
        let ids = errors.map(|e| e.message_id());
        let want = ["invalid-ticket-length", "invalid-ticket-symbol", "invalid-ticket-check"];
        assert_eq!(ids, want);
        assert_eq!(Status::SiapDiambil.label_key(), "status-siap_diambil");
        assert_eq!(Status::Diterima.explain_key(), "status-diterima-explain");
    }
}
