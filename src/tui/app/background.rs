//! Work that reads the whole workspace (the CRM audit, the results) runs
//! on a thread of its own with its own connection, so the screen and its
//! keys stay live; the UI takes the result on a later tick.

use crate::store::Workspace;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

pub struct Background<T> {
    done: Receiver<anyhow::Result<T>>,
}

impl<T: Send + 'static> Background<T> {
    /// Run `work` over the workspace at `path` on a thread named `name`.
    pub fn start(
        name: &str,
        path: PathBuf,
        work: impl FnOnce(&Workspace) -> anyhow::Result<T> + Send + 'static,
    ) -> std::io::Result<Background<T>> {
        let (tx, done) = channel();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let result = Workspace::open_existing(&path)
                    .map_err(anyhow::Error::from)
                    .and_then(|ws| work(&ws));
                let _ = tx.send(result);
            })?;
        Ok(Background { done })
    }

    /// The result once the work is done; `None` while it runs.
    pub fn poll(&self) -> Option<anyhow::Result<T>> {
        match self.done.try_recv() {
            Ok(result) => Some(result),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                Some(Err(anyhow::anyhow!("the work stopped unfinished")))
            }
        }
    }
}
