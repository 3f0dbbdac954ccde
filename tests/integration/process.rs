//! The real `pintu serve` as an operator runs it: started on a data folder, stopped with
//! SIGTERM, killed with SIGKILL and started again on the same folder and the same port (the
//! platforms keep calling the address they were given).

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a start may take before the test gives up (a debug build on a busy CI machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Pintu {
    data: PathBuf,
    env: Vec<(String, String)>,
    child: Option<Child>,
    /// Fixed by the first start (port 0), reused by every restart.
    addr: Option<SocketAddr>,
    /// When each run was spawned: replies repeated after one of these are the allowed repeats.
    starts: Vec<Instant>,
    /// Every run's log (JSON lines), for failure messages.
    log: Arc<Mutex<String>>,
}

impl Pintu {
    /// A stopped pintu on `data` (created by pintu itself, owner-only) with these extra
    /// environment variables (channels, fakes' URLs).
    pub fn new(data: &Path, env: &[(String, String)]) -> Self {
        Self {
            data: data.to_path_buf(),
            env: env.to_vec(),
            child: None,
            addr: None,
            starts: Vec::new(),
            log: Arc::default(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// The HTTP address (webhooks, API); the same across restarts.
    pub fn addr(&self) -> SocketAddr {
        self.addr.expect("pintu was started")
    }

    /// `http://<addr><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr())
    }

    pub fn starts(&self) -> &[Instant] {
        &self.starts
    }

    /// Starts `pintu serve` and waits until it serves.
    pub async fn start(&mut self) {
        assert!(self.child.is_none(), "pintu is already running");
        let listen = self.addr.map_or_else(|| "127.0.0.1:0".to_owned(), |a| a.to_string());
        // Through `sh` only to set the umask an ordinary server has (files 0644, folders
        // 0755 unless pintu says otherwise); `exec` makes the child pintu itself, so a kill
        // reaches it.
        let mut command = Command::new("sh");
        command
            .args(["-c", "umask 022 && exec \"$0\" serve", env!("CARGO_BIN_EXE_pintu")])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("PINTU_DATA_DIR", &self.data)
            .env("PINTU_HTTP_ADDR", listen)
            .env("PINTU_LOG", "info")
            .env("PINTU_LOG_FORMAT", "json")
            .env_remove("TELEGRAM_BOT_TOKEN")
            .env_remove("WHATSAPP_TOKEN")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        self.starts.push(Instant::now());
        let mut child = command.spawn().expect("spawn pintu serve");
        let stderr = child.stderr.take().expect("piped stderr");
        self.child = Some(child);
        let (serving, rx) = tokio::sync::oneshot::channel();
        let log = self.log.clone();
        // Read the log as it comes (a full pipe would stop pintu) and report the address.
        std::thread::spawn(move || {
            let mut serving = Some(serving);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = serving_addr(&line)
                    && let Some(tx) = serving.take()
                {
                    let _ = tx.send(addr);
                }
                if let Ok(mut log) = log.lock() {
                    log.push_str(&line);
                    log.push('\n');
                }
            }
        });
        match tokio::time::timeout(START_TIMEOUT, rx).await {
            Ok(Ok(addr)) => self.addr = Some(addr),
            _ => panic!("pintu did not start serving:\n{}", self.log_tail()),
        }
    }

    /// `kill -9`: no chance to flush or finish anything.
    pub async fn kill9(&mut self) {
        let mut child = self.child.take().expect("pintu is running");
        let _ = child.kill();
        tokio::task::spawn_blocking(move || child.wait()).await.expect("wait").expect("reaped");
    }

    /// SIGTERM, as an orderly stop; waits for the exit and checks it was clean.
    pub async fn stop(&mut self) {
        let mut child = self.child.take().expect("pintu is running");
        let pid = child.id().to_string();
        let status = tokio::task::spawn_blocking(move || {
            Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
            child.wait()
        })
        .await
        .expect("wait")
        .expect("reaped");
        assert!(status.success(), "pintu did not stop cleanly ({status}):\n{}", self.log_tail());
    }

    /// The last lines of the log, for failure messages.
    pub fn log_tail(&self) -> String {
        let log = self.log.lock().map(|l| l.clone()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The store of the stopped pintu, to check what it holds.
    pub fn store(&self) -> pintu::store::SledStore {
        assert!(self.child.is_none(), "stop pintu before opening its store");
        pintu::store::SledStore::open(&self.data.join("db"), 8 << 20).expect("open the store")
    }
}

impl Drop for Pintu {
    fn drop(&mut self) {
        // A failed test must not leave a server running.
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The address in the "pintu is serving" log line.
fn serving_addr(line: &str) -> Option<SocketAddr> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    if v["fields"]["message"] != "pintu is serving" {
        return None;
    }
    v["fields"]["addr"].as_str()?.parse().ok()
}
