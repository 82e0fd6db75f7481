//! The reviewer's own link from a call to its CRM records, typed in the
//! workstation: checked against the workspace, kept across re-imports.
//!
//! Linking re-runs the matcher over the whole workspace (a manual link can
//! settle other calls' ambiguities), which at a large client's size takes
//! long: it runs on a thread of its own with its own connection, and the
//! screen goes on meanwhile.

use super::App;
use crate::store::{StoreError, Workspace};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// A link by hand being written.
pub struct PendingLink {
    call_id: String,
    done: Receiver<Result<(), StoreError>>,
}

impl App {
    /// `CONTACT [DEAL]` typed by the reviewer; both must exist. Kept in the
    /// workspace and re-applied after every import.
    pub(super) fn link_by_hand(&mut self, text: &str) {
        let Some(call_id) = self.review.open.as_ref().map(|o| o.call.call_id.clone()) else {
            return self.no_call();
        };
        if self.review.linking.is_some() {
            let text = self.t().link_busy.to_string();
            return self.warn(text);
        }
        let mut words = text.split_whitespace().map(str::to_string);
        let (contact, deal) = (words.next(), words.next());
        let (path, id) = (self.ws.path().to_path_buf(), call_id.clone());
        let (tx, done) = channel();
        let spawned = std::thread::Builder::new()
            .name("callqa-link".into())
            .spawn(move || {
                let result = Workspace::open_existing(&path).and_then(|ws| {
                    crate::import::link_by_hand(&ws, &id, contact.as_deref(), deal.as_deref())
                });
                let _ = tx.send(result);
            });
        match spawned {
            Ok(_) => {
                self.review.linking = Some(PendingLink { call_id, done });
                let text = self.t().link_busy.to_string();
                self.info(text);
            }
            Err(e) => self.error(e.to_string()),
        }
    }

    /// Take the result of a link by hand once it is written; true if the
    /// screen changed.
    pub(super) fn poll_link(&mut self) -> bool {
        let Some(pending) = &self.review.linking else {
            return false;
        };
        let result = match pending.done.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Err(StoreError::Corrupt(
                "the link was not finished; it may not be stored".into(),
            )),
        };
        let call_id = pending.call_id.clone();
        self.review.linking = None;
        match result {
            Ok(()) => {
                let open = self.review.open.as_ref().map(|o| o.call.call_id.as_str());
                if open == Some(call_id.as_str())
                    && let Err(e) = self.reopen_call(&call_id)
                {
                    // The link is stored; only reading the call again failed.
                    self.say_unreadable(e.to_string());
                    return true;
                }
                let text = self.t().cli_linked.to_string();
                self.info(text);
            }
            Err(StoreError::UnknownRecords(ids)) => {
                let text = format!("{}: {}", self.t().link_unknown, ids.join(" "));
                self.warn(text);
            }
            Err(e) => self.error(e.to_string()),
        }
        true
    }

    /// Open a call again, to show what changed in its CRM records.
    fn reopen_call(&mut self, call_id: &str) -> anyhow::Result<()> {
        let position = match self.ws.queue_row(&self.queue.of, call_id)? {
            Some(row) => self.position_of(&row)?,
            None => None,
        };
        if let Some(position) = position {
            self.open_call(position)?;
        }
        Ok(())
    }
}
