//! Engine only: the pure `engine::step` over a whole typical dialog (Aktivasi IKD, 8 messages with
//! one invalid NIK, ending in the summary confirmation that submits), plus rendering its replies
//! with Fluent (done at send time by the channels).
//!
//! Reports, before criterion's timings: time per step, steps/s, allocations and allocated bytes
//! per step, and the stored size (postcard via `codec::encode_session`) of the session after every
//! step.
//!
//! Allocations are counted with `stats_alloc` as the global allocator. The crate sets
//! `unsafe_code = "forbid"` in `[lints]`, which also covers bench targets and cannot be lowered
//! with `#![allow]`, so a hand-written `GlobalAlloc` wrapper is impossible here; `stats_alloc`
//! keeps the `unsafe impl` inside the dev-dependency and `#[global_allocator]` on a static needs
//! no unsafe code of ours.
//!
//! `cargo bench --bench engine` measures; `cargo test --all-targets` runs it once, quickly.

mod common;
use common::DIALOG;

use criterion::{Criterion, black_box, criterion_group};
use pintu::clock::Now;
use pintu::engine::{self, Ctx, Effect, Settings};
use pintu::model::input::Input;
use pintu::model::session::Session;
use pintu::script::catalogue::Catalogue;
use pintu::store::codec;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::path::PathBuf;
use std::time::Instant;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// A 26-word first message, written for the bench: a status question told as a story.
const LONG_FIRST_MESSAGE: &str = "selamat siang pak, saya mau tanya, ktp saya hilang bulan \
    lalu dan sudah ngurus di kecamatan tapi sampai sekarang blm jadi juga, kira2 kapan jadinya ya";

fn catalogue() -> Catalogue {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let (cat, diags) = Catalogue::load(&root.join("dialogs"), &root.join("locales"));
    assert!(diags.iter().all(|d| !d.to_string().contains("error")), "dialogs have errors");
    cat
}

/// Thursday 2026-11-26 09:00 WITA: a working day, so `besok` is valid.
fn thursday() -> Now {
    let wita = time::UtcOffset::from_hms(8, 0, 0).expect("offset");
    Now::at_local(
        time::macros::date!(2026 - 11 - 26),
        time::Time::from_hms(9, 0, 0).expect("t"),
        wita,
    )
}

fn inputs() -> Vec<Input> {
    DIALOG.iter().map(|t| Input::Text((*t).to_string())).collect()
}

/// One whole dialog; returns the number of replies (so nothing is optimised away).
fn dialog(ctx: &Ctx, inputs: Vec<Input>) -> usize {
    let mut session: Option<Session> = None;
    let mut replies = 0;
    for input in inputs {
        let step = engine::step(ctx, session.as_ref(), input);
        replies += step.replies.len();
        session = Some(step.session);
    }
    replies
}

/// Checks the dialog really ends in a submission, and prints sizes per step.
fn check_and_sizes(ctx: &Ctx) -> Vec<usize> {
    let mut session: Option<Session> = None;
    let mut sizes = Vec::new();
    let mut submitted = false;
    for input in inputs() {
        let step = engine::step(ctx, session.as_ref(), input);
        submitted |= step.effects.iter().any(|e| matches!(e, Effect::Submit { .. }));
        sizes.push(codec::encode_session(&step.session).expect("encode").len());
        session = Some(step.session);
    }
    assert!(submitted, "the benchmark dialog no longer ends in a submission");
    sizes
}

fn summary(ctx: &Ctx, quick: bool) {
    let sizes = check_and_sizes(ctx);
    let dialogs = if quick { 20 } else { 20_000 };
    // Timing (allocator counting on, as in every figure of this file).
    let prepared: Vec<Vec<Input>> = (0..dialogs).map(|_| inputs()).collect();
    let t = Instant::now();
    let mut n = 0;
    for i in prepared {
        n += dialog(ctx, black_box(i));
    }
    let elapsed = t.elapsed();
    black_box(n);
    let steps = (dialogs * DIALOG.len()) as f64;
    let per_step_ns = elapsed.as_nanos() as f64 / steps;
    // Allocations: inputs are built before the region so only the engine's own count.
    let prepared: Vec<Vec<Input>> = (0..100).map(|_| inputs()).collect();
    let region = Region::new(GLOBAL);
    for i in prepared {
        black_box(dialog(ctx, black_box(i)));
    }
    let stats = region.change();
    let steps_a = (100 * DIALOG.len()) as f64;
    println!("engine: machine: {}", common::machine());
    println!(
        "engine: dialog '{}' ({} messages, one invalid NIK, submits)",
        DIALOG[0],
        DIALOG.len()
    );
    println!(
        "engine: {:.2} µs/step, {:.0} steps/s ({} dialogs, single thread)",
        per_step_ns / 1000.0,
        1e9 / per_step_ns,
        dialogs
    );
    println!(
        "engine: {:.1} allocations/step, {:.0} bytes allocated/step, {:.1} reallocations/step",
        stats.allocations as f64 / steps_a,
        stats.bytes_allocated as f64 / steps_a,
        stats.reallocations as f64 / steps_a
    );
    println!(
        "engine: stored session bytes after each step (postcard + format byte): {:?}, max {}",
        sizes,
        sizes.iter().max().copied().unwrap_or(0)
    );
}

fn benches(c: &mut Criterion) {
    let cat = catalogue();
    let settings = Settings::default();
    let ctx = Ctx { catalogue: &cat, pinned: None, settings: &settings, now: thursday() };
    summary(&ctx, std::env::args().all(|a| a != "--bench"));

    let mut g = c.benchmark_group("engine");
    g.throughput(criterion::Throughput::Elements(DIALOG.len() as u64));
    g.bench_function("ikd_dialog_8_steps", |b| {
        b.iter_batched(inputs, |i| dialog(&ctx, i), criterion::BatchSize::SmallInput)
    });
    // The first step alone (fresh chat, intent matching over the whole catalogue).
    g.throughput(criterion::Throughput::Elements(1));
    g.bench_function("first_step_intent", |b| {
        b.iter_batched(
            || Input::Text("ikd".into()),
            |i| engine::step(&ctx, None, i),
            criterion::BatchSize::SmallInput,
        )
    });
    // A first message as citizens write them: every word stemmed and every service scored.
    g.bench_function("first_step_long_message", |b| {
        b.iter_batched(
            || Input::Text(LONG_FIRST_MESSAGE.into()),
            |i| engine::step(&ctx, None, i),
            criterion::BatchSize::SmallInput,
        )
    });
    // Rendering every reply of the dialog with Fluent (the channels do it at send time).
    let mut all = Vec::new();
    let mut session: Option<Session> = None;
    for input in inputs() {
        let step = engine::step(&ctx, session.as_ref(), input);
        all.extend(step.replies);
        session = Some(step.session);
    }
    let lang = session.as_ref().map(|s| s.lang).unwrap_or_default();
    g.throughput(criterion::Throughput::Elements(all.len() as u64));
    g.bench_function("render_dialog_replies", |b| {
        b.iter(|| all.iter().map(|r| cat.locales.render(lang, r).len()).sum::<usize>())
    });
    // Session codec round trip (what the store does per step).
    let s = session.unwrap_or_default();
    g.bench_function("session_encode_decode", |b| {
        b.iter(|| {
            codec::decode_session(&codec::encode_session(black_box(&s)).expect("e")).expect("d")
        })
    });
    g.finish();
}

criterion_group!(engine_benches, benches);

fn main() {
    engine_benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
