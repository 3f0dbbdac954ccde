//! Who owns the life of pintu's tasks. Every task that outlives the call that started it is
//! spawned through one [`Tasks`]: it stops when the stop is signalled, and [`Tasks::stop`]
//! waits for all of them, so that a clean stop (SIGTERM) leaves nothing running half-way.
//!
//! May use: nothing else of pintu.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The tasks of one running pintu; cheap to clone (every clone is the same set).
#[derive(Debug, Clone, Default)]
pub struct Tasks {
    tracker: TaskTracker,
    stopping: CancellationToken,
}

impl Tasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts `task`, counted until it ends. It must end soon after [`Tasks::stopping`] fires.
    pub fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tracker.spawn(task)
    }

    /// Runs `work` in the caller's task, and if the caller is dropped before it ends (an HTTP
    /// client hung up), the rest in a task of its own. Work that must not stop half-way then
    /// costs no task of its own in the usual case, where the caller waits for it anyway.
    pub fn finish<F>(&self, work: F) -> Finish<F>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Finish { work: Some(Box::pin(work)), tasks: self.clone() }
    }

    /// Fires when pintu stops: long-running tasks select on it.
    pub fn stopping(&self) -> &CancellationToken {
        &self.stopping
    }

    /// Signals the stop without waiting (dropping a running core).
    pub fn signal_stop(&self) {
        self.stopping.cancel();
    }

    /// Signals the stop and waits for every task, at most `grace`; false when some were
    /// still running then (they are left to the runtime's shutdown).
    pub async fn stop(&self, grace: Duration) -> bool {
        self.stopping.cancel();
        self.tracker.close();
        tokio::time::timeout(grace, self.tracker.wait()).await.is_ok()
    }

    /// Tasks still running.
    pub fn running(&self) -> usize {
        self.tracker.len()
    }
}

/// Work started by [`Tasks::finish`].
pub struct Finish<F: Future + Send + 'static>
where
    F::Output: Send + 'static,
{
    /// `None` once it has ended.
    work: Option<Pin<Box<F>>>,
    tasks: Tasks,
}

impl<F: Future + Send + 'static> Future for Finish<F>
where
    F::Output: Send + 'static,
{
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let Some(work) = self.work.as_mut() else {
            panic!("`Finish` polled after it ended");
        };
        let out = std::task::ready!(work.as_mut().poll(cx));
        self.work = None;
        Poll::Ready(out)
    }
}

impl<F: Future + Send + 'static> Drop for Finish<F>
where
    F::Output: Send + 'static,
{
    fn drop(&mut self) {
        // Outside a runtime (never so in pintu: callers are tasks) there is nowhere to finish
        // it; what it had committed is still pending in the store and handled at the start.
        if let Some(work) = self.work.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            self.tasks.spawn(work);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_waits_for_every_task_to_end() {
        let tasks = Tasks::new();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        for i in 0..3 {
            let stopping = tasks.stopping().clone();
            let done = done_tx.clone();
            tasks.spawn(async move {
                stopping.cancelled().await;
                // Work after the signal (a last commit) is waited for too.
                tokio::time::sleep(Duration::from_millis(20)).await;
                let _ = done.send(i);
            });
        }
        assert_eq!(tasks.running(), 3);
        assert!(tasks.stop(Duration::from_secs(5)).await);
        assert_eq!(tasks.running(), 0);
        drop(done_tx);
        let mut ended = Vec::new();
        while let Some(i) = done_rx.recv().await {
            ended.push(i);
        }
        ended.sort_unstable();
        assert_eq!(ended, [0, 1, 2]);
    }

    #[tokio::test]
    async fn work_its_caller_waits_for_runs_in_the_callers_task() {
        let tasks = Tasks::new();
        let counted = tasks.clone();
        let work = tasks.finish(async move {
            tokio::task::yield_now().await;
            counted.running()
        });
        assert_eq!(work.await, 0, "no task of its own");
    }

    #[tokio::test(start_paused = true)]
    async fn work_whose_caller_went_away_is_finished_in_a_task() {
        let tasks = Tasks::new();
        let (go, wait) = tokio::sync::oneshot::channel::<()>();
        let (done, finished) = tokio::sync::oneshot::channel();
        let work = tasks.finish(async move {
            let _ = wait.await;
            let _ = done.send(7);
        });
        // The caller gives up half-way.
        assert!(tokio::time::timeout(Duration::from_secs(1), work).await.is_err());
        assert_eq!(tasks.running(), 1);
        go.send(()).unwrap();
        assert_eq!(finished.await, Ok(7));
    }

    #[tokio::test(start_paused = true)]
    async fn a_task_that_ignores_the_stop_is_reported() {
        let tasks = Tasks::new();
        tasks.spawn(std::future::pending::<()>());
        assert!(!tasks.stop(Duration::from_secs(10)).await);
        assert_eq!(tasks.running(), 1);
    }
}
