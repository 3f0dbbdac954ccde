//! `pintu` binary: parse the command line, load the configuration, run.

use clap::Parser;
use pintu::cli::{Cli, Cmd};
use pintu::config::Config;
use std::io::IsTerminal;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

fn main() -> ExitCode {
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
        Cmd::Serve => {
            with_huge_pages();
            pintu::telemetry::init(&config.log_filter, config.log_format);
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
        Cmd::Stats => report(run(async move {
            println!("{}", pintu::app::stats(&config).await?);
            Ok(())
        })),
        Cmd::Chat { user } => {
            // Keep the terminal for the conversation: only warnings go to stderr.
            pintu::telemetry::init("warn", config.log_format);
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

/// `serve` asks glibc to back its heap with transparent huge pages: pintu allocates many small,
/// short-lived buffers per message, and huge pages cut its CPU per message by ~15 %
/// (BENCHMARKS.md). glibc reads `GLIBC_TUNABLES` only when a process starts, so `serve`
/// re-executes itself once with it set: same pid, same arguments, same environment otherwise.
/// Skipped when `GLIBC_TUNABLES` is already set (the operator's wins, and no loop) or with
/// `PINTU_HUGE_PAGES=off`; harmless where THP is disabled or the libc is not glibc.
#[cfg(target_os = "linux")]
fn with_huge_pages() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GLIBC_TUNABLES").is_some()
        || std::env::var("PINTU_HUGE_PAGES").is_ok_and(|v| v == "off")
    {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1")
        .exec();
    // `exec` returns only when it failed: carry on as we are.
    eprintln!("pintu: could not restart with huge pages ({err}); continuing without");
}

#[cfg(not(target_os = "linux"))]
fn with_huge_pages() {}

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
