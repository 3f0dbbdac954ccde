//! The funnel per service, from two sources told apart on the page:
//! - durable, derived from the store at each view: submitted tickets (every step they answered
//!   was reached) and open drafts (the steps they answered, and the question they wait at; a
//!   draft idle longer than `resume_after` counts as stopped there). This survives restarts,
//!   but drafts cancelled or expired are gone from the store, so it undercounts leaving;
//! - since the last start, from the metrics counters (`pintu_dialogs_total`): dialogs started,
//!   completed and abandoned at each step, including cancelled ones, lost at a restart.
//!
//! Drawn as a server-side SVG bar chart: no JavaScript.

use crate::clock::Timestamp;
use crate::metrics::{Funnel, Metrics};
use crate::model::session::Session;
use crate::model::ticket::Ticket;
use crate::script::catalogue::Catalogue;
use std::collections::HashMap;

/// One service's numbers, steps in script order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ServiceFunnel {
    pub id: String,
    pub title: String,
    /// Durable: tickets plus open drafts.
    pub started: u64,
    pub submitted: u64,
    pub steps: Vec<StepRow>,
    /// Since start (metrics).
    pub live_started: u64,
    pub live_completed: u64,
    pub live_abandoned: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StepRow {
    pub id: String,
    /// Tickets and drafts that answered it or wait at it.
    pub reached: u64,
    /// Drafts waiting at it, idle longer than `resume_after`.
    pub stalled: u64,
    /// Drafts waiting at it, active.
    pub waiting: u64,
    /// Since start: dialogs left at this step.
    pub live_abandoned: u64,
}

/// Counts every live service's funnel from the tickets and sessions given.
pub fn count(
    catalogue: &Catalogue,
    tickets: &[Ticket],
    sessions: &[Session],
    metrics: &Metrics,
    now: Timestamp,
    resume_after_secs: i64,
) -> Vec<ServiceFunnel> {
    let mut out = Vec::new();
    for script in catalogue.menu.iter() {
        if script.steps.is_empty() {
            continue;
        }
        let index: HashMap<&str, usize> =
            script.steps.iter().enumerate().map(|(i, s)| (&*s.id, i)).collect();
        let mut f = ServiceFunnel {
            id: script.id.to_string(),
            title: catalogue.locales.text(
                crate::model::session::Lang::Id,
                &crate::model::reply::Msg::new(script.title_key()),
            ),
            steps: script
                .steps
                .iter()
                .map(|s| StepRow { id: s.id.to_string(), ..StepRow::default() })
                .collect(),
            ..ServiceFunnel::default()
        };
        for t in tickets.iter().filter(|t| t.script == *script.id) {
            f.started += 1;
            f.submitted += 1;
            for (step, _) in &t.answers {
                if let Some(&i) = index.get(step.as_str()) {
                    f.steps[i].reached += 1;
                }
            }
        }
        for flow in sessions.iter().filter_map(|s| s.flow.as_ref().map(|f| (s, f))) {
            let (session, flow) = flow;
            if flow.script != *script.id {
                continue;
            }
            f.started += 1;
            // Step indexes are only this version's; a draft on another version counts as
            // started, not at a step.
            if flow.version != script.version {
                continue;
            }
            let mut seen = vec![false; f.steps.len()];
            for a in &flow.answers {
                if let Some(s) = seen.get_mut(usize::from(a.step)) {
                    *s = true;
                }
            }
            let at = usize::from(flow.at);
            if let Some(s) = seen.get_mut(at) {
                *s = true;
            }
            for (row, _) in f.steps.iter_mut().zip(&seen).filter(|(_, s)| **s) {
                row.reached += 1;
            }
            if let Some(row) = f.steps.get_mut(at) {
                if now.0 - session.touched.0 > resume_after_secs {
                    row.stalled += 1;
                } else {
                    row.waiting += 1;
                }
            }
        }
        f.live_started = metrics.funnel_count(&script.id, Funnel::Started, "");
        f.live_completed = metrics.funnel_count(&script.id, Funnel::Completed, "");
        for row in &mut f.steps {
            row.live_abandoned = metrics.funnel_count(&script.id, Funnel::Abandoned, &row.id);
            f.live_abandoned += row.live_abandoned;
        }
        out.push(f);
    }
    out
}

/// A bar of the chart, in SVG user units.
pub struct Bar {
    pub label: String,
    pub y: u32,
    /// The reached part and, after it, the stopped part.
    pub width: u32,
    pub stopped_x: u32,
    pub stopped_width: u32,
    pub value: String,
}

/// Chart geometry: the label column, the bar area, the row height, the value column. Narrow,
/// so that a phone shows the chart at nearly its own size.
pub const LABEL_W: u32 = 140;
pub const BAR_W: u32 = 170;
pub const ROW_H: u32 = 24;
pub const VALUE_W: u32 = 110;

/// The chart's bars: started, every step reached (with the drafts stopped there), submitted.
pub fn bars(f: &ServiceFunnel) -> Vec<Bar> {
    let max = f.started.max(1);
    let scale = |n: u64| u32::try_from(n * u64::from(BAR_W) / max).unwrap_or(BAR_W);
    let mut rows = vec![("mulai · started".to_string(), f.started, 0)];
    rows.extend(f.steps.iter().map(|s| (s.id.clone(), s.reached, s.stalled)));
    rows.push(("selesai · submitted".to_string(), f.submitted, 0));
    rows.into_iter()
        .enumerate()
        .map(|(i, (label, reached, stalled))| {
            let width = scale(reached);
            let stopped_width = scale(stalled).min(width);
            let value = if stalled > 0 {
                format!("{reached} ({stalled} berhenti)")
            } else {
                reached.to_string()
            };
            Bar {
                label,
                y: u32::try_from(i).unwrap_or(0) * ROW_H,
                width,
                stopped_x: LABEL_W + width - stopped_width,
                stopped_width,
                value,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_started_count_and_show_the_stopped_part() {
        let f = ServiceFunnel {
            started: 4,
            submitted: 1,
            steps: vec![
                StepRow { id: "nik".into(), reached: 4, stalled: 1, ..StepRow::default() },
                StepRow { id: "nama".into(), reached: 2, ..StepRow::default() },
            ],
            ..ServiceFunnel::default()
        };
        let bars = bars(&f);
        let widths: Vec<u32> = bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [BAR_W, BAR_W, BAR_W / 2, BAR_W / 4]);
        assert_eq!(bars[1].stopped_width, BAR_W / 4);
        assert_eq!(bars[1].stopped_x, LABEL_W + BAR_W - BAR_W / 4);
        assert_eq!(bars[1].value, "4 (1 berhenti)");
        assert_eq!(bars[3].y, 3 * ROW_H);
    }
}
