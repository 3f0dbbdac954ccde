//! `pintu` binary: parse the command line, load the configuration, run.

use clap::Parser;
use pintu::cli::{Cli, Cmd};
use pintu::config::Config;
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    // Before any thread starts: arenas are made as threads first allocate.
    tune_malloc();
    // Before anything is written: every file pintu creates holds or may hold personal data.
    pintu::private_fs::owner_only_umask();
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                eprintln!("configuration: {e}");
            }
            return ExitCode::from(2);
        }
    };
    match cli.command.unwrap_or(Cmd::Serve) {
        Cmd::Check { dirs } => ExitCode::from(pintu::app::check(&config, &dirs) as u8),
        Cmd::Route { text } => report(pintu::app::route(&config, &text.join(" "))),
        Cmd::Eval { file, text_column, expected_column, aliases, min } => {
            match pintu::app::eval(&config, &file, &text_column, &expected_column, &aliases) {
                Ok(accuracy) if accuracy >= min => ExitCode::SUCCESS,
                Ok(accuracy) => {
                    eprintln!("accuracy {accuracy:.1}% is below --min {min}%");
                    ExitCode::from(1)
                }
                Err(e) => {
                    eprintln!("pintu eval: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Serve => {
            pintu::telemetry::init(
                config.log_filter.as_deref().unwrap_or("info"),
                config.log_format,
            );
            report(run(async move {
                let listener = tokio::net::TcpListener::bind(config.http_addr).await?;
                let shutdown = CancellationToken::new();
                tokio::spawn(signal_on(shutdown.clone()));
                pintu::app::serve(config, listener, shutdown).await
            }))
        }
        Cmd::Backup { file } => {
            report(run(async move { pintu::app::backup(&config, &file).await }))
        }
        Cmd::Restore { file } => report(pintu::app::restore(&config, &file)),
        Cmd::Migrate { to } => {
            report(pintu::app::migrate(&config, to).map(|out| println!("{out}")))
        }
        Cmd::Stats => report(run(async move {
            println!("{}", pintu::app::stats(&config).await?);
            Ok(())
        })),
        Cmd::User(cmd) => report(pintu::app::user(&config, cmd).map(|out| println!("{out}"))),
        Cmd::Chat { user } => {
            // Keep the terminal for the conversation: unless PINTU_LOG asks for more, only
            // warnings go to stderr.
            let filter = config.log_filter.as_deref().unwrap_or("warn");
            pintu::telemetry::init(filter, config.log_format);
            let prompt = std::io::stdin().is_terminal();
            report(run(pintu::app::chat(
                config,
                user,
                tokio::io::stdin(),
                tokio::io::stdout(),
                prompt,
            )))
        }
    }
}

/// Two of glibc's allocator defaults cost pintu resident memory, CPU per message within the
/// runs' spread (BENCHMARKS.md, issue #15):
/// - glibc gives a process up to eight malloc arenas per core and lets each thread settle in
///   one of its own: pintu's tokio workers, committer and sled's threads then each keep freed
///   memory the others cannot reuse. One arena per core took `serve` at U = 20,000 from 69–73
///   MB to 62–63 MB.
/// - glibc serves blocks of 128 kB and more with `mmap`, returned to the system when freed, but
///   raises that threshold (up to 32 MB) each time such a block is freed. Tables that grow by
///   doubling (the shard's session cache, the dedupe set, sled's buffers) then come from the
///   heap, and what they free stays resident. A fixed threshold keeps them mapped: at
///   U = 20,000, 62.2–64.0 MB in six runs (median 62.8) instead of 62.6–66.8 (64.7).
///
/// `MALLOC_ARENA_MAX` and `MALLOC_MMAP_THRESHOLD_` in the environment still decide, as glibc
/// documents.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn tune_malloc() {
    /// glibc's own starting threshold, kept instead of raised.
    const MMAP_THRESHOLD: libc::c_int = 128 * 1024;
    // Counts only the cores this process may run on (affinity, cgroup quota).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    for (variable, param, value) in [
        ("MALLOC_ARENA_MAX", libc::M_ARENA_MAX, arenas),
        ("MALLOC_MMAP_THRESHOLD_", libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD),
    ] {
        if std::env::var_os(variable).is_none() {
            // SAFETY: mallopt only sets a tunable of glibc's allocator, takes no pointers and
            // is safe to call at any time; a refused value (it returns 0) leaves glibc's
            // default in place.
            unsafe {
                libc::mallopt(param, value);
            }
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_malloc() {}

fn run<F: std::future::Future<Output = anyhow::Result<()>>>(f: F) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(f)
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pintu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Cancels on SIGINT or SIGTERM.
async fn signal_on(token: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return token.cancel();
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    token.cancel();
}
