//! Sliding-window rate limits per (context or IP, endpoint group): the last second, 60 seconds
//! and 60 minutes all count at once (limits-and-errors.md §1).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::WindowLimits;

const WINDOWS: [(Duration, &str); 3] = [
    (Duration::from_secs(1), "sekundę"),
    (Duration::from_secs(60), "minutę"),
    (Duration::from_secs(3600), "godzinę"),
];

/// Request times of the last second, minute and hour.
type Windows = [VecDeque<Instant>; 3];

/// Request times per key and group; each window keeps at most its limit of entries.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<(String, &'static str), Windows>>,
}

/// A refused request: seconds to wait and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `Retry-After`, seconds.
    pub retry_after: u64,
    /// The details text.
    pub detail: String,
}

impl RateLimiter {
    /// Counts a request, or refuses it when any window is full.
    pub fn check(
        &self,
        key: &str,
        group: &'static str,
        limits: WindowLimits,
        now: Instant,
    ) -> Result<(), Refusal> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let windows = buckets.entry((key.to_owned(), group)).or_default();
        let caps = [limits.per_second, limits.per_minute, limits.per_hour];
        for (i, (len, unit)) in WINDOWS.iter().enumerate() {
            let q = &mut windows[i];
            while q.front().is_some_and(|t| now.duration_since(*t) >= *len) {
                q.pop_front();
            }
            if q.len() >= caps[i] as usize {
                let oldest = q.front().copied().unwrap_or(now);
                let wait = (*len).saturating_sub(now.duration_since(oldest));
                let retry_after = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let retry_after = retry_after.max(1);
                return Err(Refusal {
                    retry_after,
                    detail: format!(
                        "Przekroczono limit {} żądań na {unit}. Spróbuj ponownie po {retry_after} sekundach.",
                        caps[i]
                    ),
                });
            }
        }
        for q in windows.iter_mut() {
            q.push_back(now);
        }
        Ok(())
    }

    /// Forgets all counts.
    pub fn clear(&self) {
        self.buckets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_then_minute() {
        let l = RateLimiter::default();
        let lim = WindowLimits {
            per_second: 2,
            per_minute: 3,
            per_hour: 100,
        };
        let t0 = Instant::now();
        assert!(l.check("k", "g", lim, t0).is_ok());
        assert!(l.check("k", "g", lim, t0).is_ok());
        let r = l.check("k", "g", lim, t0).unwrap_err();
        assert_eq!(r.retry_after, 1);
        assert!(l.check("other", "g", lim, t0).is_ok());
        let t1 = t0 + Duration::from_millis(1500);
        assert!(l.check("k", "g", lim, t1).is_ok());
        let r = l.check("k", "g", lim, t1).unwrap_err();
        assert!(r.detail.contains("minutę"), "{r:?}");
        assert_eq!(r.retry_after, 59);
    }
}
