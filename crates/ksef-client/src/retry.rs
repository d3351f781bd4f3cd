//! The retry policy: a value, so tests can use [`RetryPolicy::none`].
//!
//! Rules (limits-and-errors.md §1, §3.7):
//! - 429: always retried (the request was not processed), after at least `Retry-After`.
//! - 5xx and transport failures: retried only for idempotent calls, with exponential backoff
//!   and full jitter. Sending an invoice or opening a session is never repeated blindly.

use std::time::Duration;

use crate::error::Error;

/// When and how long to wait before repeating a failed call.
///
/// ```
/// use std::time::Duration;
/// use ksef_client::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .initial_backoff(Duration::from_millis(200));
/// assert_eq!(RetryPolicy::none().max_retries_value(), 0);
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: bool,
}

impl Default for RetryPolicy {
    /// Three retries, backoff from 500 ms doubling up to 30 s, `Retry-After` honoured up to
    /// 5 minutes, with jitter.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
            jitter: true,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// The number of retries after the first attempt.
    pub fn max_retries_value(&self) -> u32 {
        self.max_retries
    }

    /// Sets the first backoff (doubled at each retry).
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the longest backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the longest `Retry-After` the client waits for; a longer one is returned as the error.
    pub fn max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    /// Turns jitter on or off (off makes the waits deterministic, for tests).
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The wait before retry number `retry` (from 0): exponential, capped, with full jitter
    /// (a random wait between half and all of the exponential value).
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(self.max_backoff);
        if self.jitter {
            let half = exp / 2;
            half + exp.mul_f64(fastrand::f64() * 0.5)
        } else {
            exp
        }
    }

    /// Whether to retry after `error` on retry number `retry` (from 0), and how long to wait.
    pub fn decide(&self, retry: u32, idempotent: bool, error: &Error) -> Option<Duration> {
        if retry >= self.max_retries {
            return None;
        }
        match error {
            Error::Api(e) if e.status == 429 => {
                let wait = e.retry_after.unwrap_or_else(|| self.backoff(retry));
                (wait <= self.max_retry_after).then_some(wait)
            }
            Error::Api(e) if (500..600).contains(&e.status) && idempotent => {
                Some(self.backoff(retry))
            }
            Error::Transport { .. } if idempotent && error.is_retryable() => {
                Some(self.backoff(retry))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    fn api(status: u16, retry_after: Option<u64>) -> Error {
        ApiError::from_body(
            status,
            "GET",
            "/x",
            retry_after.map(Duration::from_secs),
            b"",
        )
        .into()
    }

    #[test]
    fn too_many_requests_waits_retry_after_even_for_sends() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.decide(0, false, &api(429, Some(7))),
            Some(Duration::from_secs(7))
        );
        assert_eq!(p.decide(0, true, &api(429, Some(3600))), None);
    }

    #[test]
    fn server_errors_are_retried_only_when_idempotent() {
        let p = RetryPolicy::default().jitter(false);
        assert_eq!(
            p.decide(1, true, &api(503, None)),
            Some(Duration::from_secs(1))
        );
        assert_eq!(p.decide(0, false, &api(503, None)), None);
        assert_eq!(p.decide(0, true, &api(400, None)), None);
        assert_eq!(p.decide(3, true, &api(503, None)), None);
        assert_eq!(
            RetryPolicy::none().decide(0, true, &api(429, Some(1))),
            None
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jitters_within_bounds() {
        let p = RetryPolicy::default().max_backoff(Duration::from_secs(4));
        for retry in 0..10 {
            let exp = Duration::from_millis(500 * (1 << retry.min(3))).min(Duration::from_secs(4));
            let d = p.backoff(retry);
            assert!(d >= exp / 2 && d <= exp, "{retry}: {d:?}");
        }
    }
}
