//! Engine behaviour that transcripts show only by example: every numbered choice in every
//! state, the emergency report keeping what the citizen already gave, commands in the middle
//! of a form (`menu` + a service, `ubah <label>`, `bantuan`).

use super::*;
use crate::locale::Locales;
use crate::model::TicketNo;
use crate::model::input::Input;
use crate::model::reply::{Piece, Reply};
use crate::model::session::{Pending, Session, Value};
use crate::script::catalogue::Catalogue;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn shipped() -> Catalogue {
    let (cat, _) = Catalogue::load(&root().join("dialogs"), &root().join("locales"));
    assert!(cat.script("darurat").is_some() && cat.script("ktp_el").is_some());
    cat
}

/// A test service with the fields a summary edit has to tell apart (two numbers, a phone).
const UJI_YAML: &str = "
id: uji_hp
version: 1
opd: diskominfo
sla_days: 3
keywords: [uji nomor hp]
steps:
  - { id: nama, kind: name }
  - { id: no_kk, kind: kk }
  - { id: hp, kind: phone }
  - { id: alamat, kind: text, min: 5, max: 200 }
  - { id: ringkasan, kind: summary }
";

fn uji_ftl(title: &str, labels: [&str; 4]) -> String {
    let [nama, kk, hp, alamat] = labels;
    format!(
        "uji_hp-title = {title}\n\
         uji_hp-nama = ?\n    .label = {nama}\n\
         uji_hp-no_kk = ?\n    .label = {kk}\n\
         uji_hp-hp = ?\n    .label = {hp}\n\
         uji_hp-alamat = ?\n    .label = {alamat}\n\
         uji_hp-ringkasan = ?\n"
    )
}

/// The shipped catalogue plus `uji_hp`.
fn with_phone_form() -> Catalogue {
    let mut sources = Vec::new();
    for e in std::fs::read_dir(root().join("dialogs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            sources.push((p, text));
        }
    }
    sources.push((root().join("dialogs/uji_hp.yaml"), UJI_YAML.to_string()));
    let mut files = Vec::new();
    for lang in [Lang::Id, Lang::En] {
        let dir = root().join("locales").join(lang.code());
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            files.push((lang, p.clone(), std::fs::read_to_string(&p).unwrap()));
        }
    }
    let id = uji_ftl("Uji", ["Nama lengkap", "Nomor KK", "Nomor HP", "Alamat"]);
    let en = uji_ftl("Test", ["Full name", "Family card number", "Phone number", "Address"]);
    files.push((Lang::Id, root().join("locales/id/uji_hp.ftl"), id));
    files.push((Lang::En, root().join("locales/en/uji_hp.ftl"), en));
    let (locales, _) = Locales::from_sources(files);
    let (cat, _) = Catalogue::from_sources(&root().join("dialogs"), sources, locales);
    assert!(cat.script("uji_hp").is_some(), "the test form loads");
    cat
}

/// Thursday 2026-11-26 09:00 WITA.
fn thursday() -> Now {
    let wita = time::UtcOffset::from_hms(8, 0, 0).unwrap();
    Now::at_local(time::macros::date!(2026 - 11 - 26), time::macros::time!(9:00), wita)
}

/// One chat, stepped message by message.
struct Chat<'a> {
    cat: &'a Catalogue,
    settings: Settings,
    session: Option<Session>,
}

impl<'a> Chat<'a> {
    fn new(cat: &'a Catalogue) -> Self {
        Self { cat, settings: Settings::default(), session: None }
    }

    /// Steps without keeping the outcome (to compare two possible next messages).
    fn try_input(&self, input: Input) -> Step {
        let ctx =
            Ctx { catalogue: self.cat, pinned: None, settings: &self.settings, now: thursday() };
        step(&ctx, self.session.as_ref(), input)
    }

    fn send(&mut self, input: Input) -> Step {
        let st = self.try_input(input);
        self.session = Some(st.session.clone());
        st
    }

    fn say(&mut self, text: &str) -> Step {
        self.send(Input::Text(text.to_string()))
    }

    fn flow_script(&self) -> Option<&str> {
        self.session.as_ref()?.flow.as_ref().map(|f| f.script.as_str())
    }

    fn pending(&self) -> Pending {
        self.session.as_ref().map(|s| s.pending.clone()).unwrap_or_default()
    }

    /// The answer given to a step of the current flow, by step id.
    fn answer(&self, step_id: &str) -> Option<Value> {
        let flow = self.session.as_ref()?.flow.as_ref()?;
        let script = self.cat.script(&flow.script)?;
        flow.answer(script.step_index(step_id)?).cloned()
    }
}

/// The message id each reply starts with.
fn keys(st: &Step) -> Vec<&str> {
    st.replies
        .iter()
        .filter_map(|r| match r.body.first() {
            Some(Piece::Msg(m)) => Some(m.key.as_str()),
            _ => None,
        })
        .collect()
}

fn has_key(st: &Step, key: &str) -> bool {
    st.replies.iter().any(|r| {
        r.body.iter().any(|p| matches!(p, Piece::Msg(m) if m.key == key))
            || r.footer.as_ref().is_some_and(|m| m.key == key)
    })
}

/// The last reply that shows choices.
fn with_choices(st: &Step) -> &Reply {
    st.replies.iter().rev().find(|r| !r.choices.is_empty()).expect("a reply with choices")
}

/// What an outcome amounts to: the dialog, its answers, what is pending, the language, what
/// was said and done.
type Gist =
    (Option<String>, Vec<crate::model::session::Answer>, Pending, Lang, Vec<String>, Vec<Effect>);

fn gist(st: &Step) -> Gist {
    let flow = st.session.flow.as_ref();
    (
        flow.map(|f| f.script.clone()),
        flow.map(|f| f.answers.clone()).unwrap_or_default(),
        st.session.pending.clone(),
        st.session.lang,
        keys(st).into_iter().map(str::to_string).collect(),
        st.effects.clone(),
    )
}

/// Every place the engine shows numbered choices (buttons), reached by what a citizen types:
/// each choice must be taken by its number (a tap arrives as the number) and by its words, with
/// the same effect, and the number must never be read as something else.
#[test]
fn every_numbered_choice_takes_its_number_and_its_words() {
    let cat = shipped();
    let mut states: Vec<(String, Vec<&str>)> = vec![
        ("menu".into(), vec!["halo"]),
        ("language".into(), vec!["halo", "bahasa"]),
        ("forget".into(), vec!["halo", "hapus data saya"]),
        ("forget mid-form".into(), vec!["ktp rusak", "6409011708900001", "hapus data saya"]),
        ("emergency".into(), vec!["tolong ada kebakaran"]),
        ("emergency, kind unknown".into(), vec!["halo", "darurat"]),
        ("emergency mid-form".into(), vec!["ktp rusak", "6409011708900001", "tolong!!"]),
        ("batal mid-form".into(), vec!["ktp rusak", "6409011708900001", "batal"]),
        ("menu mid-form".into(), vec!["ktp rusak", "6409011708900001", "menu"]),
        (
            "batal at a choice".into(),
            vec!["ikd", "6409011708900001", "Budi", "budi@gmail.com", "batal"],
        ),
        ("yes/no step".into(), vec!["ktp hilang"]),
    ];
    // The first question of every service from the menu, when it shows choices.
    let numbers: Vec<String> = (1..=cat.menu.len()).map(|n| n.to_string()).collect();
    for (i, script) in cat.menu.iter().enumerate() {
        if script.steps.first().is_some_and(|s| {
            matches!(
                s.kind,
                crate::script::StepKind::Choice(_) | crate::script::StepKind::YesNo { .. }
            )
        }) {
            states.push((format!("first question of {}", script.id), vec!["halo", &numbers[i]]));
        }
    }
    let mut checked = 0;
    for (name, setup) in &states {
        let mut chat = Chat::new(&cat);
        let mut last = None;
        for line in setup {
            last = Some(chat.say(line));
        }
        let shown = with_choices(last.as_ref().unwrap()).clone();
        let garbage = gist(&chat.try_input(Input::Text("qwzx plorf".into())));
        for (k, label) in shown.choices.iter().enumerate() {
            let number = chat.try_input(Input::Text((k + 1).to_string()));
            let words = cat.locales.text(Lang::Id, label);
            let by_words = chat.try_input(Input::Text(words.clone()));
            assert_ne!(gist(&number), garbage, "{name}: `{}` was not taken as a choice", k + 1);
            assert_eq!(gist(&number), gist(&by_words), "{name}: `{}` vs `{words}`", k + 1);
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} choices checked");
}

#[test]
fn one_after_the_emergency_question_starts_the_report_not_ktp() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("tolong ada kebakaran");
    assert_eq!(chat.pending(), Pending::EmergencyAbout("kebakaran".into()));
    let st = chat.say("1");
    assert_eq!(chat.flow_script(), Some("darurat"));
    assert_eq!(keys(&st), ["understood-choice", "darurat-lokasi"]);
    assert_eq!(chat.answer("kategori"), Some(Value::Choice(0)));
    // "2" declines, outside a form: no dialog starts.
    let mut chat = Chat::new(&cat);
    chat.say("banjir");
    let st = chat.say("2");
    assert_eq!(chat.flow_script(), None);
    assert!(has_key(&st, "emergency-declined"));
}

#[test]
fn one_at_batal_cancels_and_is_not_an_answer() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    for line in ["ktp rusak", "6409011708900001", "batal"] {
        chat.say(line);
    }
    let st = chat.say("1");
    assert!(has_key(&st, "cancelled"), "{:?}", keys(&st));
    assert_eq!(chat.flow_script(), None);
    assert_eq!(chat.answer("nama"), None);
}

#[test]
fn a_location_at_the_emergency_question_is_the_reports_location() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("tolong ada kebakaran");
    let st = chat.send(Input::Location { lat: -1.26, lon: 116.83 });
    assert_eq!(chat.flow_script(), Some("darurat"));
    assert_eq!(keys(&st), ["understood-choice", "darurat-keterangan"]);
    assert_eq!(chat.answer("lokasi"), Some(Value::Location { lat: -1.26, lon: 116.83 }));
    let st = chat.say("lewati");
    let Some(Effect::Submit { draft, .. }) = st.effects.first() else {
        panic!("submitted at once: {:?}", st.effects);
    };
    let ids: Vec<&str> = draft.answers.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["lokasi", "kategori", "keterangan"], "in the order of the steps");
    assert_eq!(draft.answers[1].1, Value::Choice(0));

    // No kind named: the location is kept and the kind is asked.
    let mut chat = Chat::new(&cat);
    chat.say("darurat");
    assert_eq!(chat.pending(), Pending::Emergency);
    let st = chat.send(Input::Location { lat: -1.2, lon: 116.8 });
    assert_eq!(keys(&st), ["darurat-kategori"]);
    assert!(chat.answer("lokasi").is_some());

    // A location outside Indonesia: refused with the reason, and asked for again.
    let mut chat = Chat::new(&cat);
    chat.say("kecelakaan");
    let st = chat.send(Input::Location { lat: 48.85, lon: 2.35 });
    assert_eq!(chat.flow_script(), Some("darurat"));
    assert_eq!(keys(&st).last(), Some(&"darurat-lokasi"));
    assert_eq!(chat.answer("kategori"), Some(Value::Choice(1)));
    assert_eq!(chat.answer("lokasi"), None);
}

/// A citizen who cannot share a location (a computer, no GPS) types the place; a sentence that
/// names no place is not taken for one.
#[test]
fn a_typed_address_is_the_location_and_other_text_is_asked_again() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("lapor jalan rusak");
    chat.say("1");
    let photo = crate::model::input::Attachment {
        kind: crate::model::input::AttachmentKind::Photo,
        file: crate::model::session::FileRef {
            path: "files/ab.jpg".into(),
            mime: "image/jpeg".into(),
            bytes: 2048,
        },
        upload: crate::model::input::Upload {
            dest: "/nonexistent/ab.jpg".into(),
            bytes: [0u8; 4].into(),
        },
    };
    let st = chat.send(Input::Attachment(photo));
    assert_eq!(keys(&st).last(), Some(&"lapor_infrastruktur-lokasi"), "{:?}", keys(&st));
    for line in ["sebentar saya cari dulu", "ok", "tidak tau"] {
        let st = chat.say(line);
        assert!(has_key(&st, "expect-location"), "{line}: {:?}", keys(&st));
        assert_eq!(chat.answer("lokasi"), None);
    }
    chat.say("Jl. Provinsi km 12, depan SDN 3 Waru");
    assert_eq!(
        chat.answer("lokasi"),
        Some(Value::Text("Jl. Provinsi km 12, depan SDN 3 Waru".into()))
    );
}

#[test]
fn the_named_emergency_kind_is_not_asked_again() {
    let cat = shipped();
    for (first, kind) in [
        ("tolong ada kebakaran", "kebakaran"),
        ("banjir masuk rumah", "bencana"),
        ("kecelakaan", "kecelakaan"),
        ("ada yang pingsan", "medis"),
        ("anak tenggelam", "tenggelam_hilang"),
    ] {
        let mut chat = Chat::new(&cat);
        chat.say(first);
        assert_eq!(chat.pending(), Pending::EmergencyAbout(kind.into()), "{first}");
        chat.say("ya");
        chat.say("lewati");
        let script = cat.script("darurat").unwrap();
        let idx = chat.answer("kategori").expect(first);
        let crate::script::StepKind::Choice(opts) = &script.steps[1].kind else { panic!() };
        let Value::Choice(i) = idx else { panic!() };
        assert_eq!(&*opts[usize::from(i)].value, kind, "{first}");
        assert_eq!(chat.session.as_ref().unwrap().flow.as_ref().unwrap().at, 2, "{first}");
    }
    // Nothing named: asked as before.
    let mut chat = Chat::new(&cat);
    chat.say("sos");
    chat.say("ya");
    let st = chat.say("lewati");
    assert_eq!(keys(&st), ["darurat-kategori"]);
    // A longer message the router sends to the report asks first, and remembers the kind too.
    let mut chat = Chat::new(&cat);
    chat.say("tolong rumah tetangga saya kebakaran sekarang juga apinya besar");
    assert_eq!(chat.pending(), Pending::EmergencyAbout("kebakaran".into()));
    chat.say("ya");
    assert_eq!(chat.flow_script(), Some("darurat"));
}

/// The remembered kind is in the stored session: it survives a restart between the question
/// and the answer.
#[test]
fn the_emergency_kind_survives_the_store() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("kebakaran");
    // The store writes sessions with postcard (`store::codec`).
    let bytes = postcard::to_allocvec(chat.session.as_ref().unwrap()).unwrap();
    chat.session = Some(postcard::from_bytes(&bytes).unwrap());
    chat.say("ya");
    assert_eq!(chat.answer("kategori"), Some(Value::Choice(0)));
}

/// `kembali` undoes what the citizen typed; the kind known in advance is not a question of its
/// own to go back to.
#[test]
fn kembali_in_an_emergency_report_with_a_known_kind() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("kebakaran");
    chat.send(Input::Location { lat: -1.26, lon: 116.83 });
    let st = chat.say("kembali");
    assert_eq!(keys(&st), ["darurat-lokasi"]);
    let st = chat.say("kembali");
    assert_eq!(chat.flow_script(), None);
    assert!(has_key(&st, "back-at-start"));
}

#[test]
fn menu_then_a_service_name_switches_to_it() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    for line in ["ktp rusak", "6409011708900001", "menu"] {
        chat.say(line);
    }
    let st = chat.say("akta kelahiran");
    assert_eq!(chat.flow_script(), Some("akta_kelahiran"));
    assert!(has_key(&st, "switched"));
    assert_eq!(chat.answer("nama_bayi"), None, "the name is not an answer");

    // After "batal", in the citizen's words, with the kind understood.
    chat.say("Aisyah Putri");
    chat.say("batal");
    chat.say("mau lapor jalan rusak");
    assert_eq!(chat.flow_script(), Some("lapor_infrastruktur"));
    assert!(chat.answer("jenis").is_some());

    // The same service: nothing is lost.
    chat.say("menu");
    let st = chat.say("lapor jalan rusak");
    assert!(has_key(&st, "cancel-kept"));
    assert!(chat.answer("jenis").is_some());
}

/// Fills the test form up to its summary.
fn at_summary(cat: &Catalogue) -> Chat<'_> {
    let mut chat = Chat::new(cat);
    for line in ["uji nomor hp", "Budi Santoso", "6409012005150003", "081234567890", "Jl. Mawar 5"]
    {
        chat.say(line);
    }
    let flow = chat.session.as_ref().unwrap().flow.as_ref().unwrap();
    assert_eq!(flow.at, 4, "at the summary");
    chat
}

fn editing(chat: &Chat) -> Option<u16> {
    let flow = chat.session.as_ref()?.flow.as_ref()?;
    flow.editing.then_some(flow.at)
}

#[test]
fn ubah_names_a_field_by_its_label() {
    let cat = with_phone_form();
    for (typed, step) in [
        ("ubah nomor hp", 2),
        ("ubah no hp", 2),
        ("ganti hp", 2),
        ("ubah nomor kk", 1),
        ("ubah nama", 0),
        ("ubah namanya", 0),
        ("ubah alamt", 3),
        ("edit phone number", 2),
        ("ubah 2", 1),
    ] {
        let mut chat = at_summary(&cat);
        chat.say(typed);
        assert_eq!(editing(&chat), Some(step), "{typed}");
    }
    // Two numbers: which one?
    let mut chat = at_summary(&cat);
    let st = chat.say("ubah nomor");
    assert_eq!(editing(&chat), None);
    assert_eq!(keys(&st), ["edit-which"], "`ubah nomor` is the lexicon's own phrase");
    let st = chat.say("ganti no");
    assert_eq!(editing(&chat), None);
    assert_eq!(keys(&st), ["edit-ambiguous"]);
    assert_eq!(st.replies[0].body.len(), 3, "both numbers listed");
    // Nothing fits: nothing is changed by guesswork; short words are never fuzzy.
    for typed in ["ubah email", "ubah kk hp", "ubah hb"] {
        let mut chat = at_summary(&cat);
        let st = chat.say(typed);
        assert_eq!(editing(&chat), None, "{typed}");
        assert_eq!(keys(&st), ["edit-not-found"], "{typed}");
    }
}

#[test]
fn bantuan_is_short_and_fits_the_question() {
    let cat = shipped();
    let mut chat = Chat::new(&cat);
    chat.say("halo");
    let st = chat.say("bantuan");
    assert_eq!(keys(&st), ["help", "menu-intro"]);
    let st = chat.say("data saya");
    assert!(has_key(&st, "privacy-notice"), "the notice stays within reach");
    chat.say("ktp");
    let st = chat.say("bantuan");
    assert_eq!(keys(&st), ["help-in-flow", "ktp_el-jenis"]);
    let Piece::Msg(m) = &st.replies[0].body[0] else { panic!() };
    assert!(
        matches!(&m.args[0].1, crate::model::reply::Arg::Msg(a) if a.key == "help-answer-choice")
    );
    assert!(!has_key(&st, "privacy-notice"));
    // An optional question says it may be skipped.
    let mut chat = Chat::new(&cat);
    chat.say("darurat");
    chat.say("ya");
    let st = chat.say("bantuan");
    assert!(has_key(&st, "help-skip"));
    assert!(has_key(&st, "help-commands"));
}

/// Every message id the engine can emit from these paths exists in both languages.
#[test]
fn new_message_ids_exist() {
    let cat = shipped();
    for key in crate::script::needed::MESSAGE_IDS {
        for lang in [Lang::Id, Lang::En] {
            assert!(cat.locales.has(lang, key), "{key} missing in {}", lang.code());
        }
    }
}

/// A valid ticket number starting with `body` (7 symbols): the check symbol that fits.
fn valid_ticket(body: &str) -> TicketNo {
    "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
        .chars()
        .find_map(|check| TicketNo::parse(&format!("{body}{check}"), &[]).ok())
        .expect("one check symbol fits")
}

/// Numbers the canonical form would break: a run of three letters ("SSS" becomes "S"), a half
/// that is an abbreviation ("SKRG" becomes "sekarang") or a filler ("MBAK" is dropped). Each
/// is read as typed, by the status and correction commands and alone.
#[test]
fn ticket_numbers_are_read_as_typed() {
    let cat = shipped();
    for no in [valid_ticket("ZM8HSSS"), valid_ticket("SKRG7K2"), valid_ticket("MBAK4Q7")] {
        let typed = format!("{}-{}", &no.as_str()[..4], &no.as_str()[4..]);
        let asks = |text: String| {
            let st = Chat::new(&cat).say(&text);
            st.effects
                .iter()
                .find_map(|e| match e {
                    Effect::ShowStatus { query: StatusQuery::One(n), .. }
                    | Effect::BeginCorrection { ticket: n, .. } => Some(*n),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("{text:?}: no ticket in {:?}", keys(&st)))
        };
        for text in [
            format!("status {typed}"),
            format!("cek status {}", typed.to_lowercase()),
            format!("perbaiki {typed}"),
            format!("kapan {typed} jadi?"),
            typed.clone(),
            format!("/status {typed}"),
            format!("status: {typed}"),
            format!("perbaiki: {typed}"),
            format!("Status {}", typed.replace('-', " ")),
        ] {
            assert_eq!(asks(text), no);
        }
    }
    // A wrong check symbol is named as such, not taken for a number too short.
    let wrong = ["ZM8H-SSS2", "ZM8H-SSS3"]
        .into_iter()
        .find(|n| TicketNo::parse(n, &[]) == Err(crate::model::TicketNoError::CheckFailed))
        .expect("one of two symbols fails the check");
    let st = Chat::new(&cat).say(&format!("status {wrong}?"));
    assert!(has_key(&st, "invalid-ticket-check"), "{:?}", keys(&st));
}
