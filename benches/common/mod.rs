//! What the bench binaries share: the dialog they all run, reading `/proc` figures and naming
//! the machine each one ran on (every bench prints it with its figures). Each bench uses part
//! of it.
#![allow(dead_code)]

use std::process::Command;

/// The dialog every benchmark uses (engine, store and e2e): Aktivasi IKD, with one refused
/// answer. Step [`DATE_STEP`] is the appointment: `besok` is a working day from the engine and
/// store benches' fixed clock (Friday 27-11-2026); the e2e bench, on the real clock, puts there
/// a working day it finds in calibration.
pub const DIALOG: [&str; 9] = [
    "ikd",
    "12345", // invalid NIK (5 digits): re-asked
    "6409011708900001",
    "Budi Santoso",
    "budi@gmail.com",
    "lewati", // the optional other phone number
    "1",
    "besok",
    "ya",
];
pub const DATE_STEP: usize = 7;

/// A `<field> <n> kB` line of a `/proc` file (`/proc/<pid>/status`, `/proc/meminfo`), in kB;
/// 0 when absent.
pub fn kb_field(path: &str, field: &str) -> u64 {
    let s = std::fs::read_to_string(path).unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// A field of a process's status (`pid` may be `self`), in kB: `VmRSS:`, `VmHWM:`.
pub fn status_kb(pid: &str, field: &str) -> u64 {
    kb_field(&format!("/proc/{pid}/status"), field)
}

/// CPU model, cores, memory and kernel, as the benches print them.
pub fn machine() -> String {
    let lscpu = Command::new("lscpu")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let model =
        lscpu.lines().find(|l| l.starts_with("Model name:")).map_or("?", |l| l[11..].trim());
    let mem = kb_field("/proc/meminfo", "MemTotal:");
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{model}, {} cores, {:.1} GB RAM, Linux {}",
        std::fs::read_to_string("/proc/cpuinfo")
            .map_or(0, |c| c.lines().filter(|l| l.starts_with("processor")).count()),
        mem as f64 / 1024.0 / 1024.0,
        kernel.trim()
    )
}
