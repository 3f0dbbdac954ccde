//! Counters for operators, in Prometheus text format at `GET /metrics`: messages per channel,
//! step latency, commits, outbox depth and age per lane, deliveries, dead letters, and the
//! funnel per service (started, completed, abandoned at which step) so admins see where citizens
//! give up. Holds no personal data: labels are channels, script and step ids, job kinds.
//!
//! May use: `clock`, `model`, `store`.

use crate::clock::Timestamp;
use crate::model::Channel;
use crate::model::outbox::Job;
use crate::store::Store;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (µs) of the step latency histogram buckets.
const BUCKETS_US: [u64; 9] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 50_000];

const CHANNELS: [Channel; 4] =
    [Channel::Terminal, Channel::Telegram, Channel::WhatsApp, Channel::Web];

fn ch(c: Channel) -> usize {
    match c {
        Channel::Terminal => 0,
        Channel::Telegram => 1,
        Channel::WhatsApp => 2,
        Channel::Web => 3,
    }
}

/// A dialog event for the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Funnel {
    Started,
    Completed,
    Abandoned,
}

#[derive(Debug, Default)]
pub struct Metrics {
    messages_in: [AtomicU64; CHANNELS.len()],
    replies_out: [AtomicU64; CHANNELS.len()],
    duplicates: AtomicU64,
    step_buckets: [AtomicU64; BUCKETS_US.len() + 1],
    step_sum_us: AtomicU64,
    rounds: AtomicU64,
    round_failures: AtomicU64,
    /// (job kind, outcome) → attempts.
    deliveries: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    /// (script, event, step) → count; step is empty except for abandonment.
    funnel: Mutex<BTreeMap<(String, Funnel, String), u64>>,
}

impl Metrics {
    pub fn message_in(&self, c: Channel, duplicate: bool) {
        self.messages_in[ch(c)].fetch_add(1, Ordering::Relaxed);
        if duplicate {
            self.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn replies_out(&self, c: Channel, n: usize) {
        self.replies_out[ch(c)].fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn step_time(&self, us: u64) {
        let i = BUCKETS_US.iter().position(|&b| us <= b).unwrap_or(BUCKETS_US.len());
        self.step_buckets[i].fetch_add(1, Ordering::Relaxed);
        self.step_sum_us.fetch_add(us, Ordering::Relaxed);
    }

    pub fn round(&self, ok: bool) {
        self.rounds.fetch_add(1, Ordering::Relaxed);
        if !ok {
            self.round_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn delivery(&self, job: &Job, outcome: &'static str) {
        let kind = match job {
            Job::Forward { .. } => "forward",
            Job::Push { .. } => "push",
            Job::Remind { .. } => "remind",
            Job::Notify { .. } => "notify",
        };
        if let Ok(mut d) = self.deliveries.lock() {
            *d.entry((kind, outcome)).or_default() += 1;
        }
    }

    pub fn funnel(&self, script: &str, event: Funnel, step: &str) {
        if let Ok(mut f) = self.funnel.lock() {
            *f.entry((script.to_string(), event, step.to_string())).or_default() += 1;
        }
    }

    /// The Prometheus text exposition; outbox figures are read from the store now.
    pub fn render(&self, store: &dyn Store, now: Timestamp) -> String {
        let mut out = String::new();
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let _ =
            writeln!(out, "# HELP pintu_messages_in_total Citizen messages received, by channel.");
        let _ = writeln!(out, "# TYPE pintu_messages_in_total counter");
        for c in CHANNELS {
            let _ = writeln!(
                out,
                "pintu_messages_in_total{{channel=\"{}\"}} {}",
                c.code(),
                load(&self.messages_in[ch(c)])
            );
        }
        let _ = writeln!(out, "# HELP pintu_replies_out_total Replies produced, by channel.");
        let _ = writeln!(out, "# TYPE pintu_replies_out_total counter");
        for c in CHANNELS {
            let _ = writeln!(
                out,
                "pintu_replies_out_total{{channel=\"{}\"}} {}",
                c.code(),
                load(&self.replies_out[ch(c)])
            );
        }
        let _ = writeln!(
            out,
            "# HELP pintu_duplicates_total Redelivered messages recognised and not stepped again."
        );
        let _ = writeln!(out, "# TYPE pintu_duplicates_total counter");
        let _ = writeln!(out, "pintu_duplicates_total {}", load(&self.duplicates));
        let _ = writeln!(
            out,
            "# HELP pintu_step_seconds Time to step one message (engine and effects)."
        );
        let _ = writeln!(out, "# TYPE pintu_step_seconds histogram");
        let mut cumulative = 0;
        for (i, b) in BUCKETS_US.iter().enumerate() {
            cumulative += load(&self.step_buckets[i]);
            let _ = writeln!(
                out,
                "pintu_step_seconds_bucket{{le=\"{}\"}} {cumulative}",
                *b as f64 / 1e6
            );
        }
        cumulative += load(&self.step_buckets[BUCKETS_US.len()]);
        let _ = writeln!(out, "pintu_step_seconds_bucket{{le=\"+Inf\"}} {cumulative}");
        let _ = writeln!(out, "pintu_step_seconds_sum {}", load(&self.step_sum_us) as f64 / 1e6);
        let _ = writeln!(out, "pintu_step_seconds_count {cumulative}");
        let _ = writeln!(
            out,
            "# HELP pintu_commit_rounds_total Conversation rounds committed (one flush each)."
        );
        let _ = writeln!(out, "# TYPE pintu_commit_rounds_total counter");
        let _ = writeln!(out, "pintu_commit_rounds_total {}", load(&self.rounds));
        let _ = writeln!(
            out,
            "# HELP pintu_commit_failures_total Conversation rounds whose commit failed (left for redelivery)."
        );
        let _ = writeln!(out, "# TYPE pintu_commit_failures_total counter");
        let _ = writeln!(out, "pintu_commit_failures_total {}", load(&self.round_failures));
        let _ =
            writeln!(out, "# HELP pintu_deliveries_total Outbox attempts by job kind and outcome.");
        let _ = writeln!(out, "# TYPE pintu_deliveries_total counter");
        if let Ok(d) = self.deliveries.lock() {
            for ((kind, outcome), n) in d.iter() {
                let _ = writeln!(
                    out,
                    "pintu_deliveries_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP pintu_dialogs_total Dialog funnel: started, completed, abandoned (at step)."
        );
        let _ = writeln!(out, "# TYPE pintu_dialogs_total counter");
        if let Ok(f) = self.funnel.lock() {
            for ((script, event, step), n) in f.iter() {
                let event = match event {
                    Funnel::Started => "started",
                    Funnel::Completed => "completed",
                    Funnel::Abandoned => "abandoned",
                };
                let _ = writeln!(
                    out,
                    "pintu_dialogs_total{{service=\"{script}\",event=\"{event}\",step=\"{step}\"}} {n}"
                );
            }
        }
        let pending = store.outbox_pending().unwrap_or_default();
        let mut lanes: BTreeMap<&'static str, (u64, i64)> = BTreeMap::new();
        for e in &pending {
            let kind = match e.job {
                Job::Forward { .. } => "forward",
                Job::Push { .. } => "push",
                Job::Remind { .. } => "remind",
                Job::Notify { .. } => "notify",
            };
            let lane = lanes.entry(kind).or_default();
            lane.0 += 1;
            lane.1 = lane.1.max(now.0 - e.created.0);
        }
        let kinds = ["forward", "push", "remind", "notify"];
        let _ = writeln!(out, "# HELP pintu_outbox_pending Outbox entries waiting, by kind.");
        let _ = writeln!(out, "# TYPE pintu_outbox_pending gauge");
        for kind in kinds {
            let n = lanes.get(kind).map_or(0, |l| l.0);
            let _ = writeln!(out, "pintu_outbox_pending{{kind=\"{kind}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP pintu_outbox_oldest_seconds Age of the oldest waiting outbox entry, by kind."
        );
        let _ = writeln!(out, "# TYPE pintu_outbox_oldest_seconds gauge");
        for kind in kinds {
            let age = lanes.get(kind).map_or(0, |l| l.1);
            let _ = writeln!(out, "pintu_outbox_oldest_seconds{{kind=\"{kind}\"}} {age}");
        }
        let dead = store.outbox_dead().map(|d| d.len()).unwrap_or_default();
        let _ =
            writeln!(out, "# HELP pintu_dead_letters Deliveries given up, waiting for an admin.");
        let _ = writeln!(out, "# TYPE pintu_dead_letters gauge");
        let _ = writeln!(out, "pintu_dead_letters {dead}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sample follows its own family's HELP and TYPE, and each family is one block (the
    /// text format's rules; `pintu_commit_failures_total` and `pintu_outbox_oldest_seconds`
    /// used to have neither and sat inside other families).
    #[test]
    fn every_family_has_help_and_type_and_is_not_interleaved() {
        let m = Metrics::default();
        m.message_in(Channel::Telegram, true);
        m.step_time(120);
        m.round(false);
        m.delivery(&Job::Remind { ticket: crate::store::suite::ticket_no(1), day: 1 }, "ok");
        m.funnel("ktp_el", Funnel::Abandoned, "nik");
        let text = m.render(&crate::store::MemoryStore::new(), Timestamp(0));
        let mut seen = std::collections::HashSet::new();
        let (mut help, mut family) = (None::<String>, None::<(String, String)>);
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["#", "HELP", name, ..] => help = Some(name.to_string()),
                ["#", "TYPE", name, kind] => {
                    assert_eq!(help.as_deref(), Some(*name), "HELP before TYPE: {line}");
                    assert!(seen.insert(name.to_string()), "{name} appears twice");
                    family = Some((name.to_string(), kind.to_string()));
                }
                [sample, _value] => {
                    let name = sample.split('{').next().unwrap();
                    let (fam, kind) = family.as_ref().expect("a sample before any TYPE");
                    let own = name == fam
                        || (kind == "histogram"
                            && ["_bucket", "_sum", "_count"]
                                .iter()
                                .any(|s| name.strip_suffix(s) == Some(fam.as_str())));
                    assert!(own, "{name} inside family {fam}");
                }
                _ => panic!("unexpected line {line}"),
            }
        }
        assert!(seen.contains("pintu_commit_failures_total"));
        assert!(seen.contains("pintu_outbox_oldest_seconds"));
    }
}
