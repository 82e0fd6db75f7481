//! Moving through the queue without holding it: the rows around the cursor
//! are loaded a page at a time (continued by key from the rows already
//! loaded), a key press re-reads only the row it changed, and a jump (the
//! place the reviewer left, the next call to review) asks the workspace for
//! the one row it needs. Nothing here runs on a playback tick.

use super::{App, Level};
use crate::domain::ReviewStatus;
use crate::store::{self, Page, QueueRow};
use crate::text::one_line;

/// Rows loaded at a time.
const PAGE: usize = 300;
/// The window is moved when the cursor comes closer than this to its edge;
/// more than a screen, so a frame never shows rows that are not loaded.
const MARGIN: usize = 100;

impl App {
    /// Read the queue's length and counts, then the page at the cursor.
    pub(super) fn load_queue(&mut self) -> store::Result<()> {
        if self.queue.plan_shown() {
            return self.load_plan_rows();
        }
        self.queue.len = self.ws.queue_len()?;
        self.queue.submitted = self.ws.queue_submitted(&self.queue.of)?;
        self.queue.rows.clear();
        self.queue.start = 0;
        self.select(self.queue.cursor)
    }

    /// The plan's calls, all of them (a plan is small): one indexed row
    /// read per call. A planned call no longer in the workspace is left out.
    fn load_plan_rows(&mut self) -> store::Result<()> {
        let q = &mut self.queue;
        let plan = q.plan.as_ref().expect("the plan is shown");
        let mut rows = Vec::with_capacity(plan.calls.len());
        for planned in &plan.calls {
            rows.extend(self.ws.queue_row(&q.of, &planned.call_id)?);
        }
        q.len = rows.len();
        q.submitted = count_submitted(&rows);
        q.rows = rows;
        q.start = 0;
        q.cursor = q.cursor.min(q.len.saturating_sub(1));
        Ok(())
    }

    /// Put the cursor at a position (clamped) with the rows around it loaded.
    pub(super) fn select(&mut self, position: usize) -> store::Result<()> {
        let q = &mut self.queue;
        q.cursor = position.min(q.len.saturating_sub(1));
        if q.plan_shown() {
            return Ok(());
        }
        let (lo, hi) = (q.start, q.start + q.rows.len());
        let need_lo = q.cursor.saturating_sub(MARGIN);
        let need_hi = (q.cursor + MARGIN + 1).min(q.len);
        if need_lo >= lo && need_hi <= hi {
            return Ok(());
        }
        let start = q
            .cursor
            .saturating_sub(PAGE / 2)
            .min(q.len.saturating_sub(PAGE));
        let of = &q.of;
        let rows = if start > lo && start < hi {
            // Further down: keep the overlap, continue after its last row.
            let mut rows = q.rows.split_off(start - lo);
            let key = &rows.last().expect("the overlap is not empty").key;
            let limit = PAGE - rows.len();
            rows.extend(self.ws.queue_page(of, Page::After { key, limit })?);
            rows
        } else if start < lo && start + PAGE > lo && !q.rows.is_empty() {
            // Further up: the rows before the first one loaded.
            let limit = lo - start;
            let key = &q.rows[0].key;
            let mut rows = self.ws.queue_page(of, Page::Before { key, limit })?;
            rows.extend(q.rows.drain(..).take(PAGE - limit));
            rows
        } else {
            let page = Page::At {
                offset: start,
                limit: PAGE,
            };
            self.ws.queue_page(of, page)?
        };
        q.start = start;
        q.rows = rows;
        Ok(())
    }

    /// Where a row is in the whole queue.
    /// Where a row is in the whole queue; `None` for a call the plan
    /// being shown does not hold.
    pub(super) fn position_of(&self, row: &QueueRow) -> store::Result<Option<usize>> {
        match self.queue.loaded_position(&row.call_id) {
            Some(position) => Ok(Some(position)),
            None if self.queue.plan_shown() => Ok(None),
            None => self.ws.queue_position(&row.key).map(Some),
        }
    }

    /// The position of the call (if it is in the queue and not submitted).
    pub(super) fn open_position(&self, call_id: &str) -> store::Result<Option<usize>> {
        match self.ws.queue_row(&self.queue.of, call_id)? {
            Some(row) if row.status != ReviewStatus::Submitted => self.position_of(&row),
            _ => Ok(None),
        }
    }

    /// The next call after `from` not yet submitted, wrapping to the top.
    pub(super) fn next_open_after(&self, from: usize) -> store::Result<Option<usize>> {
        let q = &self.queue;
        let loaded = (from + 1..q.start + q.rows.len()).find(|&p| {
            q.row(p)
                .is_some_and(|r| r.status != ReviewStatus::Submitted)
        });
        if loaded.is_some() {
            return Ok(loaded);
        }
        if q.plan_shown() {
            // The whole plan is loaded: wrap to its top.
            return Ok((0..from.min(q.len)).find(|&p| {
                q.row(p)
                    .is_some_and(|r| r.status != ReviewStatus::Submitted)
            }));
        }
        let after = q.row(from).map(|r| &r.key);
        let next = match self.ws.queue_next_open(&q.of, after)? {
            Some(row) => Some(row),
            None => self.ws.queue_next_open(&q.of, None)?,
        };
        match next {
            Some(row) => self.position_of(&row),
            None => Ok(None),
        }
    }

    /// Open the call at a position; if it cannot be read, say which call
    /// and why. True if it opened.
    pub(super) fn open_call_or_say(&mut self, index: usize) -> bool {
        let Err(e) = self.open_call(index) else {
            return true;
        };
        let call = self
            .queue
            .row(index)
            .map_or_else(|| format!("#{}", index + 1), |r| one_line(&r.call_id, 80));
        let text = format!("{} {call}: {e:#}", self.t().call_unreadable);
        self.say_unreadable(text);
        false
    }

    /// Something the workspace could not give, named with its file: a read
    /// error, not a save failure (nothing the reviewer did is lost).
    pub(super) fn say_unreadable(&mut self, text: String) {
        let path = self.ws.address().to_string();
        self.say(Level::Error, format!("{path}: {text}"));
    }

    /// Re-read one call's row after a change to it; the counts follow
    /// when its status changed (or it is not loaded to compare).
    pub(super) fn refresh_row(&mut self, call_id: &str) -> store::Result<()> {
        let Some(row) = self.ws.queue_row(&self.queue.of, call_id)? else {
            return Ok(());
        };
        let loaded = self.queue.rows.iter_mut().find(|r| r.call_id == call_id);
        let status_changed = loaded.as_ref().is_none_or(|r| r.status != row.status);
        if let Some(loaded) = loaded {
            *loaded = row;
        }
        if status_changed {
            self.queue.submitted = match self.queue.plan_shown() {
                true => count_submitted(&self.queue.rows),
                false => self.ws.queue_submitted(&self.queue.of)?,
            };
        }
        Ok(())
    }
}

fn count_submitted(rows: &[QueueRow]) -> usize {
    rows.iter()
        .filter(|r| r.status == ReviewStatus::Submitted)
        .count()
}

#[cfg(test)]
mod tests {
    use crate::tui::app::Level;

    #[test]
    fn a_call_that_cannot_be_read_is_named_not_reported_unsaved() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = crate::scale::generated_app(dir.path(), 4);
        crate::store::test_support::damage_call_time(&app.ws, "call-0000002", "yesterday");
        assert!(!app.open_call_or_say(2));
        let message = app.screen.message.clone().unwrap();
        assert_eq!(message.level, Level::Error);
        assert!(
            message.text.contains("Cannot read call call-0000002"),
            "{}",
            message.text
        );
        assert!(
            !message.text.contains(app.t().save_failed),
            "{}",
            message.text
        );
        assert!(app.open_call_or_say(1));
    }
}
