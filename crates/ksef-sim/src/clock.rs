//! The simulator's clock: the system time shifted by an offset, or a fixed instant.

use std::sync::RwLock;

use chrono::{DateTime, Duration, Utc};
use ksef_core::Clock;

/// A controllable clock (`/sim/clock`): the system time plus an offset, or a fixed instant.
#[derive(Debug)]
pub struct SimClock {
    mode: RwLock<Mode>,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Offset(Duration),
    Fixed(DateTime<Utc>),
}

impl SimClock {
    /// The system time, unshifted.
    pub fn system() -> Self {
        SimClock {
            mode: RwLock::new(Mode::Offset(Duration::zero())),
        }
    }

    /// Stopped at `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        SimClock {
            mode: RwLock::new(Mode::Fixed(at)),
        }
    }

    /// Runs with the system time shifted by `offset`.
    pub fn set_offset(&self, offset: Duration) {
        *self.mode.write().unwrap_or_else(|e| e.into_inner()) = Mode::Offset(offset);
    }

    /// Stops at `at`.
    pub fn set_fixed(&self, at: DateTime<Utc>) {
        *self.mode.write().unwrap_or_else(|e| e.into_inner()) = Mode::Fixed(at);
    }

    /// Moves the clock forward (or back, if negative) by `by`, in either mode.
    pub fn advance(&self, by: Duration) {
        let mut mode = self.mode.write().unwrap_or_else(|e| e.into_inner());
        *mode = match *mode {
            Mode::Offset(o) => Mode::Offset(o + by),
            Mode::Fixed(t) => Mode::Fixed(t + by),
        };
    }

    /// Whether the clock is stopped.
    pub fn is_fixed(&self) -> bool {
        matches!(
            *self.mode.read().unwrap_or_else(|e| e.into_inner()),
            Mode::Fixed(_)
        )
    }
}

impl Clock for SimClock {
    fn now(&self) -> DateTime<Utc> {
        match *self.mode.read().unwrap_or_else(|e| e.into_inner()) {
            Mode::Offset(o) => Utc::now() + o,
            Mode::Fixed(t) => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_and_advanced() {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap();
        let c = SimClock::fixed(at);
        assert_eq!(c.now(), at);
        c.advance(Duration::hours(2));
        assert_eq!(c.now(), at + Duration::hours(2));
        c.set_offset(Duration::days(-1));
        assert!(c.now() < Utc::now() - Duration::hours(23));
    }
}
