//! Command-line interface: `serve` (default), `chat`, `check`, `user`, ….
//!
//! May use: `config`.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The environment variables, listed under `--help`.
fn env_help() -> String {
    let mut s = String::from("Environment variables (they override pintu.toml):\n");
    for (name, what) in crate::config::ENV_VARS {
        s.push_str(&format!("  {name:<22} {what}\n"));
    }
    s
}

#[derive(Debug, Parser)]
#[command(
    name = "pintu",
    version,
    about = "Satu pintu: citizens request public services and follow their tickets from chat apps",
    after_help = env_help()
)]
pub struct Cli {
    /// TOML configuration file (default: ./pintu.toml if it exists; see PINTU_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run the service: the HTTP API (health, metrics, tickets, webhooks), forwarding, and every
    /// channel whose credentials are set.
    Serve,
    /// Talk to the bot in this terminal, as a citizen. One line is one message; when input is
    /// piped, every reply is printed and pintu exits at the end of input. Attachments:
    /// `/foto FILE`, `/dokumen FILE`, `/lokasi LAT,LON`, `/kontak PHONE`.
    Chat {
        /// Which citizen you are; different ids are different chats.
        #[arg(long, default_value = "1")]
        user: String,
    },
    /// Check dialog scripts and texts; prints `path:line:col: error: ...` and exits 1 on
    /// problems, 2 if the check could not run.
    Check {
        /// Dialog folders to check (default: the configured dialogs folder).
        dirs: Vec<PathBuf>,
    },
    /// Explain how free text would be routed: each word with its root, every service's score
    /// and the keywords found, the status cues, and the decision.
    Route {
        /// The message, as a citizen would type it.
        #[arg(required = true, num_args = 1..)]
        text: Vec<String>,
    },
    /// Score first-message routing on a labelled CSV: accuracy per label, a confusion table and
    /// the misses. Exits 1 if the overall accuracy is below --min.
    Eval {
        /// CSV with a header row.
        file: PathBuf,
        /// Column holding the message.
        #[arg(long, default_value = "text")]
        text_column: String,
        /// Column holding the expected label: a service id, `status`, `greeting`, `thanks` or
        /// `other` (or a label given with --alias).
        #[arg(long, default_value = "expected")]
        expected_column: String,
        /// `label=service+service`: what a label of the file means, e.g. `ktp_hilang=ktp_el`,
        /// `cek_status=status`. Repeatable.
        #[arg(long = "alias")]
        aliases: Vec<String>,
        /// Fail (exit 1) below this overall accuracy, in percent.
        #[arg(long, default_value_t = 0.0)]
        min: f64,
    },
    /// Write a consistent backup of the data folder to FILE. Works while pintu serves (through
    /// the admin API on PINTU_HTTP_ADDR, with PINTU_ADMIN_BEARER) or while it is stopped.
    Backup { file: PathBuf },
    /// Restore a backup FILE into an empty data folder (pintu must not be running).
    Restore { file: PathBuf },
    /// Move every record of the data folder (pintu stopped) into an empty PostgreSQL
    /// database, then compare them record by record; run again to finish a move cut off.
    Migrate {
        /// The database, `postgres://user@host/db` (default: PINTU_DATABASE_URL, which keeps
        /// the password out of the shell's history).
        #[arg(long)]
        to: Option<String>,
    },
    /// Print counts of sessions, tickets by status and outbox depth.
    Stats,
    /// Staff accounts of the officers' console (pintu must be stopped).
    #[command(subcommand)]
    User(UserCmd),
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create an account: an officer of one OPD, or an admin. Prints a generated password
    /// once, unless --password-stdin.
    Add {
        /// The person's name, e.g. "Budi Santoso".
        #[arg(long)]
        name: String,
        /// Login name (default: from the name, e.g. budi.santoso).
        #[arg(long)]
        login: Option<String>,
        /// The OPD (agency id) whose tickets the officer handles, e.g. disdukcapil.
        #[arg(long, required_unless_present = "admin")]
        opd: Option<String>,
        /// An admin: every OPD, the editor, users and the audit log.
        #[arg(long)]
        admin: bool,
        /// Read the password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts: login, OPD, state, name.
    List,
    /// Disable an account (it stays in the audit log's history).
    Disable { login: String },
    /// Enable a disabled account again.
    Enable { login: String },
    /// Set a new password (generated and printed once, unless --password-stdin) and lift a lock.
    Reset {
        login: String,
        #[arg(long)]
        password_stdin: bool,
    },
}
