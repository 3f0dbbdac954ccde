//! Browser tests' harness: real headless Chromium driven through its WebDriver (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs when missing) against the real
//! `pintu serve` on 127.0.0.1. Every page a test visits is saved as a screenshot under
//! `target/screenshots/<test>/`, numbered in visiting order, for a reviewer to look at.
//!
//! Nothing here reaches the internet: Chromium starts with its background networking off and
//! a fresh profile in a temp dir, and pintu serves only on loopback.

use crate::process;
use crate::support::private_tempdir;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long chromedriver may take to listen, and Chromium to start a session, on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A phone's viewport: the pages must be usable there.
const WINDOW_SIZE: &str = "--window-size=412,915";

/// One headless Chromium session; the driver and the browser are killed when it is dropped,
/// even when the test panics.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    taken: AtomicU32,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and a headless Chromium session through it.
    /// `test` names the screenshot folder.
    pub async fn start(test: &str) -> Browser {
        let chromium = find("chromium", &["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let chromedriver = find("chromedriver", &["/usr/bin/chromedriver"]);
        let port = free_port();
        // Its own process group, so that killing the group also ends the Chromium it started.
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let profile = private_tempdir();
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                    WINDOW_SIZE,
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = tokio::time::Instant::now() + START_TIMEOUT;
        let mut browser = None;
        let mut driver = Some(driver);
        while browser.is_none() {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => browser = Some(client),
                Err(e) if tokio::time::Instant::now() > deadline => {
                    kill_group(driver.as_mut().expect("driver"));
                    panic!("no Chromium session through chromedriver at {url}: {e}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots").join(test);
        // Screenshots of an earlier run of the same test would mix with this run's.
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("create the screenshots folder");
        Browser {
            client: browser.expect("connected"),
            driver: driver.take().expect("driver"),
            shots,
            taken: AtomicU32::new(0),
            _profile: profile,
        }
    }

    /// Opens `url` and saves a screenshot of the page, named after its path.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
        let path = url.split_once("://").map_or(url, |(_, rest)| rest);
        let path = path.find('/').map_or("/", |i| &path[i..]);
        self.snap(path).await;
    }

    /// Saves a screenshot of what the browser shows now, as `NN-<label>.png`.
    pub async fn snap(&self, label: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let n = self.taken.fetch_add(1, Ordering::Relaxed) + 1;
        let name: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
            .collect();
        let file = self.shots.join(format!("{n:02}-{}.png", name.trim_matches('_')));
        std::fs::write(&file, png).unwrap_or_else(|e| panic!("writing {}: {e}", file.display()));
    }

    /// Ends the session; the driver and Chromium go with it.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        kill_group(&mut self.driver);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// The real `pintu serve` for a browser test, on 127.0.0.1 and a free port, with its data in
/// `data` and these extra environment variables; killed when dropped.
pub struct Pintu {
    pub process: process::Pintu,
}

impl Pintu {
    pub async fn start(data: &Path, env: &[(&str, &str)]) -> Pintu {
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut process = process::Pintu::new(data, &env);
        process.start().await;
        Pintu { process }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        self.process.url(path)
    }
}

/// The program's path: the first of `candidates` that exists, else `name` on the PATH. A
/// missing browser fails the test with what to install: a browser test that is skipped
/// silently would pass without testing anything.
fn find(name: &str, candidates: &[&str]) -> PathBuf {
    if let Some(found) = candidates.iter().map(PathBuf::from).find(|p| p.exists()) {
        return found;
    }
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.exists()))
        .unwrap_or_else(|| {
            panic!(
                "{name} not found: browser tests need Debian's chromium and chromium-driver \
                 (`apt-get install chromium chromium-driver`; .ci/run installs them)"
            )
        })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local addr").port()
}

/// SIGKILL to the driver's whole process group (chromedriver and the Chromium it started).
fn kill_group(driver: &mut Child) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", driver.id())]).status();
    let _ = driver.wait();
}

/// The harness itself: Chromium reaches pintu through the driver, and screenshots are written.
#[tokio::test]
async fn chromium_opens_pintus_pages_and_saves_screenshots() {
    let dir = private_tempdir();
    let pintu = Pintu::start(dir.path(), &[]).await;
    let browser = Browser::start("harness").await;
    browser.goto(&pintu.url("/healthz")).await;
    let body = browser.client.find(fantoccini::Locator::Css("body")).await.expect("body");
    let text = body.text().await.expect("text");
    assert!(text.contains("\"status\"") && text.contains("ok"), "healthz in the browser: {text}");
    let shot = browser.shots.join("01-healthz.png");
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    browser.close().await;
}
