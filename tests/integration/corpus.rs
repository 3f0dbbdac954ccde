//! How well free text from real citizens (`../shared/real-world/corpus/utterances.csv`,
//! third-party, read at test time and never copied here) reaches the right service from a
//! fresh chat. Prints the figure per intent; fails if it drops below what was measured, so a
//! change that hurts understanding is noticed.

use super::support::{shipped_catalogue, thursday};
use pintu::engine::input::Input;
use pintu::engine::reply::Piece;
use pintu::engine::{self, Ctx, Effect, Settings};
use std::collections::BTreeMap;

/// What the first reply did with a message.
fn outcome(ctx: &Ctx, text: &str) -> String {
    let step = engine::step(ctx, None, Input::Text(text.to_string()));
    // The script entered (it may already have ended, e.g. "KTP baru" → come in person).
    if let Some(script) = step.effects.iter().find_map(|e| match e {
        Effect::Pin { script, .. } => Some(script.clone()),
        _ => None,
    }) {
        return script;
    }
    if step.effects.iter().any(|e| matches!(e, Effect::ShowStatus { .. })) {
        return "cek_status".into();
    }
    let keys: Vec<&str> = step
        .replies
        .iter()
        .flat_map(|r| r.body.iter())
        .filter_map(|p| match p {
            Piece::Msg(m) => Some(m.key.as_str()),
            Piece::Field { .. } => None,
        })
        .collect();
    let has = |k: &str| keys.iter().any(|x| x.starts_with(k));
    if has("emergency-alert") {
        "darurat".into()
    } else if has("thanks-reply") {
        "thanks".into()
    } else if has("elsewhere-") {
        "elsewhere".into()
    } else if has("greeting") {
        // A greeting with the menu: the answer to "halo", and to words not understood on a
        // first contact.
        "greeting-menu".into()
    } else {
        "menu".into()
    }
}

/// Which outcomes count as right for a labelled intent.
fn accepted(intent: &str) -> &'static [&'static str] {
    match intent {
        "ktp_baru" | "ktp_hilang" | "ktp_rusak" => &["ktp_el"],
        "kk_perubahan" => &["kartu_keluarga"],
        "akta_kelahiran" => &["akta_kelahiran"],
        "akta_kematian" => &["akta_kematian"],
        "surat_pindah" => &["surat_pindah"],
        "izin_usaha" => &["izin_usaha_mikro"],
        "pengaduan" => &["pengaduan", "lapor_infrastruktur"],
        "darurat" => &["darurat"],
        "cek_status" => &["cek_status"],
        "greeting" => &["greeting", "greeting-menu"],
        "thanks" => &["thanks"],
        // Not a service of ours: the menu or a redirect is the helpful answer.
        _ => &["menu", "elsewhere", "greeting-menu"],
    }
}

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
    let mut per_intent: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for (text, intent) in csv_rows(&text) {
        let got = outcome(&ctx, &text);
        let ok = accepted(&intent).contains(&got.as_str());
        let e = per_intent.entry(intent.clone()).or_default();
        e.1 += 1;
        if ok {
            e.0 += 1;
        } else {
            misses.push(format!("  {intent:<15} → {got:<20} {text}"));
        }
    }
    let (hit, all) = per_intent.values().fold((0, 0), |(h, a), (x, y)| (h + x, a + y));
    eprintln!("corpus routing: {hit}/{all} ({:.0}%)", 100.0 * hit as f64 / all as f64);
    for (intent, (h, a)) in &per_intent {
        eprintln!("  {intent:<15} {h:>3}/{a:<3}");
    }
    eprintln!("misses:\n{}", misses.join("\n"));
    assert_eq!(all, 219, "the corpus changed; re-measure");
    assert!(hit * 100 >= all * MIN_PERCENT, "routing fell to {hit}/{all}");
}

/// Measured when this test was written; raise it when understanding improves.
const MIN_PERCENT: usize = 73;

/// Minimal CSV reader for the corpus (quoted fields with doubled quotes): (text, intent).
fn csv_rows(text: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut field = String::new();
    let mut fields = Vec::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            ('\n', false) => {
                fields.push(std::mem::take(&mut field));
                if fields.len() >= 2 {
                    rows.push((fields[0].clone(), fields[1].clone()));
                }
                fields.clear();
            }
            _ => field.push(c),
        }
    }
    rows.into_iter().skip(1).collect()
}
