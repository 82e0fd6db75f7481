//! Time spent on a review: what a contractor paid per call bills on.
//!
//! The rule: time counts while the call is open and the reviewer is
//! active. Activity is a key press, or the call playing (listening is the
//! work). The gap between two moments of activity counts when it is
//! shorter than the idle cutoff (reading the CRM pane between keys is
//! work); a longer gap is a break and counts not at all, not even its
//! first minutes. Time belongs to the call that was open: opening another
//! call starts from zero, so browsing calls that never get a review is
//! credited to none of them.

use std::time::{Duration, Instant};

/// A pause longer than this is a break, not review time.
pub const IDLE_CUTOFF: Duration = Duration::from_secs(180);

#[derive(Debug, Clone)]
pub struct ActiveTime {
    pending: Duration,
    last_active: Instant,
}

impl ActiveTime {
    pub fn new(now: Instant) -> ActiveTime {
        ActiveTime {
            pending: Duration::ZERO,
            last_active: now,
        }
    }

    /// The reviewer did something at `now`; `counts` is false where the
    /// time is not spent on the open call (no call open, another screen).
    pub fn active(&mut self, now: Instant, counts: bool) {
        let gap = now.saturating_duration_since(self.last_active);
        if counts && gap < IDLE_CUTOFF {
            self.pending += gap;
        }
        self.last_active = now;
    }

    /// A call was opened at `now`: what was pending belonged to the call
    /// before it and is dropped if it was not taken.
    pub fn restart(&mut self, now: Instant) {
        self.pending = Duration::ZERO;
        self.last_active = now;
    }

    pub fn pending(&self) -> Duration {
        self.pending
    }

    /// Take what is pending, once it is written.
    pub fn take(&mut self) -> Duration {
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn gaps_between_activity_count_and_a_break_does_not() {
        let t0 = Instant::now();
        let mut time = ActiveTime::new(t0);
        time.active(t0 + secs(10), true);
        time.active(t0 + secs(70), true);
        assert_eq!(time.pending(), secs(70));
        // A 20-minute break, then a key: none of the break counts.
        time.active(t0 + secs(70 + 1200), true);
        assert_eq!(time.pending(), secs(70));
        time.active(t0 + secs(70 + 1200 + 5), true);
        assert_eq!(time.pending(), secs(75));
    }

    #[test]
    fn time_away_from_the_call_does_not_count() {
        let t0 = Instant::now();
        let mut time = ActiveTime::new(t0);
        time.active(t0 + secs(30), false);
        time.active(t0 + secs(40), true);
        assert_eq!(time.pending(), secs(10));
    }

    #[test]
    fn browsing_before_a_call_is_opened_is_credited_to_none() {
        let t0 = Instant::now();
        let mut time = ActiveTime::new(t0);
        // Ten minutes of keys on a call that gets no review.
        for minute in 1..=10 {
            time.active(t0 + secs(60 * minute), true);
        }
        assert_eq!(time.pending(), secs(600));
        // Another call opened: its review starts from zero.
        time.restart(t0 + secs(600));
        time.active(t0 + secs(660), true);
        assert_eq!(time.take(), secs(60));
        assert_eq!(time.pending(), Duration::ZERO);
    }

    #[test]
    fn a_clock_that_goes_backwards_adds_nothing() {
        let t0 = Instant::now() + secs(100);
        let mut time = ActiveTime::new(t0);
        time.active(t0 - secs(50), true);
        assert_eq!(time.pending(), Duration::ZERO);
    }
}
