//! An outage switch for the fake platform APIs: a listener that, on command, answers every call
//! with HTTP 500 (the fake's handlers read [`Outage::ServerError`]) or lets no call through at
//! all, like a host that is down: every new connection is closed as soon as it opens and open
//! ones fail at their next read or write, so the client gets a transport error and no HTTP
//! answer, as from a refused connection.
//!
//! The port itself stays open: closed, it could be taken by any server on the machine starting
//! meanwhile (other tests start dozens), and pintu's calls would get that server's answers,
//! a 404 for instance, which makes it give a reply up. That happened in a full test run.
//!
//! Each connection also carries a kill switch of its own, so a handler can close the very
//! connection it is answering without a byte (the fake Bot API's `Fault::Drop`).
//!
//! The switch also counts the fake's open connections, so that a test which kills pintu can
//! wait until everything the killed process wrote has been read and recorded ([`Switch::quiet`]).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What a fake API does with calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Outage {
    /// Serves normally.
    #[default]
    Off,
    /// Answers every call with HTTP 500 in the platform's error shape.
    ServerError,
    /// No call gets through: connections are closed without an answer.
    Unreachable,
}

/// Turns the outage of one fake on and off; cheap to clone.
#[derive(Clone)]
pub struct Switch {
    outage: Arc<watch::Sender<Outage>>,
    /// Connections accepted and not yet dropped.
    open: Arc<AtomicUsize>,
}

impl Switch {
    pub fn new() -> Self {
        Self { outage: Arc::new(watch::Sender::new(Outage::Off)), open: Arc::default() }
    }

    pub fn set(&self, outage: Outage) {
        self.outage.send_replace(outage);
    }

    pub fn get(&self) -> Outage {
        *self.outage.borrow()
    }

    /// Binds 127.0.0.1:0 (loopback only: a fake must never be reachable from outside).
    pub async fn listener(&self) -> SwitchedListener {
        let inner = TcpListener::bind("127.0.0.1:0").await.expect("bind a fake API");
        let addr = inner.local_addr().expect("fake API address");
        SwitchedListener { addr, inner, outage: self.outage.subscribe(), open: self.open.clone() }
    }

    /// Waits until the fake has had no open connection for [`QUIET_FOR`], or panics after
    /// `deadline`. Once its clients are dead, this means every request they managed to write
    /// has been read and answered (or failed): a killed process's last call is recorded before
    /// its successor starts, not after, where it would look like the successor's.
    /// Connections still in the listen backlog are accepted within the quiet time.
    pub async fn quiet(&self, deadline: Duration) {
        let until = tokio::time::Instant::now() + deadline;
        let mut quiet_since = None;
        loop {
            let now = tokio::time::Instant::now();
            if self.open.load(Ordering::SeqCst) > 0 {
                quiet_since = None;
            } else if now - *quiet_since.get_or_insert(now) >= QUIET_FOR {
                return;
            }
            assert!(now < until, "a fake API still has connections open after {deadline:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// How long [`Switch::quiet`] wants no connection open.
const QUIET_FOR: Duration = Duration::from_millis(30);

/// The listener a fake serves on (see the module docs).
pub struct SwitchedListener {
    addr: SocketAddr,
    inner: TcpListener,
    outage: watch::Receiver<Outage>,
    open: Arc<AtomicUsize>,
}

impl SwitchedListener {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Listener for SwitchedListener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                // Closed unanswered: the client sees the connection end before any answer.
                Ok(_) if *self.outage.borrow() == Outage::Unreachable => {}
                Ok((stream, addr)) => {
                    self.open.fetch_add(1, Ordering::SeqCst);
                    let connection = Connection {
                        inner: stream,
                        killed: Arc::default(),
                        outage: self.outage.clone(),
                        open: self.open.clone(),
                    };
                    return (connection, addr);
                }
                // Transient (e.g. out of file descriptors): back off briefly, like axum.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// One accepted connection: fails every read and write once killed or while unreachable.
pub struct Connection {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
    outage: watch::Receiver<Outage>,
    /// The switch's count, decremented when hyper drops the connection.
    open: Arc<AtomicUsize>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Connection {
    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fake API: killed"));
        }
        if *self.outage.borrow() == Outage::Unreachable {
            return Err(io::Error::new(io::ErrorKind::ConnectionReset, "fake API: down"));
        }
        Ok(())
    }
}

/// A handler's way to close its own connection without answering (via `ConnectInfo`): hyper
/// then drops the socket ("connection closed before message completed").
#[derive(Clone)]
pub struct Killer(Arc<AtomicBool>);

impl Killer {
    pub fn kill(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, SwitchedListener>> for Killer {
    fn connect_info(stream: IncomingStream<'_, SwitchedListener>) -> Self {
        Killer(stream.io().killed.clone())
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;

    async fn serve(switch: &Switch) -> SocketAddr {
        let listener = switch.listener().await;
        let addr = listener.addr();
        let app = Router::new().route("/", get(|| async { "ok" }));
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<Killer>()).await
        });
        addr
    }

    #[tokio::test]
    async fn while_unreachable_no_call_gets_an_answer_and_the_same_address_comes_back() {
        let switch = Switch::new();
        let addr = serve(&switch).await;
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!("http://{addr}/");
        assert_eq!(http.get(&url).send().await.unwrap().text().await.unwrap(), "ok");
        switch.set(Outage::Unreachable);
        for _ in 0..3 {
            let failed = http.get(&url).send().await.expect_err("no answer while unreachable");
            assert!(failed.status().is_none(), "a transport error, not an HTTP status");
        }
        assert!(std::net::TcpListener::bind(addr).is_err(), "no other server can take the port");
        switch.set(Outage::Off);
        assert_eq!(http.get(&url).send().await.unwrap().text().await.unwrap(), "ok");
    }

    /// `quiet` waits for a client's keep-alive connection to end, and only for that.
    #[tokio::test]
    async fn quiet_waits_until_the_clients_connections_are_closed() {
        let switch = Switch::new();
        let addr = serve(&switch).await;
        switch.quiet(Duration::from_secs(5)).await;
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        assert_eq!(http.get(format!("http://{addr}/")).send().await.unwrap().status(), 200);
        // The pooled connection stays open while the client lives.
        let waiting =
            tokio::time::timeout(Duration::from_millis(300), switch.quiet(Duration::from_secs(60)));
        assert!(waiting.await.is_err(), "quiet while a connection was open");
        drop(http);
        switch.quiet(Duration::from_secs(5)).await;
    }
}
