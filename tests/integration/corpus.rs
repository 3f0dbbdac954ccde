//! How well free text from real citizens (`../shared/real-world/corpus/utterances.csv`,
//! third-party, read at test time and never copied here) reaches the right service from a
//! fresh chat, scored honestly by `pintu::eval` (the same scoring as `pintu eval`): a service
//! row counts only if that service's dialog starts or a clarifying question names it; status,
//! greeting, thanks and other rows each have their own expectation. Prints the report; fails if
//! a figure drops below what was measured, so a change that hurts understanding is noticed.

use super::support::{shipped_catalogue, thursday};
use pintu::engine::{Ctx, Settings};
use pintu::eval::{Labels, evaluate, read_csv};

/// What the corpus's labels mean in pintu's catalogue (the same list `.ci/run` passes to
/// `pintu eval`).
const ALIASES: &[&str] = &[
    "ktp_baru=ktp_el",
    "ktp_hilang=ktp_el",
    "ktp_rusak=ktp_el",
    "kk_perubahan=kartu_keluarga",
    "izin_usaha=izin_usaha_mikro",
    "pengaduan=pengaduan+lapor_infrastruktur",
    "cek_status=status",
];

/// Measured when the scored router landed; raise them when understanding improves.
const MIN_OVERALL: f64 = 93.0;
const MIN_STATUS: f64 = 90.0; // the target

#[test]
fn real_citizen_phrasing_reaches_the_right_service() {
    let path = super::support::repo().join("../shared/real-world/corpus/utterances.csv");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present", path.display());
        return;
    };
    let catalogue = shipped_catalogue();
    let settings = Settings::default();
    let ctx = Ctx { catalogue: &catalogue, pinned: None, settings: &settings, now: thursday(9, 0) };
    let rows = read_csv(&text, "text", "intent").unwrap();
    assert_eq!(rows.len(), 219, "the corpus changed; re-measure");
    let aliases: Vec<String> = ALIASES.iter().map(|s| s.to_string()).collect();
    let labels = Labels::parse(&aliases).unwrap();
    let report = evaluate(&ctx, &rows, &labels, &settings.emergency_script);
    eprintln!("{}", report.render());
    assert!(report.accuracy() >= MIN_OVERALL, "routing fell to {:.1}%", report.accuracy());
    let status = report.accuracy_of("status").unwrap();
    assert!(status >= MIN_STATUS, "status questions fell to {status:.1}%");
    assert_eq!(report.false_emergencies, 0, "an emergency dialog opened for a non-emergency");
}

/// The team's own sets (`tests/eval/*.csv`, written here; `uji_tertutup.csv` was first scored
/// unseen, 82.5%, before its gaps were fixed in general form): each must stay above its floor.
#[test]
fn the_teams_own_sets_stay_understood() {
    let catalogue = shipped_catalogue();
    let settings = Settings::default();
    let ctx = Ctx { catalogue: &catalogue, pinned: None, settings: &settings, now: thursday(9, 0) };
    for (file, floor) in [("ditulis_tim.csv", 95.0), ("uji_tertutup.csv", 95.0)] {
        let path = super::support::repo().join("tests/eval").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let rows = read_csv(&text, "text", "expected").unwrap();
        let report = evaluate(&ctx, &rows, &Labels::default(), &settings.emergency_script);
        eprintln!("{file}:\n{}", report.render());
        assert!(report.accuracy() >= floor, "{file}: {:.1}% < {floor}%", report.accuracy());
        assert_eq!(report.false_emergencies, 0, "{file}: emergency opened for a non-emergency");
    }
}
