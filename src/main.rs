//! `pintu` binary: parse the command line, load the configuration, run.

use clap::Parser;
use pintu::cli::{Cli, Cmd};
use pintu::config::Config;
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
    // Before any thread starts: arenas are made as threads first allocate.
    one_malloc_arena_per_core();
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

/// glibc gives a process up to eight malloc arenas per core and lets each thread settle in one
/// of its own: pintu's tokio workers, committer and sled's threads then each keep freed memory
/// the others cannot reuse. One arena per core took the resident memory of `serve` at
/// U = 20,000 from 69–73 MB to 62–63 MB (BENCHMARKS.md, issue #15), CPU per message within the
/// runs' spread. `MALLOC_ARENA_MAX` in the environment still decides, as glibc documents.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn one_malloc_arena_per_core() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // Counts only the cores this process may run on (affinity, cgroup quota).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
    // SAFETY: mallopt only sets a tunable of glibc's allocator, takes no pointers and is safe
    // to call at any time; a refused value (it returns 0) leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn one_malloc_arena_per_core() {}

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
