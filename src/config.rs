//! Configuration: built-in defaults < optional `pintu.toml` < environment variables, read once
//! at start into a typed [`Config`]. The only module that reads the environment. All problems
//! are reported together.
//!
//! May use: `clock`, `telemetry`.

use crate::clock::parse_zone;
pub use crate::telemetry::LogFormat;
use crate::telemetry::Secret;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use time::UtcOffset;

/// Every environment variable pintu reads, with its meaning (shown by `--help`).
pub const ENV_VARS: &[(&str, &str)] = &[
    ("PINTU_CONFIG", "path of the optional TOML file (default: ./pintu.toml if it exists)"),
    ("PINTU_DATA_DIR", "where sessions and tickets are stored (default: ./pintu-data)"),
    ("PINTU_HTTP_ADDR", "address of the HTTP server: health, API, files (default: 127.0.0.1:8080)"),
    (
        "PINTU_PUBLIC_URL",
        "how agencies reach this server, for file and status links (default: http://<PINTU_HTTP_ADDR>)",
    ),
    ("PINTU_DIALOGS_DIR", "dialog scripts (default: ./dialogs)"),
    ("PINTU_LOCALES_DIR", "texts, one folder per language (default: ./locales)"),
    (
        "PINTU_TIMEZONE",
        "WIB, WITA, WIT, Asia/Jakarta, Asia/Makassar, Asia/Jayapura or +08:00 (default: WITA)",
    ),
    (
        "PINTU_SESSION_TTL",
        "idle time after which an unfinished dialog (a draft) is dropped, at most 30d (default: 7d)",
    ),
    (
        "PINTU_RESUME_AFTER",
        "idle time after which a returning citizen is asked to continue the draft or start anew (default: 30m)",
    ),
    (
        "PINTU_DEDUPE_WINDOW",
        "how long a platform message id is remembered so a redelivery is not answered again, 2d to 30d (default: 7d, Meta's redelivery window)",
    ),
    (
        "PINTU_HOLIDAYS_FILE",
        "extra holidays and cuti bersama, one YYYY-MM-DD per line (default: the 2026 national list only)",
    ),
    (
        "PINTU_TARGET_<OPD>_URL",
        "agency backend that receives the tickets of OPD <OPD> (e.g. PINTU_TARGET_DISDUKCAPIL_URL)",
    ),
    ("PINTU_TARGET_<OPD>_SECRET", "HMAC secret shared with that agency (required with its URL)"),
    ("PINTU_API_TOKEN_<OPD>", "sha256:<hex> of the bearer token of OPD <OPD> for the ticket API"),
    ("PINTU_ADMIN_TOKEN", "sha256:<hex> of the admin bearer token (all OPDs, dead letters)"),
    (
        "PINTU_ADMIN_BEARER",
        "the plain admin token, used by `pintu backup` and `pintu stats` to reach a running service",
    ),
    (
        "PINTU_FILES_SECRET",
        "key that signs attachment links (default: a random key made once and kept in <data dir>/files-secret)",
    ),
    (
        "PINTU_WEB_RATE",
        "requests per minute one address may make to the web chat, in bursts up to the same (default: 120)",
    ),
    (
        "PINTU_TRUSTED_PROXIES",
        "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed (default: none)",
    ),
    ("PINTU_RETRY_BASE", "first retry delay of a failed delivery, doubled each time (default: 2s)"),
    ("PINTU_RETRY_MAX", "longest delay between retries (default: 1h)"),
    (
        "PINTU_RETENTION",
        "personal data of tickets closed longer than this is erased, e.g. 365d (default: 365d)",
    ),
    (
        "PINTU_SLA_INTERVAL",
        "how often overdue tickets and the retention schedule are looked at (default: 10m)",
    ),
    (
        "HTTPS_PROXY, HTTP_PROXY",
        "proxy for outgoing HTTPS / HTTP (Telegram, WhatsApp, agencies), e.g. http://proxy.kantor:3128 (also lower case)",
    ),
    (
        "NO_PROXY",
        "hosts reached directly, comma-separated (example.go.id, .internal, 10.0.0.0/8); loopback always is",
    ),
    (
        "PINTU_CA_FILE",
        "PEM file of extra root certificates (an agency's internal CA), trusted besides the built-in ones",
    ),
    ("PINTU_LOG", "log filter such as info or pintu=debug (default: info; warn for `pintu chat`)"),
    ("PINTU_LOG_FORMAT", "human or json (default: human)"),
    ("TELEGRAM_BOT_TOKEN", "starts the Telegram channel (the token from BotFather)"),
    ("TELEGRAM_API_URL", "another Bot API server, e.g. a self-hosted telegram-bot-api"),
    (
        "TELEGRAM_WEBHOOK_URL",
        "public HTTPS base URL of this server; set = webhook mode, unset = polling",
    ),
    ("TELEGRAM_WEBHOOK_SECRET", "secret Telegram sends with each webhook call (default: random)"),
    (
        "TELEGRAM_RATE_LIMIT",
        "on (default) keeps within Telegram's limits; off only against a fake server",
    ),
    (
        "TELEGRAM_OFFICERS_<OPD>",
        "officers' group of OPD <OPD> and its user ids: <group id>:<id>,<id>",
    ),
    (
        "WHATSAPP_TOKEN",
        "WhatsApp Cloud API system-user token (with the three below: starts WhatsApp)",
    ),
    ("WHATSAPP_PHONE_NUMBER_ID", "the business phone number's id in the Cloud API"),
    ("WHATSAPP_APP_SECRET", "the Meta app secret that signs webhook calls"),
    ("WHATSAPP_VERIFY_TOKEN", "any string; Meta sends it back when the webhook URL is registered"),
    ("WHATSAPP_API_URL", "Graph API base with version (default: https://graph.facebook.com/v25.0)"),
    ("WHATSAPP_TEMPLATE", "template for news outside the 24-hour window, as <name>:<language>"),
    ("WHATSAPP_RATE", "messages per second for the number (default: 80)"),
];

/// An agency backend that receives an OPD's tickets.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: String,
    pub secret: Secret<String>,
    /// Deliveries in flight at once to this backend.
    pub concurrency: usize,
    pub timeout_secs: u64,
}

/// Who a bearer token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Admin,
    Opd(String),
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    /// `PINTU_DATABASE_URL`: the store on PostgreSQL instead of sled in `data_dir` (which
    /// still holds attachments). Secret: the URL may carry a password.
    pub database_url: Option<Secret<String>>,
    pub http_addr: SocketAddr,
    pub public_url: String,
    pub dialogs_dir: PathBuf,
    pub locales_dir: PathBuf,
    pub timezone: UtcOffset,
    /// A draft idle this long is dropped (at the next message).
    pub session_ttl_secs: i64,
    /// A citizen back after this long is asked "lanjutkan" or "mulai baru" first.
    pub resume_after_secs: i64,
    pub holidays_file: Option<PathBuf>,
    /// `PINTU_LOG` or the file's `log`; unset, each command picks its own default.
    pub log_filter: Option<String>,
    pub log_format: LogFormat,
    /// sled's page cache.
    pub cache_bytes: u64,
    /// Agency backends by OPD id.
    pub targets: BTreeMap<String, Target>,
    /// SHA-256 digests of API bearer tokens with their scope (tokens are never stored).
    pub api_tokens: Vec<(Scope, [u8; 32])>,
    pub files_secret: Option<Secret<String>>,
    /// The admin token itself, for the command-line tools talking to a running service.
    pub admin_bearer: Option<Secret<String>>,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    pub sla_interval_secs: u64,
    pub retention_secs: i64,
    /// Proxy and extra CAs for outgoing HTTP.
    pub network: Network,
    /// How long platform message ids are remembered for dedupe.
    pub dedupe_window_secs: i64,
    /// The Telegram channel, when a bot token is set.
    pub telegram: Option<TelegramConfig>,
    /// The WhatsApp channel, when configured.
    pub whatsapp: Option<WhatsAppConfig>,
    /// The citizens' web chat.
    pub web: WebConfig,
}

/// The web chat's limits.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Requests one address may make per minute (and at once).
    pub rate_per_minute: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the real client; nobody else's is believed
    /// (anyone can send the header).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// How outgoing HTTP leaves the machine (see `net`).
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub https_proxy: Option<String>,
    pub http_proxy: Option<String>,
    /// Hosts reached without the proxy, as `NO_PROXY` lists them.
    pub no_proxy: Option<String>,
    /// Extra root certificates (PEM).
    pub ca_file: Option<PathBuf>,
}

/// WhatsApp Cloud API settings.
#[derive(Debug, Clone)]
pub struct WhatsAppConfig {
    pub token: Secret<String>,
    pub phone_number_id: String,
    pub app_secret: Secret<String>,
    pub verify_token: Secret<String>,
    pub api_url: String,
    /// (name, language) of the template used outside the customer-service window.
    pub template: Option<(String, String)>,
    pub rate_per_sec: u32,
}

/// Telegram settings.
#[derive(Debug, Clone)]
pub struct TelegramConfig {
    pub token: Secret<String>,
    pub api_url: Option<String>,
    pub webhook_url: Option<String>,
    pub webhook_secret: Secret<String>,
    /// Keep within Telegram's rate limits (off only against a fake server in tests).
    pub throttle: bool,
    /// Officers' groups by OPD.
    pub officers: BTreeMap<String, OfficerGroup>,
}

/// Where an OPD's new tickets are posted, and who may press the buttons there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerGroup {
    pub chat_id: i64,
    pub users: Vec<u64>,
}

/// The TOML file's shape; every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    http_addr: Option<String>,
    public_url: Option<String>,
    dialogs_dir: Option<PathBuf>,
    locales_dir: Option<PathBuf>,
    timezone: Option<String>,
    session_ttl: Option<String>,
    resume_after: Option<String>,
    holidays_file: Option<PathBuf>,
    log: Option<String>,
    log_format: Option<String>,
    cache_mb: Option<u64>,
    retry_base: Option<String>,
    retry_max: Option<String>,
    sla_interval: Option<String>,
    retention: Option<String>,
    ca_file: Option<PathBuf>,
    dedupe_window: Option<String>,
    #[serde(default)]
    targets: BTreeMap<String, FileTarget>,
    /// OPD id (or `admin`) → `sha256:<hex>` of its token.
    #[serde(default)]
    api_tokens: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTarget {
    url: Option<String>,
    secret: Option<String>,
    concurrency: Option<usize>,
    timeout: Option<String>,
}

impl Config {
    /// Reads the file (if any) and the process environment.
    pub fn load(explicit_file: Option<&Path>) -> Result<Self, Vec<String>> {
        Self::load_with(explicit_file, &std::env::vars().collect())
    }

    /// Like [`Config::load`] with an injected environment (tests).
    pub fn load_with(
        explicit_file: Option<&Path>,
        env: &HashMap<String, String>,
    ) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
        let file_path =
            explicit_file.map(Path::to_path_buf).or_else(|| var("PINTU_CONFIG").map(PathBuf::from));
        let mut file = match &file_path {
            Some(p) => read_file(p, &mut errors),
            None if Path::new("pintu.toml").exists() => {
                read_file(Path::new("pintu.toml"), &mut errors)
            }
            None => FileConfig::default(),
        };
        let pick = |name: &str, from_file: Option<String>, default: &str| {
            var(name).or(from_file).unwrap_or_else(|| default.to_string())
        };
        let path = |name: &str, from_file: Option<PathBuf>, default: &str| {
            var(name).map(PathBuf::from).or(from_file).unwrap_or_else(|| PathBuf::from(default))
        };
        let duration =
            |name: &str, from_file: Option<String>, default: &str, errors: &mut Vec<String>| {
                let text = pick(name, from_file, default);
                parse_duration_ms(&text).unwrap_or_else(|| {
                    errors.push(format!(
                        "{name}: `{text}` is not a duration like 500ms, 30s, 10m or 2h"
                    ));
                    parse_duration_ms(default).unwrap_or(1000)
                })
            };
        let http = pick("PINTU_HTTP_ADDR", file.http_addr.take(), "127.0.0.1:8080");
        let http_addr = http.parse().unwrap_or_else(|_| {
            errors.push(format!(
                "PINTU_HTTP_ADDR/http_addr: `{http}` is not an address like 127.0.0.1:8080"
            ));
            SocketAddr::from(([127, 0, 0, 1], 8080))
        });
        let public_url =
            pick("PINTU_PUBLIC_URL", file.public_url.take(), &format!("http://{http_addr}"))
                .trim_end_matches('/')
                .to_string();
        let tz = pick("PINTU_TIMEZONE", file.timezone.take(), "WITA");
        let timezone = parse_zone(&tz).unwrap_or_else(|| {
            errors.push(format!(
                "PINTU_TIMEZONE/timezone: `{tz}` is not WIB, WITA, WIT or an offset like +08:00"
            ));
            UtcOffset::UTC
        });
        let session_ttl_secs =
            (duration("PINTU_SESSION_TTL", file.session_ttl.take(), "7d", &mut errors) / 1000)
                as i64;
        // The retention schedule (jadwal retensi arsip) keeps drafts at most 30 days.
        if session_ttl_secs > 30 * 86_400 {
            errors.push(
                "PINTU_SESSION_TTL/session_ttl: drafts may be kept at most 30d (retention schedule)"
                    .to_string(),
            );
        }
        let resume_after_secs =
            (duration("PINTU_RESUME_AFTER", file.resume_after.take(), "30m", &mut errors) / 1000)
                as i64;
        let retry_base_ms = duration("PINTU_RETRY_BASE", file.retry_base.take(), "2s", &mut errors);
        let retry_max_ms = duration("PINTU_RETRY_MAX", file.retry_max.take(), "1h", &mut errors);
        let sla_interval_secs =
            (duration("PINTU_SLA_INTERVAL", file.sla_interval.take(), "10m", &mut errors) / 1000)
                .max(1);
        let retention_secs =
            (duration("PINTU_RETENTION", file.retention.take(), "365d", &mut errors) / 1000) as i64;
        let dedupe_window_secs =
            (duration("PINTU_DEDUPE_WINDOW", file.dedupe_window.take(), "7d", &mut errors) / 1000)
                as i64;
        // Telegram keeps unconfirmed updates a day, Meta retries for 7; each remembered id
        // costs memory (about 10 bytes), so a month at most.
        if !(2 * 86_400..=30 * 86_400).contains(&dedupe_window_secs) {
            errors.push("PINTU_DEDUPE_WINDOW/dedupe_window: between 2d and 30d".to_string());
        }
        let fmt = pick("PINTU_LOG_FORMAT", file.log_format.take(), "human");
        let log_format = match fmt.as_str() {
            "human" => LogFormat::Human,
            "json" => LogFormat::Json,
            _ => {
                errors.push(format!("PINTU_LOG_FORMAT/log_format: `{fmt}` is not human or json"));
                LogFormat::Human
            }
        };
        let targets = targets(&file.targets, env, &mut errors);
        let api_tokens = api_tokens(&file.api_tokens, env, &mut errors);
        let config = Config {
            data_dir: path("PINTU_DATA_DIR", file.data_dir.take(), "pintu-data"),
            http_addr,
            public_url,
            dialogs_dir: path("PINTU_DIALOGS_DIR", file.dialogs_dir.take(), "dialogs"),
            locales_dir: path("PINTU_LOCALES_DIR", file.locales_dir.take(), "locales"),
            timezone,
            session_ttl_secs,
            resume_after_secs,
            holidays_file: var("PINTU_HOLIDAYS_FILE")
                .map(PathBuf::from)
                .or(file.holidays_file.take()),
            log_filter: var("PINTU_LOG").or(file.log.take()),
            log_format,
            cache_bytes: file.cache_mb.unwrap_or(32) * 1024 * 1024,
            targets,
            api_tokens,
            files_secret: var("PINTU_FILES_SECRET").map(Secret::new),
            admin_bearer: var("PINTU_ADMIN_BEARER").map(Secret::new),
            database_url: var("PINTU_DATABASE_URL").map(Secret::new),
            retry_base_ms,
            retry_max_ms: retry_max_ms.max(retry_base_ms),
            sla_interval_secs,
            retention_secs,
            network: Network {
                // Both spellings are in use; the upper case wins, as in curl.
                https_proxy: var("HTTPS_PROXY").or_else(|| var("https_proxy")),
                http_proxy: var("HTTP_PROXY").or_else(|| var("http_proxy")),
                no_proxy: var("NO_PROXY").or_else(|| var("no_proxy")),
                ca_file: var("PINTU_CA_FILE").map(PathBuf::from).or(file.ca_file.take()),
            },
            dedupe_window_secs,
            telegram: telegram(env, &mut errors),
            whatsapp: whatsapp(env, &mut errors),
            web: web(env, &mut errors),
        };
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }
}

/// Targets from the file's `[targets.<opd>]` tables, overridden per field by
/// `PINTU_TARGET_<OPD>_URL` / `_SECRET`.
fn targets(
    file: &BTreeMap<String, FileTarget>,
    env: &HashMap<String, String>,
    errors: &mut Vec<String>,
) -> BTreeMap<String, Target> {
    let mut opds: Vec<String> = file.keys().cloned().collect();
    for key in env.keys() {
        let opd = key
            .strip_prefix("PINTU_TARGET_")
            .and_then(|r| r.strip_suffix("_URL").or_else(|| r.strip_suffix("_SECRET")));
        if let Some(opd) = opd {
            opds.push(opd.to_ascii_lowercase());
        }
    }
    opds.sort();
    opds.dedup();
    let mut out = BTreeMap::new();
    for opd in opds {
        let f = file.get(&opd);
        let upper = opd.to_ascii_uppercase();
        let get = |suffix: &str| {
            env.get(&format!("PINTU_TARGET_{upper}_{suffix}")).filter(|v| !v.is_empty()).cloned()
        };
        let url = get("URL").or_else(|| f.and_then(|f| f.url.clone()));
        let secret = get("SECRET").or_else(|| f.and_then(|f| f.secret.clone()));
        let (Some(url), Some(secret)) = (url, secret) else {
            errors.push(format!("target `{opd}` needs both a URL and a secret (PINTU_TARGET_{upper}_URL and _SECRET, or url/secret in [targets.{opd}])"));
            continue;
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            errors.push(format!("target `{opd}`: `{url}` is not an http(s) URL"));
            continue;
        }
        let timeout = f.and_then(|f| f.timeout.as_deref()).unwrap_or("10s");
        let Some(timeout_ms) = parse_duration_ms(timeout) else {
            errors.push(format!("target `{opd}`: timeout `{timeout}` is not a duration like 10s"));
            continue;
        };
        let concurrency = f.and_then(|f| f.concurrency).unwrap_or(2).clamp(1, 64);
        out.insert(
            opd,
            Target {
                url,
                secret: Secret::new(secret),
                concurrency,
                timeout_secs: (timeout_ms / 1000).max(1),
            },
        );
    }
    out
}

/// Token digests from `[api_tokens]` and `PINTU_API_TOKEN_<OPD>` / `PINTU_ADMIN_TOKEN`.
fn api_tokens(
    file: &BTreeMap<String, String>,
    env: &HashMap<String, String>,
    errors: &mut Vec<String>,
) -> Vec<(Scope, [u8; 32])> {
    let mut entries: BTreeMap<String, String> = file.clone();
    for (k, v) in env {
        if let Some(opd) = k.strip_prefix("PINTU_API_TOKEN_") {
            entries.insert(opd.to_ascii_lowercase(), v.clone());
        } else if k == "PINTU_ADMIN_TOKEN" {
            entries.insert("admin".into(), v.clone());
        }
    }
    let mut out = Vec::new();
    for (who, value) in entries {
        let digest = value
            .strip_prefix("sha256:")
            .and_then(|h| hex::decode(h).ok())
            .and_then(|d| <[u8; 32]>::try_from(d).ok());
        let Some(digest) = digest else {
            errors.push(format!("API token for `{who}` must be written as sha256:<64 hex digits> (printf %s TOKEN | sha256sum); the token itself is never configured"));
            continue;
        };
        let scope = if who == "admin" { Scope::Admin } else { Scope::Opd(who) };
        out.push((scope, digest));
    }
    out
}

/// The WhatsApp channel's settings; `None` when none of its variables is set.
fn whatsapp(env: &HashMap<String, String>, errors: &mut Vec<String>) -> Option<WhatsAppConfig> {
    let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let names = [
        "WHATSAPP_TOKEN",
        "WHATSAPP_PHONE_NUMBER_ID",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
    ];
    let values: Vec<Option<String>> = names.iter().map(|n| var(n)).collect();
    if values.iter().all(Option::is_none) {
        return None;
    }
    let missing: Vec<&str> =
        names.iter().zip(&values).filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        errors.push(format!("WhatsApp needs all of its settings; missing: {}", missing.join(", ")));
        return None;
    }
    let [token, phone, secret, verify] = <[Option<String>; 4]>::try_from(values).ok()?;
    let template = match var("WHATSAPP_TEMPLATE") {
        None => None,
        Some(t) => match t.split_once(':') {
            Some((name, lang)) if !name.is_empty() && !lang.is_empty() => {
                Some((name.to_string(), lang.to_string()))
            }
            _ => {
                errors.push(
                    "WHATSAPP_TEMPLATE: write <name>:<language>, e.g. status_permohonan:id".into(),
                );
                None
            }
        },
    };
    let rate_per_sec = match var("WHATSAPP_RATE").map(|r| r.parse::<u32>()) {
        None => 80,
        Some(Ok(r)) if r > 0 => r,
        Some(_) => {
            errors.push("WHATSAPP_RATE: a whole number of messages per second".into());
            80
        }
    };
    Some(WhatsAppConfig {
        token: Secret::new(token?),
        phone_number_id: phone?,
        app_secret: Secret::new(secret?),
        verify_token: Secret::new(verify?),
        api_url: var("WHATSAPP_API_URL")
            .unwrap_or_else(|| "https://graph.facebook.com/v25.0".into())
            .trim_end_matches('/')
            .to_string(),
        template,
        rate_per_sec,
    })
}

/// The Telegram channel's settings; `None` without a token.
fn telegram(env: &HashMap<String, String>, errors: &mut Vec<String>) -> Option<TelegramConfig> {
    let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let token = var("TELEGRAM_BOT_TOKEN")?;
    let webhook_secret = match var("TELEGRAM_WEBHOOK_SECRET") {
        Some(s)
            if (1..=256).contains(&s.len())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            s
        }
        Some(_) => {
            errors.push("TELEGRAM_WEBHOOK_SECRET: 1 to 256 characters of A-Z a-z 0-9 _ -".into());
            String::new()
        }
        None => {
            let mut b = [0u8; 24];
            let _ = getrandom::fill(&mut b);
            hex::encode(b)
        }
    };
    let webhook_url = var("TELEGRAM_WEBHOOK_URL");
    if webhook_url.as_ref().is_some_and(|u| !u.starts_with("https://")) {
        errors.push("TELEGRAM_WEBHOOK_URL: Telegram only calls https:// webhooks".into());
    }
    let mut officers = BTreeMap::new();
    for (k, v) in env {
        let Some(opd) = k.strip_prefix("TELEGRAM_OFFICERS_") else { continue };
        let parsed = v.split_once(':').and_then(|(group, users)| {
            let users: Option<Vec<u64>> = users
                .split(',')
                .filter(|u| !u.trim().is_empty())
                .map(|u| u.trim().parse().ok())
                .collect();
            Some(OfficerGroup { chat_id: group.trim().parse().ok()?, users: users? })
        });
        match parsed {
            Some(g) => {
                officers.insert(opd.to_ascii_lowercase(), g);
            }
            None => errors.push(format!(
                "{k}: write <group chat id>:<user id>,<user id>, e.g. -1001234567890:111,222"
            )),
        }
    }
    Some(TelegramConfig {
        token: Secret::new(token),
        api_url: var("TELEGRAM_API_URL"),
        webhook_url,
        webhook_secret: Secret::new(webhook_secret),
        throttle: var("TELEGRAM_RATE_LIMIT").is_none_or(|v| v != "off"),
        officers,
    })
}

fn web(env: &HashMap<String, String>, errors: &mut Vec<String>) -> WebConfig {
    let var = |k: &str| env.get(k).filter(|v| !v.is_empty()).cloned();
    let rate = var("PINTU_WEB_RATE").unwrap_or_else(|| "120".into());
    let rate_per_minute = match rate.trim().parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            errors.push(format!("PINTU_WEB_RATE: `{rate}` is not a number of requests above 0"));
            120
        }
    };
    let mut trusted_proxies = Vec::new();
    for addr in var("PINTU_TRUSTED_PROXIES").unwrap_or_default().split(',') {
        let addr = addr.trim();
        if addr.is_empty() {
            continue;
        }
        match addr.parse() {
            Ok(ip) => trusted_proxies.push(ip),
            Err(_) => errors.push(format!("PINTU_TRUSTED_PROXIES: `{addr}` is not an IP address")),
        }
    }
    WebConfig { rate_per_minute, trusted_proxies }
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
    parse_duration_ms(s).map(|ms| (ms / 1000) as i64).filter(|&s| s > 0)
}

/// "250ms", "90s", "30m", "2h", "1d" → milliseconds.
pub fn parse_duration_ms(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let mult = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(mult).filter(|&v| v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)]) -> Result<Config, Vec<String>> {
        let map: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load_with(None, &map)
    }

    #[test]
    fn defaults_are_usable() {
        let c = load(&[]).unwrap();
        assert_eq!(c.http_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.timezone.whole_hours(), 8);
        assert_eq!(
            c.session_ttl_secs,
            7 * 86_400,
            "drafts wait a week for the KK or police letter"
        );
        assert_eq!(c.resume_after_secs, 1800);
        assert_eq!(c.dedupe_window_secs, 7 * 86_400, "Meta redelivers for 7 days");
        assert!(c.targets.is_empty() && c.api_tokens.is_empty());
    }

    #[test]
    fn environment_overrides_and_errors_are_collected() {
        let c = load(&[
            ("PINTU_TIMEZONE", "WIB"),
            ("PINTU_SESSION_TTL", "2h"),
            ("PINTU_RESUME_AFTER", "10m"),
        ])
        .unwrap();
        assert_eq!(c.timezone.whole_hours(), 7);
        assert_eq!((c.session_ttl_secs, c.resume_after_secs), (7200, 600));
        let errs = load(&[("PINTU_SESSION_TTL", "31d")]).unwrap_err();
        assert!(errs[0].contains("30d"), "{errs:?}");
        assert_eq!(
            load(&[("PINTU_DEDUPE_WINDOW", "14d")]).unwrap().dedupe_window_secs,
            14 * 86_400
        );
        for outside in ["1d", "31d"] {
            let errs = load(&[("PINTU_DEDUPE_WINDOW", outside)]).unwrap_err();
            assert!(errs[0].contains("between 2d and 30d"), "{errs:?}");
        }
        let errs = load(&[("PINTU_TIMEZONE", "Mars"), ("PINTU_HTTP_ADDR", "nope")]).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn targets_and_tokens_from_the_environment() {
        let hash = format!("sha256:{}", "ab".repeat(32));
        let c = load(&[
            ("PINTU_TARGET_DISDUKCAPIL_URL", "http://127.0.0.1:9090/tickets"),
            ("PINTU_TARGET_DISDUKCAPIL_SECRET", "rahasia"),
            ("PINTU_API_TOKEN_DISDUKCAPIL", &hash),
            ("PINTU_ADMIN_TOKEN", &hash),
        ])
        .unwrap();
        let t = &c.targets["disdukcapil"];
        assert_eq!(t.url, "http://127.0.0.1:9090/tickets");
        assert_eq!(t.secret.expose(), "rahasia");
        assert!(!format!("{c:?}").contains("rahasia"), "secrets never print");
        assert!(c.api_tokens.contains(&(Scope::Admin, [0xab; 32])));
        assert!(c.api_tokens.contains(&(Scope::Opd("disdukcapil".into()), [0xab; 32])));
        let errs =
            load(&[("PINTU_TARGET_DINSOS_URL", "http://x"), ("PINTU_API_TOKEN_DINSOS", "plain")])
                .unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
    }

    #[test]
    fn toml_file_is_read_and_strict() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pintu.toml");
        std::fs::write(&p, "timezone = \"WIT\"\nsession_ttl = \"10m\"\n[targets.dinsos]\nurl = \"https://dinsos.example/pintu\"\nsecret = \"s\"\nconcurrency = 4\n").unwrap();
        let c = Config::load_with(Some(&p), &HashMap::new()).unwrap();
        assert_eq!(c.timezone.whole_hours(), 9);
        assert_eq!(c.targets["dinsos"].concurrency, 4);
        // The environment wins over the file.
        let env = HashMap::from([("PINTU_TIMEZONE".to_string(), "WIB".to_string())]);
        assert_eq!(Config::load_with(Some(&p), &env).unwrap().timezone.whole_hours(), 7);
        std::fs::write(&p, "timezon = \"WIT\"\n").unwrap();
        let errs = Config::load_with(Some(&p), &HashMap::new()).unwrap_err();
        assert!(errs[0].contains("timezon"), "{errs:?}");
    }

    #[test]
    fn proxy_and_ca_from_the_environment() {
        let c = load(&[
            ("https_proxy", "http://127.0.0.1:3128"),
            ("NO_PROXY", "simduk.example.go.id"),
            ("PINTU_CA_FILE", "/etc/pintu/ca.pem"),
        ])
        .unwrap();
        assert_eq!(c.network.https_proxy.as_deref(), Some("http://127.0.0.1:3128"));
        assert_eq!(c.network.http_proxy, None);
        assert_eq!(c.network.no_proxy.as_deref(), Some("simduk.example.go.id"));
        assert_eq!(c.network.ca_file.as_deref(), Some(Path::new("/etc/pintu/ca.pem")));
        assert!(load(&[]).unwrap().network.https_proxy.is_none(), "nothing unless configured");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("1d"), Some(86_400));
        assert_eq!(parse_duration_ms("250ms"), Some(250));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("0m"), None);
    }
}
