//! Configuration: built-in defaults < optional `pintu.toml` < environment variables, read once
//! at start into a typed [`Config`]. The only module that reads the environment. All problems
//! are reported together.

use crate::clock::parse_zone;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use time::UtcOffset;

/// Every environment variable pintu reads, with its meaning (shown by `--help`).
pub const ENV_VARS: &[(&str, &str)] = &[
    ("PINTU_CONFIG", "path of the optional TOML file (default: ./pintu.toml if it exists)"),
    ("PINTU_DATA_DIR", "where sessions and tickets are stored (default: ./pintu-data)"),
    (
        "PINTU_HTTP_ADDR",
        "address of the HTTP server with /healthz and /readyz (default: 127.0.0.1:8080)",
    ),
    ("PINTU_DIALOGS_DIR", "dialog scripts (default: ./dialogs)"),
    ("PINTU_LOCALES_DIR", "texts, one folder per language (default: ./locales)"),
    (
        "PINTU_TIMEZONE",
        "WIB, WITA, WIT, Asia/Jakarta, Asia/Makassar, Asia/Jayapura or +08:00 (default: WITA)",
    ),
    (
        "PINTU_SESSION_TTL",
        "idle time after which an unfinished dialog expires, e.g. 30m, 2h (default: 30m)",
    ),
    (
        "PINTU_HOLIDAYS_FILE",
        "extra holidays and cuti bersama, one YYYY-MM-DD per line (default: the 2026 national list only)",
    ),
    ("PINTU_LOG", "log filter such as info or pintu=debug (default: info)"),
    ("PINTU_LOG_FORMAT", "human or json (default: human)"),
    (
        "TELEGRAM_BOT_TOKEN",
        "starts the Telegram channel when set (not yet available in this version)",
    ),
    (
        "WHATSAPP_TOKEN",
        "starts the WhatsApp channel when set with its companions (not yet available in this version)",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub http_addr: SocketAddr,
    pub dialogs_dir: PathBuf,
    pub locales_dir: PathBuf,
    pub timezone: UtcOffset,
    pub session_ttl_secs: i64,
    pub holidays_file: Option<PathBuf>,
    pub log_filter: String,
    pub log_format: LogFormat,
    /// sled's page cache.
    pub cache_bytes: u64,
    pub telegram_token_set: bool,
    pub whatsapp_token_set: bool,
}

/// The TOML file's shape; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    http_addr: Option<String>,
    dialogs_dir: Option<PathBuf>,
    locales_dir: Option<PathBuf>,
    timezone: Option<String>,
    session_ttl: Option<String>,
    holidays_file: Option<PathBuf>,
    log: Option<String>,
    log_format: Option<String>,
    cache_mb: Option<u64>,
}

impl Config {
    /// Reads the file (if any) and the process environment.
    pub fn load(explicit_file: Option<&Path>) -> Result<Self, Vec<String>> {
        Self::load_with(explicit_file, |k| std::env::var(k).ok())
    }

    /// Like [`Config::load`] with an injectable environment (tests).
    pub fn load_with(
        explicit_file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let file_path =
            explicit_file.map(Path::to_path_buf).or_else(|| env("PINTU_CONFIG").map(PathBuf::from));
        let file = match &file_path {
            Some(p) => read_file(p, &mut errors),
            None if Path::new("pintu.toml").exists() => {
                read_file(Path::new("pintu.toml"), &mut errors)
            }
            None => FileConfig::default(),
        };
        let pick = |var: &str, from_file: Option<String>, default: &str| {
            env(var).or(from_file).unwrap_or_else(|| default.to_string())
        };
        let path = |var: &str, from_file: Option<PathBuf>, default: &str| {
            env(var).map(PathBuf::from).or(from_file).unwrap_or_else(|| PathBuf::from(default))
        };
        let http = pick("PINTU_HTTP_ADDR", file.http_addr, "127.0.0.1:8080");
        let http_addr = http.parse().unwrap_or_else(|_| {
            errors.push(format!(
                "PINTU_HTTP_ADDR/http_addr: `{http}` is not an address like 127.0.0.1:8080"
            ));
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });
        let tz = pick("PINTU_TIMEZONE", file.timezone, "WITA");
        let timezone = parse_zone(&tz).unwrap_or_else(|| {
            errors.push(format!(
                "PINTU_TIMEZONE/timezone: `{tz}` is not WIB, WITA, WIT or an offset like +08:00"
            ));
            UtcOffset::UTC
        });
        let ttl = pick("PINTU_SESSION_TTL", file.session_ttl, "30m");
        let session_ttl_secs = parse_duration(&ttl).unwrap_or_else(|| {
            errors.push(format!(
                "PINTU_SESSION_TTL/session_ttl: `{ttl}` is not a duration like 30m or 2h"
            ));
            1800
        });
        let fmt = pick("PINTU_LOG_FORMAT", file.log_format, "human");
        let log_format = match fmt.as_str() {
            "human" => LogFormat::Human,
            "json" => LogFormat::Json,
            _ => {
                errors.push(format!("PINTU_LOG_FORMAT/log_format: `{fmt}` is not human or json"));
                LogFormat::Human
            }
        };
        let config = Config {
            data_dir: path("PINTU_DATA_DIR", file.data_dir, "pintu-data"),
            http_addr,
            dialogs_dir: path("PINTU_DIALOGS_DIR", file.dialogs_dir, "dialogs"),
            locales_dir: path("PINTU_LOCALES_DIR", file.locales_dir, "locales"),
            timezone,
            session_ttl_secs,
            holidays_file: env("PINTU_HOLIDAYS_FILE").map(PathBuf::from).or(file.holidays_file),
            log_filter: pick("PINTU_LOG", file.log, "info"),
            log_format,
            cache_bytes: file.cache_mb.unwrap_or(64) * 1024 * 1024,
            telegram_token_set: env("TELEGRAM_BOT_TOKEN").is_some_and(|t| !t.is_empty()),
            whatsapp_token_set: env("WHATSAPP_TOKEN").is_some_and(|t| !t.is_empty()),
        };
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }
}

fn read_file(path: &Path, errors: &mut Vec<String>) -> FileConfig {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).unwrap_or_else(|e| {
            errors.push(format!("{}: {}", path.display(), e.to_string().trim()));
            FileConfig::default()
        }),
        Err(e) => {
            errors.push(format!("{}: cannot read: {e}", path.display()));
            FileConfig::default()
        }
    }
}

/// "90s", "30m", "2h", "1d" → seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: i64 = n.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> Result<Config, Vec<String>> {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load_with(None, |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_usable() {
        let c = load(&[]).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.timezone.whole_hours(), 8);
        assert_eq!(c.session_ttl_secs, 1800);
    }

    #[test]
    fn environment_overrides_and_errors_are_collected() {
        let c = load(&[("PINTU_TIMEZONE", "WIB"), ("PINTU_SESSION_TTL", "2h")]).unwrap();
        assert_eq!(c.timezone.whole_hours(), 7);
        assert_eq!(c.session_ttl_secs, 7200);
        let errs = load(&[("PINTU_TIMEZONE", "Mars"), ("PINTU_HTTP_ADDR", "nope")]).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn toml_file_is_read_and_strict() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pintu.toml");
        std::fs::write(&p, "timezone = \"WIT\"\nsession_ttl = \"10m\"\n").unwrap();
        let c = Config::load_with(Some(&p), |_| None).unwrap();
        assert_eq!(c.timezone.whole_hours(), 9);
        // The environment wins over the file.
        let c =
            Config::load_with(Some(&p), |k| (k == "PINTU_TIMEZONE").then(|| "WIB".into())).unwrap();
        assert_eq!(c.timezone.whole_hours(), 7);
        std::fs::write(&p, "timezon = \"WIT\"\n").unwrap();
        let errs = Config::load_with(Some(&p), |_| None).unwrap_err();
        assert!(errs[0].contains("timezon"), "{errs:?}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("0m"), None);
    }
}
