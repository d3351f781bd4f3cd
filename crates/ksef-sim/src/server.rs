//! Running the simulator: in-process on a free loopback port, or on a chosen address.

use std::net::SocketAddr;

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::SimConfig;
use crate::routes::app;
use crate::state::SimState;

/// A running simulator.
#[derive(Debug)]
pub struct SimHandle {
    /// API base, e.g. `http://127.0.0.1:40123/v2`.
    pub api_base: String,
    /// QR verification base, e.g. `http://127.0.0.1:40123/qr`.
    pub qr_base: String,
    /// Lighthouse base.
    pub lighthouse_base: String,
    /// Control base (`/sim`).
    pub control_base: String,
    /// The bound address.
    pub addr: SocketAddr,
    /// The state, for direct control from tests.
    pub state: SimState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl SimHandle {
    /// The JSON line `ksef sim` prints: `apiBase`, `qrBase`, `lighthouseBase`, `controlBase`.
    pub fn ready_info(&self) -> Value {
        ready_info(self.addr)
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

fn ready_info(addr: SocketAddr) -> Value {
    let root = format!("http://{addr}");
    json!({
        "apiBase": format!("{root}/v2"),
        "qrBase": format!("{root}/qr"),
        "lighthouseBase": format!("{root}/lighthouse"),
        "controlBase": format!("{root}/sim"),
    })
}

/// Errors starting a simulator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// Key generation failed.
    #[error("cannot make the simulator's keys: {0}")]
    Keys(#[from] ksef_core::Error),
    /// The address could not be bound.
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}

/// Starts a simulator on `127.0.0.1:0` in this process.
pub async fn spawn(config: SimConfig) -> Result<SimHandle, StartError> {
    let state = SimState::new(config)?;
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let router = app(state.clone());
    let task = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = stopped.await;
        })
        .await;
    });
    let info = ready_info(addr);
    let s = |k: &str| info[k].as_str().unwrap_or_default().to_owned();
    Ok(SimHandle {
        api_base: s("apiBase"),
        qr_base: s("qrBase"),
        lighthouse_base: s("lighthouseBase"),
        control_base: s("controlBase"),
        addr,
        state,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Serves on `addr` until the process stops; calls `on_ready` with the ready JSON first.
pub async fn serve(
    config: SimConfig,
    addr: SocketAddr,
    on_ready: impl FnOnce(Value),
) -> Result<(), StartError> {
    let state = SimState::new(config)?;
    let listener = TcpListener::bind(addr).await?;
    on_ready(ready_info(listener.local_addr()?));
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
