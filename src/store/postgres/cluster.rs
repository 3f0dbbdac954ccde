//! A throw-away PostgreSQL cluster for tests: `initdb` and `pg_ctl` of the installed
//! PostgreSQL (Debian: `/usr/lib/postgresql/<major>/bin`, else `PATH`) in a private temp dir,
//! on a free 127.0.0.1 port with its unix socket in that dir, `fsync=on`. It is stopped and its
//! dir removed when the last test holding it drops it, panics included.
//!
//! `initdb` refuses to run as root (CI runs tests as root), so there the cluster's programs run
//! as the `postgres` user (Debian's package creates it) through `setpriv`, and the temp dir is
//! handed to that user. Missing binaries fail the test with a message saying what to install:
//! a store suite that silently passed without a database would prove nothing.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use tempfile::TempDir;

/// A running cluster; stopped on drop.
pub struct Cluster {
    bin: PathBuf,
    /// The user the server runs as, when the tests run as root.
    run_as: Option<(u32, u32)>,
    dir: TempDir,
    pub port: u16,
}

/// One cluster for the tests running at the same time; a new one after they all finished.
static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// A fresh, empty database on the shared cluster (started if none runs), with its URL. The
/// database lives as long as the cluster; keep the `Arc` as long as the store.
pub fn fresh_database() -> (Arc<Cluster>, String) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = {
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        match shared.upgrade() {
            Some(cluster) => cluster,
            None => {
                let cluster = Arc::new(Cluster::start());
                *shared = Arc::downgrade(&cluster);
                cluster
            }
        }
    };
    let name = format!("t{}", NEXT.fetch_add(1, Ordering::SeqCst));
    let mut admin = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)
        .expect("connect to the test cluster");
    admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create a test database");
    let url = cluster.url(&name);
    (cluster, url)
}

impl Cluster {
    /// A cluster of its own, for a test that needs no one else's transactions around.
    pub fn start() -> Self {
        let bin = bin_dir();
        let run_as = (rustix::process::geteuid().is_root()).then(postgres_user);
        let dir = tempfile::Builder::new().prefix("pintu-pg").tempdir().expect("temp dir");
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid)).expect("chown temp dir");
        }
        let data = dir.path().join("data");
        let cluster = Self { bin, run_as, port: free_port(), dir };
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "pintu".as_ref(),
                "--auth=trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                // initdb's own syncs only: the server below runs with fsync=on.
                "--no-sync".as_ref(),
            ],
        );
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=on -c synchronous_commit=on",
            cluster.port,
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("log");
        cluster.run(
            "pg_ctl",
            &[
                "start".as_ref(),
                "-w".as_ref(),
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
            ],
        );
        cluster
    }

    /// A URL of database `name` over TCP on 127.0.0.1.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://pintu@127.0.0.1:{}/{name}?sslmode=disable", self.port)
    }

    /// The data directory (for tests that look at the files).
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) {
        let out = self
            .command(program)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("running {program}: {e}"));
        assert!(
            out.status.success(),
            "{program} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// One of the cluster's programs, run as the cluster's user.
    fn command(&self, program: &str) -> Command {
        let Some((uid, gid)) = self.run_as else { return Command::new(self.bin.join(program)) };
        let mut command = Command::new("setpriv");
        command
            .args([format!("--reuid={uid}"), format!("--regid={gid}"), "--clear-groups".into()])
            .arg(self.bin.join(program));
        command
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        // Immediate: the data is thrown away, no need for a checkpoint.
        let stop = ["stop".as_ref(), "-w".as_ref(), "-m".as_ref(), "immediate".as_ref()];
        let mut args: Vec<&std::ffi::OsStr> = stop.to_vec();
        args.extend(["-D".as_ref(), data.as_os_str()]);
        let status = self.command("pg_ctl").args(&args).output();
        if !status.is_ok_and(|s| s.status.success()) {
            eprintln!("note: the test PostgreSQL in {} did not stop cleanly", data.display());
        }
    }
}

/// The newest installed PostgreSQL's programs.
fn bin_dir() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((major, bin))
        })
        .collect();
    found.sort();
    if let Some((_, bin)) = found.pop() {
        return bin;
    }
    let on_path = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
    });
    on_path.unwrap_or_else(|| {
        panic!(
            "PostgreSQL's initdb and pg_ctl were not found (in /usr/lib/postgresql/*/bin or \
             PATH): install Debian's `postgresql` package (.ci/run does) to run the PostgreSQL \
             store tests"
        )
    })
}

/// The `postgres` user's uid and gid, from `/etc/passwd`.
fn postgres_user() -> (u32, u32) {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.first() == Some(&"postgres") && fields.len() > 3)
                .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
                .flatten()
        })
        .unwrap_or_else(|| {
            panic!(
                "the tests run as root, which initdb refuses, and there is no `postgres` user \
                 to run the test cluster as: install Debian's `postgresql` package (it creates \
                 one)"
            )
        })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
