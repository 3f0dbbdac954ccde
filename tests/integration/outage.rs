//! An outage switch for the fake platform APIs: a listener that, on command, answers every call
//! with HTTP 500 (the fake's handlers read [`Outage::ServerError`]) or refuses connections as a
//! host that is down does (the port is closed, open connections fail at their next read or
//! write), and comes back on the same address when the switch is turned off.
//!
//! Each connection also carries a kill switch of its own, so a handler can close the very
//! connection it is answering without a byte (the fake Bot API's `Fault::Drop`).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Closes its port: connecting is refused, open connections fail.
    Refused,
}

/// Turns the outage of one fake on and off; cheap to clone.
#[derive(Clone)]
pub struct Switch(Arc<watch::Sender<Outage>>);

impl Switch {
    pub fn new() -> Self {
        Self(Arc::new(watch::Sender::new(Outage::Off)))
    }

    pub fn set(&self, outage: Outage) {
        self.0.send_replace(outage);
    }

    pub fn get(&self) -> Outage {
        *self.0.borrow()
    }

    /// Binds 127.0.0.1:0 (loopback only: a fake must never be reachable from outside).
    pub async fn listener(&self) -> SwitchedListener {
        let inner = TcpListener::bind("127.0.0.1:0").await.expect("bind a fake API");
        let addr = inner.local_addr().expect("fake API address");
        SwitchedListener { addr, inner: Some(inner), outage: self.0.subscribe() }
    }
}

/// The listener a fake serves on (see the module docs).
pub struct SwitchedListener {
    addr: SocketAddr,
    /// `None` while refusing: the socket is closed, so connecting gets ECONNREFUSED.
    inner: Option<TcpListener>,
    outage: watch::Receiver<Outage>,
}

impl SwitchedListener {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The closed port, opened again on the same address.
    async fn reopen(&self) -> TcpListener {
        // Someone else may hold the port for a moment (a client's ephemeral port on
        // loopback); tokio sets SO_REUSEADDR, so lingering connections are no obstacle.
        for _ in 0..100 {
            if let Ok(listener) = TcpListener::bind(self.addr).await {
                return listener;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("a fake API could not listen on {} again after its outage", self.addr);
    }
}

impl Listener for SwitchedListener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if *self.outage.borrow_and_update() == Outage::Refused {
                self.inner = None;
                if self.outage.changed().await.is_err() {
                    // The fake is gone; its server is shutting down and stops polling this.
                    std::future::pending::<()>().await;
                }
                continue;
            }
            if self.inner.is_none() {
                self.inner = Some(self.reopen().await);
            }
            let Some(inner) = &self.inner else { continue };
            tokio::select! {
                accepted = inner.accept() => match accepted {
                    Ok((stream, addr)) => {
                        let connection = Connection {
                            inner: stream,
                            killed: Arc::default(),
                            outage: self.outage.clone(),
                        };
                        return (connection, addr);
                    }
                    // Transient (e.g. out of file descriptors): back off briefly, like axum.
                    Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                },
                _ = self.outage.changed() => {}
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.addr)
    }
}

/// One accepted connection: fails every read and write once killed or while refusing.
pub struct Connection {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
    outage: watch::Receiver<Outage>,
}

impl Connection {
    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            return Err(io::Error::new(io::ErrorKind::ConnectionAborted, "fake API: killed"));
        }
        if *self.outage.borrow() == Outage::Refused {
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
    async fn refusing_closes_the_port_and_the_same_address_comes_back() {
        let switch = Switch::new();
        let addr = serve(&switch).await;
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        let url = format!("http://{addr}/");
        assert_eq!(http.get(&url).send().await.unwrap().text().await.unwrap(), "ok");
        switch.set(Outage::Refused);
        // The accept loop closes the port as soon as it sees the switch.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            match TcpStream::connect(addr).await {
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => break,
                _ => assert!(std::time::Instant::now() < deadline, "port still open"),
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(http.get(&url).send().await.is_err(), "pooled connections fail too");
        switch.set(Outage::Off);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Ok(r) = http.get(&url).send().await {
                assert_eq!(r.text().await.unwrap(), "ok");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "not back on {addr}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
