//! Reference numbers in the real format (`20250625-SO-2C3E6C8000-B675CF5D68-07`) and the
//! technical part of KSeF numbers.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use ksef_core::ids::crc8;

/// Makes unique reference numbers: `YYYYMMDD-XX-{10 hex}-{10 hex}-{CRC-8}`. The last two hex
/// digits are the CRC-8 of the first 33 characters, as most documented examples are
/// (crypto-and-sessions.md §3).
#[derive(Debug)]
pub struct ReferenceGenerator {
    counter: AtomicU64,
    salt: u64,
}

impl Default for ReferenceGenerator {
    fn default() -> Self {
        ReferenceGenerator {
            counter: AtomicU64::new(1),
            salt: rand::random::<u64>(),
        }
    }
}

impl ReferenceGenerator {
    /// A new reference number with the two-letter type infix (`SO`, `SB`, `EE`, `EU`, `AU`,
    /// `CR`, `EC`).
    pub fn next(&self, infix: &str, now: DateTime<Utc>) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let first =
            (((now.timestamp_millis() as u64) & 0xFF_FFFF) << 16 | (n & 0xFFFF)) & 0xFF_FFFF_FFFF;
        let second = (self.salt ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15)) & 0xFF_FFFF_FFFF;
        let body = format!(
            "{}-{infix}-{first:010X}-{second:010X}",
            now.format("%Y%m%d")
        );
        let crc = crc8(body.as_bytes());
        format!("{body}-{crc:02X}")
    }

    /// A fresh 48-bit technical part of a KSeF number.
    pub fn technical(&self) -> u64 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        (self.salt.rotate_left(17) ^ n.wrapping_mul(0xD1B5_4A32_D192_ED03)) & 0xFFFF_FFFF_FFFF
    }
}

/// Whether `s` has the shape of a reference number (`ReferenceNumber`, 36 characters).
pub fn is_reference_number(s: &str) -> bool {
    let b = s.as_bytes();
    let hex = |r: std::ops::Range<usize>| {
        b[r].iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
    };
    b.len() == 36
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'-'
        && b[9..11]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        && b[11] == b'-'
        && hex(12..22)
        && b[22] == b'-'
        && hex(23..33)
        && b[33] == b'-'
        && hex(34..36)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_and_crc() {
        let g = ReferenceGenerator::default();
        let now = Utc::now();
        let a = g.next("SO", now);
        let b = g.next("SO", now);
        assert_ne!(a, b);
        assert!(is_reference_number(&a), "{a}");
        assert_eq!(
            format!("{:02X}", crc8(&a.as_bytes()[..33])),
            &a[34..],
            "{a}"
        );
        assert!(is_reference_number("20250625-SO-2C3E6C8000-B675CF5D68-07"));
        assert!(!is_reference_number("20250625-SO-2C3E6C8000-B675CF5D68-0"));
    }
}
