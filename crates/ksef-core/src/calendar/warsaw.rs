//! Calendar dates in `Europe/Warsaw`, the time zone in which every legal date is counted.

use chrono::{DateTime, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Warsaw;
use chrono_tz::Tz;

/// The Warsaw calendar date of an instant.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use ksef_core::calendar::warsaw_date;
/// // 22:30 UTC on 3 October 2025 is already 00:30 on 4 October in Warsaw (CEST, +02:00).
/// let at = Utc.with_ymd_and_hms(2025, 10, 3, 22, 30, 0).unwrap();
/// assert_eq!(warsaw_date(at), NaiveDate::from_ymd_opt(2025, 10, 4).unwrap());
/// ```
pub fn warsaw_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Warsaw).date_naive()
}

/// Interprets a Warsaw wall-clock time. A time repeated by the autumn DST change takes the
/// later or the earlier occurrence as asked; a time skipped by the spring change is read with
/// the offset in force just before the gap. (Warsaw changes clocks at 02:00/03:00, so the
/// times this module asks for, midnight and 23:59:59.999, are never ambiguous nor skipped.)
fn warsaw_local(local: NaiveDateTime, later: bool) -> DateTime<Tz> {
    match Warsaw.from_local_datetime(&local) {
        LocalResult::Single(t) => t,
        LocalResult::Ambiguous(early, late) => {
            if later {
                late
            } else {
                early
            }
        }
        LocalResult::None => {
            use chrono::Offset;
            // The offset a day earlier is the one in force before the gap; clock changes are
            // months apart.
            let before = local - chrono::TimeDelta::days(1);
            let offset = Warsaw.offset_from_utc_datetime(&before).fix();
            Warsaw.from_utc_datetime(&(local - offset))
        }
    }
}

/// The first instant of the Warsaw date `d` (local midnight).
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::start_of_warsaw_day;
/// let d = NaiveDate::from_ymd_opt(2025, 1, 15).unwrap();
/// assert_eq!(start_of_warsaw_day(d).to_rfc3339(), "2025-01-15T00:00:00+01:00");
/// ```
pub fn start_of_warsaw_day(d: NaiveDate) -> DateTime<Tz> {
    warsaw_local(d.and_time(NaiveTime::MIN), false)
}

/// The end of the Warsaw date `d`, as the instant 23:59:59.999 Warsaw time: `+01:00` in
/// winter (CET), `+02:00` in summer (CEST).
///
/// A legal deadline "by date D" ends here; [`crate::calendar::Deadline::is_on_time`] accepts
/// everything before the next Warsaw midnight, including the last sub-millisecond.
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::end_of_warsaw_day;
/// let summer = NaiveDate::from_ymd_opt(2025, 7, 22).unwrap();
/// assert_eq!(end_of_warsaw_day(summer).to_rfc3339(), "2025-07-22T23:59:59.999+02:00");
/// let winter = NaiveDate::from_ymd_opt(2025, 12, 29).unwrap();
/// assert_eq!(end_of_warsaw_day(winter).to_rfc3339(), "2025-12-29T23:59:59.999+01:00");
/// ```
pub fn end_of_warsaw_day(d: NaiveDate) -> DateTime<Tz> {
    let last = NaiveTime::from_hms_milli_opt(23, 59, 59, 999).unwrap_or(NaiveTime::MIN);
    warsaw_local(d.and_time(last), true)
}

/// The first instant of the Warsaw day after `d`, or `None` past the end of the date range.
pub(crate) fn start_of_next_warsaw_day(d: NaiveDate) -> Option<DateTime<Tz>> {
    d.checked_add_days(Days::new(1)).map(start_of_warsaw_day)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn end_of_day_offsets_around_dst() {
        // 2025: CEST from Sunday 30 March to Sunday 26 October.
        let cases = [
            (d(2025, 3, 29), "2025-03-29T23:59:59.999+01:00"),
            (d(2025, 3, 30), "2025-03-30T23:59:59.999+02:00"),
            (d(2025, 10, 25), "2025-10-25T23:59:59.999+02:00"),
            (d(2025, 10, 26), "2025-10-26T23:59:59.999+01:00"),
        ];
        for (day, want) in cases {
            assert_eq!(end_of_warsaw_day(day).to_rfc3339(), want);
        }
    }

    #[test]
    fn dst_days_have_23_and_25_hours() {
        let len =
            |day: NaiveDate| start_of_next_warsaw_day(day).unwrap() - start_of_warsaw_day(day);
        assert_eq!(len(d(2025, 3, 30)).num_hours(), 23);
        assert_eq!(len(d(2025, 10, 26)).num_hours(), 25);
        assert_eq!(len(d(2025, 7, 1)).num_hours(), 24);
    }

    #[test]
    fn warsaw_date_at_midnight_boundaries() {
        let winter_end = Utc.with_ymd_and_hms(2025, 1, 15, 22, 59, 59).unwrap();
        assert_eq!(warsaw_date(winter_end), d(2025, 1, 15));
        let winter_next = Utc.with_ymd_and_hms(2025, 1, 15, 23, 0, 0).unwrap();
        assert_eq!(warsaw_date(winter_next), d(2025, 1, 16));
        let summer_next = Utc.with_ymd_and_hms(2025, 7, 15, 22, 0, 0).unwrap();
        assert_eq!(warsaw_date(summer_next), d(2025, 7, 16));
    }

    #[test]
    fn skipped_local_time_does_not_panic() {
        // 02:30 on 30 March 2025 does not exist in Warsaw.
        let t = warsaw_local(d(2025, 3, 30).and_hms_opt(2, 30, 0).unwrap(), false);
        assert_eq!(
            t.with_timezone(&Utc).to_rfc3339(),
            "2025-03-30T01:30:00+00:00"
        );
    }
}
