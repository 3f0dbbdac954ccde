//! Counters for operators, in the OpenMetrics text format (which Prometheus scrapes) at
//! `GET /metrics`, through `prometheus-client`: messages per channel, step latency, commits,
//! outbox depth and age per lane, deliveries, dead letters, and the funnel per service
//! (started, completed, abandoned at which step) so admins see where citizens give up. Holds
//! no personal data: labels are channels, script and step ids, job kinds.
//!
//! May use: `clock`, `model`, `store`.

use crate::clock::Timestamp;
use crate::model::Channel;
use crate::model::outbox::Job;
use crate::store::Store;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::collections::BTreeMap;

/// The `Content-Type` of [`Metrics::render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Upper bounds (seconds) of the step latency histogram buckets: 50 µs to 50 ms.
const STEP_BUCKETS: [f64; 9] = [5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2];

/// A dialog event for the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Funnel {
    Started,
    Completed,
    Abandoned,
}

impl Funnel {
    fn label(self) -> &'static str {
        match self {
            Funnel::Started => "started",
            Funnel::Completed => "completed",
            Funnel::Abandoned => "abandoned",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabel {
    channel: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    kind: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FunnelLabels {
    service: String,
    event: &'static str,
    /// Empty except for abandonment.
    step: String,
}

/// Every counter and gauge, registered once; cheap to update from any task.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    messages_in: Family<ChannelLabel, Counter>,
    replies_out: Family<ChannelLabel, Counter>,
    duplicates: Counter,
    step_seconds: Histogram,
    rounds: Counter,
    round_failures: Counter,
    deliveries: Family<DeliveryLabels, Counter>,
    funnel: Family<FunnelLabels, Counter>,
    // Read from the store at each render.
    outbox_pending: Family<KindLabel, Gauge>,
    outbox_oldest_seconds: Family<KindLabel, Gauge>,
    dead_letters: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let m = Metrics {
            registry: Registry::default(),
            messages_in: Family::default(),
            replies_out: Family::default(),
            duplicates: Counter::default(),
            step_seconds: Histogram::new(STEP_BUCKETS),
            rounds: Counter::default(),
            round_failures: Counter::default(),
            deliveries: Family::default(),
            funnel: Family::default(),
            outbox_pending: Family::default(),
            outbox_oldest_seconds: Family::default(),
            dead_letters: Gauge::default(),
        };
        let mut r = m.registry;
        r.register(
            "pintu_messages_in",
            "Citizen messages received, by channel",
            m.messages_in.clone(),
        );
        r.register("pintu_replies_out", "Replies produced, by channel", m.replies_out.clone());
        r.register(
            "pintu_duplicates",
            "Redelivered messages recognised and not stepped again",
            m.duplicates.clone(),
        );
        r.register(
            "pintu_step_seconds",
            "Time to step one message (engine and effects)",
            m.step_seconds.clone(),
        );
        r.register(
            "pintu_commit_rounds",
            "Conversation rounds committed (one flush each)",
            m.rounds.clone(),
        );
        r.register(
            "pintu_commit_failures",
            "Conversation rounds whose commit failed (left for redelivery)",
            m.round_failures.clone(),
        );
        r.register(
            "pintu_deliveries",
            "Outbox attempts by job kind and outcome",
            m.deliveries.clone(),
        );
        r.register(
            "pintu_dialogs",
            "Dialog funnel: started, completed, abandoned (at step)",
            m.funnel.clone(),
        );
        r.register(
            "pintu_outbox_pending",
            "Outbox entries waiting, by kind",
            m.outbox_pending.clone(),
        );
        r.register(
            "pintu_outbox_oldest_seconds",
            "Age of the oldest waiting outbox entry, by kind",
            m.outbox_oldest_seconds.clone(),
        );
        r.register(
            "pintu_dead_letters",
            "Deliveries given up, waiting for an admin",
            m.dead_letters.clone(),
        );
        Metrics { registry: r, ..m }
    }
}

impl Metrics {
    pub fn message_in(&self, c: Channel, duplicate: bool) {
        self.messages_in.get_or_create(&ChannelLabel { channel: c.code() }).inc();
        if duplicate {
            self.duplicates.inc();
        }
    }

    pub fn replies_out(&self, c: Channel, n: usize) {
        self.replies_out.get_or_create(&ChannelLabel { channel: c.code() }).inc_by(n as u64);
    }

    pub fn step_time(&self, us: u64) {
        self.step_seconds.observe(us as f64 / 1e6);
    }

    pub fn round(&self, ok: bool) {
        self.rounds.inc();
        if !ok {
            self.round_failures.inc();
        }
    }

    pub fn delivery(&self, job: &Job, outcome: &'static str) {
        self.deliveries.get_or_create(&DeliveryLabels { kind: job.kind(), outcome }).inc();
    }

    pub fn funnel(&self, script: &str, event: Funnel, step: &str) {
        let labels = FunnelLabels {
            service: script.to_owned(),
            event: event.label(),
            step: step.to_owned(),
        };
        self.funnel.get_or_create(&labels).inc();
    }

    /// One funnel counter since start (0 if it never moved): the admins' funnel page.
    pub fn funnel_count(&self, script: &str, event: Funnel, step: &str) -> u64 {
        let labels = FunnelLabels {
            service: script.to_owned(),
            event: event.label(),
            step: step.to_owned(),
        };
        self.funnel.get(&labels).map_or(0, |c| c.get())
    }

    /// The OpenMetrics text exposition ([`CONTENT_TYPE`]); outbox figures are read from the
    /// store now.
    pub fn render(&self, store: &dyn Store, now: Timestamp) -> String {
        let pending = store.outbox_pending().unwrap_or_default();
        let mut lanes: BTreeMap<&'static str, (i64, i64)> = BTreeMap::new();
        for e in &pending {
            let lane = lanes.entry(e.job.kind()).or_default();
            lane.0 += 1;
            lane.1 = lane.1.max(now.0 - e.created.0);
        }
        // Every kind always reported: a zero is an answer, a missing series is not.
        for kind in Job::KINDS {
            let (n, age) = lanes.get(kind).copied().unwrap_or_default();
            self.outbox_pending.get_or_create(&KindLabel { kind }).set(n);
            self.outbox_oldest_seconds.get_or_create(&KindLabel { kind }).set(age);
        }
        let dead = store.outbox_dead().map(|d| d.len()).unwrap_or_default();
        self.dead_letters.set(i64::try_from(dead).unwrap_or(i64::MAX));
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("encoding the metrics failed");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> String {
        let m = Metrics::default();
        m.message_in(Channel::Telegram, true);
        m.message_in(Channel::Telegram, false);
        m.replies_out(Channel::WhatsApp, 3);
        m.step_time(120);
        m.round(false);
        m.delivery(&Job::Remind { ticket: crate::store::suite::ticket_no(1), day: 1 }, "ok");
        m.funnel("ktp_el", Funnel::Abandoned, "nik");
        m.render(&crate::store::MemoryStore::new(), Timestamp(0))
    }

    /// The exposition follows the OpenMetrics text rules a scraper relies on: every family has
    /// HELP and TYPE before its samples and is one block, sample names belong to their family
    /// (counters end in `_total`; histograms have `_bucket`, `_sum`, `_count`), and `# EOF`
    /// ends it.
    #[test]
    fn the_exposition_is_well_formed_openmetrics() {
        let text = rendered();
        assert_eq!(text.lines().last(), Some("# EOF"));
        let mut seen = std::collections::HashSet::new();
        let (mut help, mut family) = (None::<String>, None::<(String, String)>);
        for line in text.lines().filter(|l| *l != "# EOF") {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["#", "HELP", name, ..] => help = Some(name.to_string()),
                ["#", "TYPE", name, kind] => {
                    assert_eq!(help.as_deref(), Some(*name), "HELP before TYPE: {line}");
                    assert!(seen.insert(name.to_string()), "{name} appears twice");
                    family = Some((name.to_string(), kind.to_string()));
                }
                [sample, value] => {
                    let name = sample.split('{').next().unwrap();
                    let (fam, kind) = family.as_ref().expect("a sample before any TYPE");
                    let suffixes: &[&str] = match kind.as_str() {
                        "counter" => &["_total"],
                        "histogram" => &["_bucket", "_sum", "_count"],
                        _ => &[""],
                    };
                    let own = suffixes.iter().any(|s| name.strip_suffix(s) == Some(fam.as_str()));
                    assert!(own, "{name} inside family {fam} ({kind})");
                    assert!(value.parse::<f64>().is_ok(), "value of {line}");
                }
                _ => panic!("unexpected line {line}"),
            }
        }
        for family in ["pintu_commit_failures", "pintu_outbox_oldest_seconds", "pintu_dead_letters"]
        {
            assert!(seen.contains(family), "{family} missing");
        }
    }

    /// What was counted is what is reported, with labels and no personal data.
    #[test]
    fn counts_reach_the_exposition() {
        let text = rendered();
        for sample in [
            "pintu_messages_in_total{channel=\"tg\"} 2",
            "pintu_duplicates_total 1",
            "pintu_replies_out_total{channel=\"wa\"} 3",
            "pintu_step_seconds_count 1",
            "pintu_step_seconds_bucket{le=\"0.00025\"} 1",
            "pintu_step_seconds_bucket{le=\"0.0001\"} 0",
            "pintu_commit_failures_total 1",
            "pintu_deliveries_total{kind=\"remind\",outcome=\"ok\"} 1",
            "pintu_dialogs_total{service=\"ktp_el\",event=\"abandoned\",step=\"nik\"} 1",
            "pintu_outbox_pending{kind=\"forward\"} 0",
            "pintu_dead_letters 0",
        ] {
            assert!(text.lines().any(|l| l == sample), "{sample} not in:\n{text}");
        }
    }
}
