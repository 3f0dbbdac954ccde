//! Wiring only: builds the store, catalogue, conversation layer and servers from a [`Config`]
//! and runs `serve`, `chat` or `check`.
//!
//! May use: `attachments`, `calendar`, `channel`, `cli`, `clock`, `commit`, `config`, `convo`,
//! `desk`, `diag`, `draft_reminder`, `engine`, `eval`, `http`, `metrics`, `model`, `net`, `outbox`,
//! `private_fs`, `reload`, `script`, `sla`, `store`, `tasks`, `users`, `web`.

use crate::attachments::FileLinks;
use crate::calendar::Calendar;
use crate::cli::UserCmd;
use crate::clock::{Clock, SystemClock};
use crate::commit::Committer;
use crate::config::Config;
use crate::convo::{Convo, ConvoConfig, Queued, Routes};
use crate::desk::Desk;
use crate::engine::Settings;
use crate::http::{self, AppState, Health};
use crate::model::{Channel, ChatKey};
use crate::outbox::forward::Forwarder;
use crate::outbox::push::{Delivered, Sinks};
use crate::outbox::retry::Policy;
use crate::outbox::worker::Outbox;
use crate::script::catalogue::{self, Catalogue};
use crate::store::{PgStore, SledStore, Store};
use crate::tasks::Tasks;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The running core every entry point shares: store, committer, conversations, outbox worker,
/// follow-up timer and the HTTP API state.
pub struct Core {
    pub store: Arc<dyn Store>,
    pub catalogue: watch::Sender<Arc<Catalogue>>,
    pub convo: Convo,
    pub sinks: Arc<Sinks>,
    pub http: AppState,
    /// How the channels' clients reach the internet (proxy, extra CAs).
    pub outbound: crate::net::Outbound,
    /// Where "now" comes from (a hand-moved clock in tests).
    pub clock: Arc<dyn Clock>,
    /// Every task the core and its channels started; stopping it stops them all.
    pub tasks: Tasks,
}

impl Core {
    /// What a channel starts with.
    pub fn wiring(&self) -> crate::channel::Wiring<'_> {
        crate::channel::Wiring {
            convo: &self.convo,
            sinks: &self.sinks,
            catalogue: self.catalogue.subscribe(),
            desk: &self.http.desk,
            health: &self.http.health,
            outbound: &self.outbound,
            clock: &self.clock,
            tasks: &self.tasks,
        }
    }

    /// A clean stop: commits what waits for a commit, signals every task to stop and waits
    /// for them (at most `STOP_GRACE`).
    pub async fn stop(self) {
        self.convo.flush().await;
        let tasks = self.tasks.clone();
        // The core's own handles go first: the conversation shards end once nobody can submit.
        drop(self);
        if !tasks.stop(STOP_GRACE).await {
            tracing::warn!(running = tasks.running(), "tasks still running at the end of the stop");
        }
    }
}

/// How long a clean stop waits for tasks to finish what they hold (a send under way, a
/// commit).
const STOP_GRACE: Duration = Duration::from_secs(10);

impl Drop for Core {
    fn drop(&mut self) {
        self.tasks.signal_stop();
    }
}

/// Loads dialogs and texts, logging every problem; broken scripts are left out. Refuses when a
/// text pintu itself needs is missing: every citizen would meet it, as a bare id.
/// A script whose steps changed under a version citizens started (in `store`) is left out;
/// they finish on the stored version.
pub fn load_catalogue(config: &Config, store: &dyn Store) -> anyhow::Result<Arc<Catalogue>> {
    let earlier = |id: &str, version: u32| crate::reload::pinned_yaml(store, id, version);
    let (cat, diags) = Catalogue::load_checking(&config.dialogs_dir, &config.locales_dir, &earlier);
    for d in &diags {
        tracing::warn!("{d}");
    }
    let missing = crate::script::needed::engine_texts(&cat.locales);
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
        anyhow::bail!("texts pintu needs are missing (run `pintu check`):\n{}", list.join("\n"));
    }
    if cat.is_unusable() {
        tracing::error!(dir = %config.dialogs_dir.display(), "no service could be loaded; check the dialogs folder");
    } else {
        tracing::info!(services = cat.menu.len(), "dialogs loaded");
    }
    Ok(Arc::new(cat))
}

/// Engine settings from the configuration (holidays file included).
pub fn settings(config: &Config) -> anyhow::Result<Settings> {
    let mut holidays: Vec<time::Date> = Calendar::indonesia_2026().holidays().collect();
    if let Some(path) = &config.holidays_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let extra = Calendar::parse_holiday_list(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        holidays.extend(extra);
    }
    Ok(Settings {
        session_ttl_secs: config.session_ttl_secs,
        resume_after_secs: config.resume_after_secs,
        calendar: Calendar::new(holidays),
        ..Settings::default()
    })
}

/// Opens the store and starts conversations, the outbox worker and the follow-up timer.
pub fn start_core(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<Core> {
    crate::private_fs::ensure_private_dir(&config.data_dir)?;
    let outbound = crate::net::Outbound::new(&config.network)?;
    let store: Arc<dyn Store> = match &config.database_url {
        Some(url) => Arc::new(PgStore::open(url.expose()).with_context(|| {
            format!("opening the store in {}", crate::store::postgres::redacted(url.expose()))
        })?),
        None => {
            let moved = config.data_dir.join(MIGRATED);
            anyhow::ensure!(
                !moved.exists(),
                "the records of {} were moved to a database (see {}): serve with \
                 PINTU_DATABASE_URL, or delete that file to serve this old copy",
                config.data_dir.display(),
                moved.display()
            );
            Arc::new(
                SledStore::open(&config.data_dir.join("db"), config.cache_bytes).with_context(
                    || format!("opening the store in {}", config.data_dir.display()),
                )?,
            )
        }
    };
    // sled creates its files with the process umask (often 0644): owner-only, whatever it was.
    crate::private_fs::tighten(&config.data_dir)
        .with_context(|| format!("making {} owner-only", config.data_dir.display()))?;
    let committer = Committer::start(store.clone());
    let tasks = Tasks::new();
    let taken =
        crate::reload::take_published(&config.dialogs_dir, &config.locales_dir, store.as_ref())
            .context("taking the dialogs the other instances serve")?;
    let (tx, rx) = watch::channel(load_catalogue(config, store.as_ref())?);
    let settings = Arc::new(settings(config)?);
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let convo_config = ConvoConfig {
        offset: config.timezone,
        metrics: metrics.clone(),
        data_dir: Some(config.data_dir.clone()),
        dedupe_window_secs: config.dedupe_window_secs,
        tasks: tasks.clone(),
        routes: Routes {
            forward: Some(config.targets.keys().cloned().collect()),
            notify: Some(
                config.telegram.iter().flat_map(|tg| tg.officers.keys().cloned()).collect(),
            ),
        },
        ..ConvoConfig::default()
    };
    let convo = Convo::start(
        store.clone(),
        committer.clone(),
        rx.clone(),
        settings.clone(),
        clock.clone(),
        convo_config,
    )
    .context("reading the dedupe markers")?;
    let links_key = crate::attachments::link_key(
        &config.data_dir,
        config.files_secret.as_ref(),
        store.as_ref(),
    )?;
    let links = FileLinks::new(&links_key, config.data_dir.clone());
    let reloader = Arc::new(crate::reload::Reloader::new(
        config.dialogs_dir.clone(),
        config.locales_dir.clone(),
        tx.clone(),
        store.clone(),
    ));
    reloader.join(taken).context("publishing the dialogs to the other instances")?;
    let sinks = Arc::new(Sinks::default());
    let forwarder = Arc::new(Forwarder::new(
        &outbound,
        config.targets.clone(),
        config.public_url.clone(),
        links.clone(),
    )?);
    let outbox = Outbox {
        store: store.clone(),
        committer: committer.clone(),
        clock: clock.clone(),
        catalogue: rx.clone(),
        forwarder,
        sinks: sinks.clone(),
        policy: Policy { base_ms: config.retry_base_ms, max_ms: config.retry_max_ms },
        metrics: metrics.clone(),
    };
    tasks.spawn(outbox.run(tasks.clone()));
    let follow_up = crate::sla::FollowUp {
        store: store.clone(),
        committer: committer.clone(),
        clock: clock.clone(),
        offset: config.timezone,
        calendar: settings.calendar.clone(),
        catalogue: rx.clone(),
        targets: config.targets.keys().cloned().collect(),
        interval: Duration::from_secs(config.sla_interval_secs),
        retention_secs: config.retention_secs,
        data_dir: config.data_dir.clone(),
    };
    tasks.spawn(follow_up.run(tasks.stopping().clone()));
    let reminders = crate::draft_reminder::Reminders {
        store: store.clone(),
        convo: convo.clone(),
        clock: clock.clone(),
        session_ttl_secs: config.session_ttl_secs,
        resume_after_secs: config.resume_after_secs,
    };
    tasks.spawn(reminders.run(tasks.stopping().clone()));
    let sweeper = crate::attachments::Sweeper {
        store: store.clone(),
        data_dir: config.data_dir.clone(),
        older_than: crate::attachments::sweep_age(config.session_ttl_secs),
        every: crate::attachments::SWEEP_EVERY,
    };
    tasks.spawn(sweeper.run(tasks.stopping().clone()));
    tasks.spawn(convo.pruner().run(tasks.stopping().clone()));
    tasks.spawn(convo.clone().send_orphans(tasks.stopping().clone()));
    tasks.spawn(reloader.clone().watch(Duration::from_secs(2), tasks.stopping().clone()));
    for opd in config.targets.keys() {
        tracing::info!(%opd, "tickets of this OPD are forwarded to its backend");
    }
    let http = AppState {
        health: Arc::new(Health::default()),
        tokens: Arc::new(config.api_tokens.clone()),
        links,
        public_url: config.public_url.clone(),
        metrics,
        reloader,
        desk: Desk::new(store.clone(), committer, clock.clone(), config.timezone, settings, rx),
        trusted_proxies: config.web.trusted_proxies.clone().into(),
    };
    Ok(Core { store, catalogue: tx, convo, sinks, http, outbound, clock, tasks })
}

/// `pintu serve`: runs until `shutdown` is cancelled.
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let core = start_core(&config, Arc::new(SystemClock))?;
    let mut app = http::router(core.http.clone());
    match &config.telegram {
        None => tracing::info!("Telegram channel not started: TELEGRAM_BOT_TOKEN is not set"),
        Some(tg) => {
            let route = crate::channel::telegram::start(&core.wiring(), &config, tg).await?;
            if let Some(route) = route {
                app = app.merge(route);
            }
        }
    }
    match &config.whatsapp {
        None => tracing::info!(
            "WhatsApp channel not started: WHATSAPP_TOKEN and its companions are not set"
        ),
        Some(wa) => app = app.merge(crate::channel::whatsapp::start(&core.wiring(), &config, wa)?),
    }
    app = app.merge(web_router(&core, &config)?);
    core.http.health.ready.store(true, Ordering::SeqCst);
    tracing::info!(addr = %listener.local_addr()?, data = %config.data_dir.display(), "pintu is serving");
    // The peer's address is the web chat's rate-limit key.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await?;
    core.stop().await;
    tracing::info!("pintu stopped");
    Ok(())
}

/// The web pages: starts the web chat channel on `core` and returns its routes (the citizens'
/// chat, staff sign-in, the console and the admin pages).
pub fn web_router(core: &Core, config: &Config) -> anyhow::Result<axum::Router> {
    let wiring = core.wiring();
    let chat = crate::channel::web::WebChat::start(&wiring, config.data_dir.clone());
    // The attachment links' key also derives the chat forms' tokens (under its own label), so
    // pages open across a restart keep working.
    let form_key = crate::attachments::link_key(
        &config.data_dir,
        config.files_secret.as_ref(),
        core.store.as_ref(),
    )?;
    let staff = crate::web::staff::StaffState {
        desk: core.http.desk.clone(),
        trusted_proxies: core.http.trusted_proxies.clone(),
    };
    let state = crate::web::WebState {
        chat: crate::web::chat::ChatState {
            chat,
            catalogue: wiring.catalogue,
            form_key: form_key.into(),
            limiter: Arc::new(crate::web::chat::limit::Limiter::new(config.web.rate_per_minute)),
            trusted_proxies: core.http.trusted_proxies.clone(),
        },
        admin: crate::web::admin::AdminState::new(
            core.http.reloader.clone(),
            core.http.desk.clone(),
            core.http.metrics.clone(),
            staff.clone(),
        ),
        staff: staff.clone(),
        konsol: crate::web::konsol::KonsolState { http: core.http.clone(), staff },
    };
    Ok(crate::web::router(state))
}

/// `pintu chat`: a citizen in this terminal, with the whole service running behind it (the
/// API on the configured address when it is free, forwarding, status pushes to this chat).
/// Reads lines from `input` until it ends.
pub async fn chat<R, W>(
    config: Config,
    user: String,
    input: R,
    mut out: W,
    prompt: bool,
) -> anyhow::Result<()>
where
    R: tokio::io::AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let core = start_core(&config, Arc::new(SystemClock))?;
    match tokio::net::TcpListener::bind(config.http_addr).await {
        Ok(listener) => {
            core.http.health.ready.store(true, Ordering::SeqCst);
            let app = http::router(core.http.clone());
            let stop = core.tasks.stopping().clone();
            core.tasks.spawn(async move {
                axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await
            });
        }
        Err(e) => {
            tracing::warn!(addr = %config.http_addr, error = %e, "HTTP API not started in chat mode")
        }
    }
    let chat = ChatKey::new(Channel::Terminal, user);
    let mut pushes = core.sinks.register(Channel::Terminal);
    // Replies that were committed but never shown (the last run died in between) come first.
    let missed: Vec<Queued> = core
        .store
        .pending_replies(Channel::Terminal)?
        .into_iter()
        .filter(|(c, ..)| *c == chat)
        .map(|(_, seq, out)| Queued { seq, out: out.into() })
        .collect();
    print_replies(&core, &chat, &missed, &mut out).await?;
    let mut lines = BufReader::new(input).lines();
    loop {
        if prompt {
            out.write_all(b"> ").await?;
            out.flush().await?;
        }
        let line = tokio::select! {
            line = lines.next_line() => line?,
            Some(push) = pushes.recv() => {
                // Pushes for other terminal users wait until they chat.
                let here = push.chat == chat;
                if here {
                    let text = core.catalogue.borrow().locales.render(push.out.lang, &push.out.reply);
                    out.write_all(format!("{}{text}\n\n", if prompt { "\n" } else { "" }).as_bytes()).await?;
                    out.flush().await?;
                }
                let _ = push.ack.send(if here { Delivered::Yes } else { Delivered::NotNow });
                continue;
            }
        };
        let Some(line) = line else { break };
        let parsed = crate::channel::terminal::parse_line(&line, &config.data_dir);
        let input = match parsed {
            Ok(i) => i,
            Err(help) => {
                out.write_all(format!("({help})\n\n").as_bytes()).await?;
                continue;
            }
        };
        let replies = core
            .convo
            .handle(chat.clone(), None, input)
            .await
            .context("the store refused the message")?;
        print_replies(&core, &chat, &replies, &mut out).await?;
    }
    core.convo.flush().await;
    Ok(())
}

/// Prints replies in order, then marks them sent.
async fn print_replies<W: AsyncWrite + Unpin>(
    core: &Core,
    chat: &ChatKey,
    replies: &[Queued],
    out: &mut W,
) -> anyhow::Result<()> {
    let locales = core.catalogue.borrow().locales.clone();
    for r in replies {
        let text = locales.render(r.out.lang, &r.out.reply);
        out.write_all(format!("{text}\n\n").as_bytes()).await?;
    }
    out.flush().await?;
    core.convo.mark_sent(chat, replies.iter().map(|r| r.seq));
    Ok(())
}

/// `pintu check`: prints problems; returns the exit code (0 clean, 1 problems).
pub fn check(config: &Config, dirs: &[PathBuf]) -> i32 {
    let dirs = if dirs.is_empty() { vec![config.dialogs_dir.clone()] } else { dirs.to_vec() };
    if let Some(missing) = dirs.iter().find(|d| !d.is_dir()) {
        eprintln!("pintu check: {} is not a folder of dialog scripts", missing.display());
        return 2;
    }
    let locales = locales_for(config, &dirs);
    let store = started_versions(config);
    let earlier = |id: &str, version: u32| {
        store.as_ref().and_then(|s| crate::reload::pinned_yaml(s, id, version))
    };
    let (diags, bad) = catalogue::check_dirs(&dirs, &locales, &earlier);
    for d in &diags {
        println!("{d}");
    }
    let errors = diags.iter().filter(|d| d.severity == crate::diag::Severity::Error).count();
    if bad {
        eprintln!("{errors} problem(s) found");
        1
    } else {
        eprintln!("ok: {} dialog folder(s) checked", dirs.len());
        0
    }
}

/// `pintu route TEXT`: prints how the router reads a first message and what it decides.
pub fn route(config: &Config, text: &str) -> anyhow::Result<()> {
    let (cat, _) = Catalogue::load(&config.dialogs_dir, &config.locales_dir);
    let settings = settings(config)?;
    let canon = cat.lexicon.canon(text);
    print!("{}", cat.routed(&canon, Some(&settings.emergency_script)).explain());
    Ok(())
}

/// `pintu eval FILE`: prints the report and returns the overall accuracy in percent.
pub fn eval(
    config: &Config,
    file: &Path,
    text_column: &str,
    expected_column: &str,
    aliases: &[String],
) -> anyhow::Result<f64> {
    let csv =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let rows = crate::eval::read_csv(&csv, text_column, expected_column)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let labels = crate::eval::Labels::parse(aliases).map_err(|e| anyhow::anyhow!("--alias {e}"))?;
    let (cat, _) = Catalogue::load(&config.dialogs_dir, &config.locales_dir);
    let settings = settings(config)?;
    // A fixed weekday morning, so runs compare: the time of day is not what is measured.
    let now = crate::clock::Now::at_local(
        time::macros::date!(2026 - 11 - 26),
        time::macros::time!(09:00),
        time::macros::offset!(+8),
    );
    let ctx = crate::engine::Ctx { catalogue: &cat, pinned: None, settings: &settings, now };
    let report = crate::eval::evaluate(&ctx, &rows, &labels, &settings.emergency_script);
    print!("{}", report.render());
    Ok(report.accuracy())
}

/// Texts for a checked folder: `locales/` beside it if it has one, else the configured folder.
fn locales_for(config: &Config, dirs: &[PathBuf]) -> PathBuf {
    dirs.first()
        .and_then(|d| d.parent())
        .map(|p| p.join("locales"))
        .filter(|p| p.is_dir())
        .unwrap_or_else(|| config.locales_dir.clone())
}

/// The store of the configured data folder, so `check` can compare scripts with the versions
/// citizens started. `None`, with a note, when there is none or a running pintu holds it (sled
/// locks its folder; copying it live could give a torn copy): the server's reload and start-up
/// make the same comparison themselves, so nothing slips through.
fn started_versions(config: &Config) -> Option<SledStore> {
    let dir = config.data_dir.join("db");
    let skipped = "versions were not compared with the dialogs citizens have started";
    if !dir.is_dir() {
        eprintln!("note: no store in {}: {skipped}", config.data_dir.display());
        return None;
    }
    match SledStore::open(&dir, config.cache_bytes) {
        Ok(store) => Some(store),
        Err(e) => {
            let why = if e.to_string().contains("lock") {
                "is in use by a running pintu".to_string()
            } else {
                format!("cannot be read ({e})")
            };
            eprintln!(
                "note: the store in {} {why}: {skipped}; the server's reload and start-up \
                 refuse steps changed without a new version",
                config.data_dir.display()
            );
            None
        }
    }
}

/// Opens the store of a stopped service (None when a running pintu holds it).
fn open_idle(config: &Config) -> Option<SledStore> {
    SledStore::open(&config.data_dir.join("db"), config.cache_bytes).ok()
}

/// Calls the running service's admin API.
async fn admin_call(
    config: &Config,
    method: reqwest::Method,
    path: &str,
) -> anyhow::Result<Vec<u8>> {
    let token = config.admin_bearer.as_ref().context(
        "the data folder is in use by a running pintu: set PINTU_ADMIN_BEARER to the admin token to go through its API",
    )?;
    let url = format!("http://{}{path}", config.http_addr);
    let resp = crate::net::Outbound::new(&config.network)?
        .builder()
        .build()?
        .request(method, &url)
        .bearer_auth(token.expose())
        .send()
        .await?;
    anyhow::ensure!(resp.status().is_success(), "{url} answered {}", resp.status());
    Ok(resp.bytes().await?.to_vec())
}

/// `pintu backup FILE`: the records (from the stopped store, or through the running service's
/// admin API), then the attachments they refer to, read from the data folder.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let records = match open_idle(config) {
        Some(store) => {
            let mut out = Vec::new();
            crate::store::backup::write(&store, &mut out)?;
            out
        }
        None => admin_call(config, reqwest::Method::POST, "/api/v1/admin/backup").await?,
    };
    // A backup holds every NIK: owner-only, like the store it came from.
    let out = crate::private_fs::create_private(file)
        .with_context(|| format!("writing {}", file.display()))?;
    let mut writer = std::io::BufWriter::new(out);
    let counts =
        crate::store::backup::with_files(&mut records.as_slice(), &config.data_dir, &mut writer)?;
    let out = writer.into_inner().map_err(|e| e.into_error())?;
    out.sync_all().with_context(|| format!("writing {}", file.display()))?;
    eprintln!(
        "backup written to {}: {} records, {} attachment files ({} bytes)",
        file.display(),
        counts.records,
        counts.files,
        out.metadata().map_or(0, |m| m.len()),
    );
    if counts.missing_files > 0 {
        eprintln!("{} attachments were erased since the records were taken", counts.missing_files);
    }
    Ok(())
}

/// `pintu restore FILE`: records and attachments, into an empty data folder.
pub fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    crate::private_fs::ensure_private_dir(&config.data_dir)?;
    let store =
        open_idle(config).context("the data folder is in use: stop pintu before restoring")?;
    let mut input =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let counts = crate::store::backup::restore(&store, &mut input, &config.data_dir)?;
    crate::private_fs::tighten(&config.data_dir)?;
    eprintln!(
        "{} records and {} attachment files restored into {}",
        counts.records,
        counts.files,
        config.data_dir.display()
    );
    Ok(())
}

/// Marks a data folder whose records are being moved (`pintu migrate`): holds the target's
/// address without its password. While it is there, the same target may be resumed.
const MIGRATING: &str = "migrating-to";
/// Marks a data folder whose records were moved: `serve` refuses to start on it, since
/// citizens would be answered from an old copy.
const MIGRATED: &str = "migrated-to";

/// `pintu migrate`: moves every record of the stopped data folder into an empty PostgreSQL
/// database (`to`, or `PINTU_DATABASE_URL`), then compares them record by record. Run again,
/// it finishes a move that was cut off. Returns what to print.
pub fn migrate(config: &Config, to: Option<String>) -> anyhow::Result<String> {
    let url = match to {
        Some(url) => url,
        None => config
            .database_url
            .as_ref()
            .map(|u| u.expose().clone())
            .context("name the database: --to postgres://… or PINTU_DATABASE_URL")?,
    };
    anyhow::ensure!(
        url.starts_with("postgres://") || url.starts_with("postgresql://"),
        "--to must be a postgres:// address"
    );
    let shown = crate::store::postgres::redacted(&url);
    let dir = &config.data_dir;
    anyhow::ensure!(dir.join("db").is_dir(), "no store in {}: nothing to move", dir.display());
    let moved = dir.join(MIGRATED);
    if let Ok(done) = std::fs::read_to_string(&moved) {
        anyhow::bail!(
            "{} was already moved into {}: nothing to do",
            dir.display(),
            done.lines().next().unwrap_or("a database")
        );
    }
    let from =
        open_idle(config).context("the data folder is in use: stop pintu before moving it")?;
    let to = PgStore::open(&url).with_context(|| format!("opening {shown}"))?;
    let marker = dir.join(MIGRATING);
    let resuming = std::fs::read_to_string(&marker).ok();
    if !to.is_empty()? {
        anyhow::ensure!(
            resuming.as_deref() == Some(shown.as_str()),
            "{shown} is not empty, and no move into it was started from {}: move into an \
             empty database",
            dir.display()
        );
    } else if let Some(other) = resuming.as_deref().filter(|m| *m != shown) {
        anyhow::bail!(
            "a move of {} into {other} was started and not finished: finish it (pintu migrate \
             --to that address), or delete {} to start over elsewhere",
            dir.display(),
            marker.display()
        );
    }
    crate::private_fs::write_private(&marker, shown.as_bytes())?;
    let now = SystemClock.now();
    let copied = crate::store::transfer::copy(&from, &to, now, config.dedupe_window_secs)?;
    let checked = crate::store::transfer::verify(&from, &to, now, config.dedupe_window_secs)
        .context("the copy differs from the data folder: run pintu migrate again")?;
    let at = time::OffsetDateTime::from_unix_timestamp(now.0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let done = format!("{shown}\nmoved at {at}\n{checked}\n");
    // Links to attachments already sent were signed with the folder's key: the instances on
    // the database share that one (unless one of them made another first).
    if let Some(key) = crate::attachments::folder_key(dir)? {
        to.shared_secret(crate::attachments::SHARED_KEY, &key)?;
    }
    crate::private_fs::write_private(&moved, done.as_bytes())?;
    std::fs::remove_file(&marker)?;
    Ok(format!(
        "{} records written into {shown} ({} already there from an earlier run)\n\
         checked record by record: {checked}\n\
         Attachment files stay in {}/files: give every instance that folder (PINTU_DATA_DIR).\n\
         Serve from the database with PINTU_DATABASE_URL; this data folder no longer serves.",
        copied.total(),
        checked.total() - copied.total().min(checked.total()),
        dir.display()
    ))
}

/// `pintu user …`: staff accounts, written straight into the store, so pintu must be stopped
/// (the data folder is locked while it serves). Returns what to print.
pub fn user(config: &Config, cmd: UserCmd) -> anyhow::Result<String> {
    use crate::model::account::Role;
    // On PostgreSQL the running instances read accounts from the database at each sign-in,
    // so they may go on serving; a sled folder is locked by the pintu serving it.
    let store: Box<dyn Store> = match &config.database_url {
        Some(url) => Box::new(PgStore::open(url.expose()).with_context(|| {
            format!("opening {}", crate::store::postgres::redacted(url.expose()))
        })?),
        None => Box::new(
            open_idle(config)
                .context("the data folder is in use: stop pintu before changing accounts")?,
        ),
    };
    let store = store.as_ref();
    let now = SystemClock.now();
    let by = "cli";
    // A password from stdin (one line), or a generated one shown once.
    let password = |from_stdin: bool| -> anyhow::Result<(String, bool)> {
        if from_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
        } else {
            Ok((crate::users::generate_password()?, true))
        }
    };
    let shown = |generated: bool, pw: &str| {
        if generated { format!("\npassword (shown once): {pw}") } else { String::new() }
    };
    let (batch, out) = match cmd {
        UserCmd::Add { name, login, opd, admin, password_stdin } => {
            let login = match login {
                Some(l) => l,
                None => login_from_name(&name).context("give a login with --login")?,
            };
            let role = match (opd, admin) {
                (_, true) => Role::Admin,
                (Some(opd), false) => Role::Officer { opd },
                (None, false) => anyhow::bail!("an officer needs --opd (or give --admin)"),
            };
            let (pw, generated) = password(password_stdin)?;
            let batch = crate::users::add(store, &login, &name, role, &pw, by, now)?;
            (batch, format!("account {login} created{}", shown(generated, &pw)))
        }
        UserCmd::List => {
            let mut out = String::new();
            for a in store.accounts()? {
                let role = a.opd().unwrap_or("(admin)");
                let state = match (a.disabled, a.locked_until) {
                    (true, _) => "disabled",
                    (false, Some(until)) if until > now => "locked",
                    _ => "active",
                };
                out.push_str(&format!("{:<20} {:<16} {:<9} {}\n", a.login, role, state, a.name));
            }
            return Ok(out.trim_end().to_owned());
        }
        UserCmd::Disable { login } => {
            let batch = crate::users::set_disabled(store, &login, true, by, now)?;
            (batch, format!("account {login} disabled"))
        }
        UserCmd::Enable { login } => {
            let batch = crate::users::set_disabled(store, &login, false, by, now)?;
            (batch, format!("account {login} enabled"))
        }
        UserCmd::Reset { login, password_stdin } => {
            let (pw, generated) = password(password_stdin)?;
            let batch = crate::users::reset(store, &login, &pw, by, now)?;
            (batch, format!("password of {login} reset{}", shown(generated, &pw)))
        }
    };
    store.commit(&batch)?;
    Ok(out)
}

/// `Budi Santoso` → `budi.santoso`: ASCII letters and digits of the name's words.
fn login_from_name(name: &str) -> Option<String> {
    let words: Vec<String> = name
        .split_whitespace()
        .map(|w| w.chars().filter(char::is_ascii_alphanumeric).collect::<String>())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mut login = words.join(".");
    login.truncate(32);
    (login.len() >= 2).then_some(login)
}

/// `pintu stats`.
pub async fn stats(config: &Config) -> anyhow::Result<String> {
    match open_idle(config) {
        Some(store) => Ok(serde_json::to_string_pretty(&crate::store::backup::stats(&store)?)?),
        None => {
            let body = admin_call(config, reqwest::Method::GET, "/api/v1/admin/stats").await?;
            Ok(String::from_utf8_lossy(&body).into_owned())
        }
    }
}
