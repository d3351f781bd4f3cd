//! A small pool of threads for the CPU-bound work on invoices (hashes, AES, the XML and XSD
//! checks), so that the async runtime threads stay free to take requests.
//!
//! libxml2's compiled schemas belong to one thread: each worker compiles the FA(3) schema once,
//! when it starts, and keeps it for its life (`InvoiceChecker` keeps one per thread), so no
//! request pays for a compilation.

use std::sync::{Arc, Mutex, OnceLock, mpsc};

use axum::http::StatusCode;

use crate::error::ApiError;

type Job = Box<dyn FnOnce() + Send + 'static>;

fn pool() -> &'static mpsc::Sender<Job> {
    static POOL: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 16));
        for i in 0..n {
            let rx = Arc::clone(&rx);
            let _ = std::thread::Builder::new()
                .name(format!("ksef-sim-check-{i}"))
                .spawn(move || {
                    crate::invoice_check::warm_up();
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                });
        }
        // If no worker could start, the receiver is gone and `run` falls back to tokio's
        // blocking threads.
        tx
    })
}

/// Starts the workers (and their schema compilation) ahead of the first request.
pub(crate) fn start() {
    let _ = pool();
}

/// Runs `f` on a worker thread and waits for its result without blocking the runtime.
pub(crate) async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    if let Err(mpsc::SendError(job)) = pool().send(job) {
        tokio::task::spawn_blocking(job);
    }
    rx.await.map_err(|_| {
        ApiError::plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Przetwarzanie faktury zostało przerwane.",
        )
    })
}

/// Runs `f` on a worker (or on this thread if there is none), for synchronous callers; the
/// result arrives on the receiver (nothing arrives if `f` panics).
pub(crate) fn spawn<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    if let Err(mpsc::SendError(job)) = pool().send(job) {
        job();
    }
    rx
}
