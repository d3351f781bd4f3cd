//! Polish statutory public holidays, Easter, and business days.
//!
//! The holiday list is the one of art. 1 pkt 1 of the Act of 18 January 1951 on days free from
//! work (*ustawa o dniach wolnych od pracy*) as in force today:
//!
//! | Date | Polish name | English name |
//! | --- | --- | --- |
//! | 1 January | Nowy Rok | New Year's Day |
//! | 6 January | Święto Trzech Króli | Epiphany |
//! | Easter Sunday | pierwszy dzień Wielkiej Nocy | Easter Sunday |
//! | Easter + 1 | drugi dzień Wielkiej Nocy | Easter Monday |
//! | 1 May | Święto Państwowe | Labour Day |
//! | 3 May | Święto Narodowe Trzeciego Maja | Constitution Day |
//! | Easter + 49 | pierwszy dzień Zielonych Świątek | Pentecost Sunday |
//! | Easter + 60 | dzień Bożego Ciała | Corpus Christi |
//! | 15 August | Wniebowzięcie Najświętszej Maryi Panny | Assumption of Mary |
//! | 1 November | Wszystkich Świętych | All Saints' Day |
//! | 11 November | Narodowe Święto Niepodległości | Independence Day |
//! | 24 December | Wigilia Bożego Narodzenia | Christmas Eve (from 2025 only) |
//! | 25 December | pierwszy dzień Bożego Narodzenia | Christmas Day |
//! | 26 December | drugi dzień Bożego Narodzenia | Second Day of Christmas |
//!
//! History that is modelled: Christmas Eve is a holiday from 2025 on, Epiphany from 2011 on.
//! Older changes (before 1990) are not modelled; KSeF did not exist then.
//!
//! A business day is Monday to Friday and not one of these holidays. A holiday falling on a
//! Saturday does not make another day free here: that rule gives employees a day off, it does
//! not change which days are business days.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The first year in which 24 December (Wigilia) is a statutory public holiday.
pub const CHRISTMAS_EVE_FROM: i32 = 2025;

/// The first year (since its restoration) in which 6 January (Epiphany) is a public holiday.
pub const EPIPHANY_FROM: i32 = 2011;

/// One Polish statutory public holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Holiday {
    /// The calendar date.
    pub date: NaiveDate,
    /// The Polish name, as in the statute, e.g. `dzień Bożego Ciała`.
    pub name: &'static str,
    /// An English name, e.g. `Corpus Christi`.
    pub name_en: &'static str,
}

/// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian computus,
/// a.k.a. the Meeus/Jones/Butcher algorithm).
///
/// Years before 1583 get the proleptic Gregorian date, not the Julian one.
///
/// # Panics
///
/// Only for years outside the range [`NaiveDate`] can represent (beyond ±262 000); use
/// [`try_easter_sunday`] where the year comes from untrusted input.
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::easter_sunday;
/// assert_eq!(easter_sunday(2025), NaiveDate::from_ymd_opt(2025, 4, 20).unwrap());
/// ```
pub fn easter_sunday(year: i32) -> NaiveDate {
    match try_easter_sunday(year) {
        Some(d) => d,
        None => panic!("year {year} is outside the supported date range"),
    }
}

/// Easter Sunday of `year`, or `None` if the year is outside the range of [`NaiveDate`].
pub fn try_easter_sunday(year: i32) -> Option<NaiveDate> {
    let (month, day) = computus(i64::from(year));
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The anonymous Gregorian algorithm; returns (month, day). Uses Euclidean division so that
/// it stays correct for negative years as well.
fn computus(y: i64) -> (u32, u32) {
    let a = y.rem_euclid(19);
    let b = y.div_euclid(100);
    let c = y.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    // month is 3 or 4 and day 1..=31 by construction.
    (
        u32::try_from(month).unwrap_or(4),
        u32::try_from(day).unwrap_or(1),
    )
}

/// All Polish statutory public holidays of `year`, sorted by date.
///
/// Empty for a year outside the range of [`NaiveDate`].
///
/// ```
/// use ksef_core::calendar::holidays;
/// let h = holidays(2026);
/// assert_eq!(h.len(), 14);
/// assert_eq!(h[0].name_en, "New Year's Day");
/// ```
pub fn holidays(year: i32) -> Vec<Holiday> {
    let mut out = Vec::with_capacity(14);
    let fixed = |month: u32, day: u32, name: &'static str, name_en: &'static str| {
        NaiveDate::from_ymd_opt(year, month, day).map(|date| Holiday {
            date,
            name,
            name_en,
        })
    };
    out.extend(fixed(1, 1, "Nowy Rok", "New Year's Day"));
    if year >= EPIPHANY_FROM {
        out.extend(fixed(1, 6, "Święto Trzech Króli", "Epiphany"));
    }
    if let Some(easter) = try_easter_sunday(year) {
        let movable = |offset: u64, name: &'static str, name_en: &'static str| {
            easter
                .checked_add_days(Days::new(offset))
                .map(|date| Holiday {
                    date,
                    name,
                    name_en,
                })
        };
        out.extend(movable(0, "pierwszy dzień Wielkiej Nocy", "Easter Sunday"));
        out.extend(movable(1, "drugi dzień Wielkiej Nocy", "Easter Monday"));
        out.extend(movable(
            49,
            "pierwszy dzień Zielonych Świątek",
            "Pentecost Sunday",
        ));
        out.extend(movable(60, "dzień Bożego Ciała", "Corpus Christi"));
    }
    out.extend(fixed(5, 1, "Święto Państwowe", "Labour Day"));
    out.extend(fixed(
        5,
        3,
        "Święto Narodowe Trzeciego Maja",
        "Constitution Day",
    ));
    out.extend(fixed(
        8,
        15,
        "Wniebowzięcie Najświętszej Maryi Panny",
        "Assumption of Mary",
    ));
    out.extend(fixed(11, 1, "Wszystkich Świętych", "All Saints' Day"));
    out.extend(fixed(
        11,
        11,
        "Narodowe Święto Niepodległości",
        "Independence Day",
    ));
    if year >= CHRISTMAS_EVE_FROM {
        out.extend(fixed(12, 24, "Wigilia Bożego Narodzenia", "Christmas Eve"));
    }
    out.extend(fixed(
        12,
        25,
        "pierwszy dzień Bożego Narodzenia",
        "Christmas Day",
    ));
    out.extend(fixed(
        12,
        26,
        "drugi dzień Bożego Narodzenia",
        "Second Day of Christmas",
    ));
    out.sort();
    out
}

/// The holiday on `d`, if `d` is a Polish statutory public holiday.
pub fn holiday(d: NaiveDate) -> Option<Holiday> {
    holidays(d.year()).into_iter().find(|h| h.date == d)
}

/// Whether `d` is a Polish statutory public holiday.
///
/// Same answer as [`holiday`], without building the year's list.
pub fn is_holiday(d: NaiveDate) -> bool {
    let year = d.year();
    let fixed = match (d.month(), d.day()) {
        (1, 1) | (5, 1) | (5, 3) | (8, 15) | (11, 1) | (11, 11) | (12, 25) | (12, 26) => true,
        (1, 6) => year >= EPIPHANY_FROM,
        (12, 24) => year >= CHRISTMAS_EVE_FROM,
        _ => false,
    };
    fixed
        || try_easter_sunday(year).is_some_and(|easter| {
            let offset = (d - easter).num_days();
            matches!(offset, 0 | 1 | 49 | 60)
        })
}

/// Whether `d` is a business day: Monday to Friday and not a statutory public holiday.
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::is_business_day;
/// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// assert!(is_business_day(d(7, 8)));    // Tuesday
/// assert!(!is_business_day(d(7, 12)));  // Saturday
/// assert!(!is_business_day(d(12, 24))); // Christmas Eve, a holiday from 2025
/// ```
pub fn is_business_day(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !is_holiday(d)
}

/// The first business day strictly after `d`, or `None` past the end of the date range.
pub fn try_next_business_day(d: NaiveDate) -> Option<NaiveDate> {
    try_nth_business_day_after(d, 1)
}

/// The first business day strictly after `d`.
///
/// # Panics
///
/// Only past the end of the range of [`NaiveDate`] (year 262 142); see
/// [`try_next_business_day`].
pub fn next_business_day(d: NaiveDate) -> NaiveDate {
    nth_business_day_after(d, 1)
}

/// The `n`-th business day strictly after `d`, or `None` past the end of the date range.
///
/// `n == 0` gives `d` itself, whether or not it is a business day.
pub fn try_nth_business_day_after(d: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = d;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if is_business_day(day) {
            left -= 1;
        }
    }
    Some(day)
}

/// The `n`-th business day strictly after `d`: counting starts with the first business day
/// after `d`, and that day is number 1. `n == 0` gives `d` itself.
///
/// ```
/// use chrono::NaiveDate;
/// use ksef_core::calendar::nth_business_day_after;
/// let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
/// // The worked example of the KSeF documentation: a failure ending on Saturday 12 July 2025.
/// assert_eq!(nth_business_day_after(d(7, 12), 7), d(7, 22));
/// ```
///
/// # Panics
///
/// Only past the end of the range of [`NaiveDate`]; see [`try_nth_business_day_after`].
pub fn nth_business_day_after(d: NaiveDate, n: u32) -> NaiveDate {
    match try_nth_business_day_after(d, n) {
        Some(day) => day,
        None => panic!("{n} business days after {d} is beyond the supported date range"),
    }
}

/// The public holidays strictly after `from` and up to and including `to`, e.g. those skipped
/// while counting business days.
pub fn holidays_between(from: NaiveDate, to: NaiveDate) -> Vec<Holiday> {
    let mut out = Vec::new();
    for year in from.year()..=to.year() {
        out.extend(
            holidays(year)
                .into_iter()
                .filter(|h| h.date > from && h.date <= to),
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap: a panic is a failed test.
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Gauss's Easter algorithm with the Gregorian corrections, written independently of
    /// [`computus`] so the two can check each other.
    fn gauss_easter(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year % 4;
        let c = year % 7;
        let k = year / 100;
        let p = (13 + 8 * k) / 25;
        let q = k / 4;
        let m = (15 - p + k - q) % 30;
        let n = (4 + k - q) % 7;
        let dd = (19 * a + m) % 30;
        let e = (2 * b + 4 * c + 6 * dd + n) % 7;
        let mut day = 22 + dd + e; // in March; > 31 means April
        // The two exceptions of Gauss's method.
        if dd == 29 && e == 6 {
            day -= 7; // 26 April -> 19 April
        } else if dd == 28 && e == 6 && (11 * m + 11) % 30 < 19 {
            day -= 7; // 25 April -> 18 April
        }
        if day > 31 {
            d(year, 4, (day - 31) as u32)
        } else {
            d(year, 3, day as u32)
        }
    }

    #[test]
    fn easter_known_dates() {
        let known = [
            (1818, 3, 22),
            (1943, 4, 25),
            (1954, 4, 18),
            (1981, 4, 19),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, day) in known {
            assert_eq!(easter_sunday(y), d(y, m, day), "Easter {y}");
        }
    }

    #[test]
    fn easter_agrees_with_gauss_and_is_a_sunday_in_range() {
        for year in 1583..=4099 {
            let e = easter_sunday(year);
            assert_eq!(e, gauss_easter(year), "Easter {year}");
            assert_eq!(e.weekday(), Weekday::Sun, "Easter {year}");
            assert!(e >= d(year, 3, 22) && e <= d(year, 4, 25), "Easter {year}");
        }
    }

    #[test]
    fn easter_outside_date_range_is_none() {
        assert!(try_easter_sunday(i32::MAX).is_none());
        assert!(try_easter_sunday(-100).is_some());
        assert!(holidays(i32::MAX).is_empty());
    }

    #[test]
    fn holiday_counts_and_history() {
        assert_eq!(holidays(2024).len(), 13);
        assert_eq!(holidays(2025).len(), 14);
        assert_eq!(holidays(2010).len(), 12);
        assert!(!is_holiday(d(2024, 12, 24)));
        assert!(is_holiday(d(2025, 12, 24)));
        assert!(!is_holiday(d(2010, 1, 6)));
        assert!(is_holiday(d(2011, 1, 6)));
    }

    #[test]
    fn holidays_are_sorted_and_unique() {
        for year in 2000..2100 {
            let h = holidays(year);
            assert!(h.windows(2).all(|w| w[0].date < w[1].date), "{year}");
            assert!(h.iter().all(|x| x.date.year() == year));
        }
    }

    #[test]
    fn movable_feasts_weekdays() {
        for year in 2000..2100 {
            for h in holidays(year) {
                match h.name_en {
                    "Easter Sunday" | "Pentecost Sunday" => {
                        assert_eq!(h.date.weekday(), Weekday::Sun)
                    }
                    "Easter Monday" => assert_eq!(h.date.weekday(), Weekday::Mon),
                    "Corpus Christi" => assert_eq!(h.date.weekday(), Weekday::Thu),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn business_days() {
        assert!(is_business_day(d(2025, 7, 8)));
        assert!(!is_business_day(d(2025, 7, 12)));
        assert!(!is_business_day(d(2025, 7, 13)));
        assert!(!is_business_day(d(2025, 6, 19))); // Corpus Christi 2025
        assert!(!is_business_day(d(2025, 4, 21))); // Easter Monday 2025
        assert_eq!(next_business_day(d(2025, 7, 8)), d(2025, 7, 9));
        assert_eq!(next_business_day(d(2025, 7, 11)), d(2025, 7, 14));
        // Wed 24 Dec 2025 .. Fri 26 Dec 2025 are holidays.
        assert_eq!(next_business_day(d(2025, 12, 23)), d(2025, 12, 29));
        // Tue 24 Dec 2024 was still a business day.
        assert_eq!(next_business_day(d(2024, 12, 23)), d(2024, 12, 24));
        // New Year: Wed 31 Dec 2025 -> Fri 2 Jan 2026.
        assert_eq!(next_business_day(d(2025, 12, 31)), d(2026, 1, 2));
        assert_eq!(nth_business_day_after(d(2025, 7, 12), 7), d(2025, 7, 22));
        assert_eq!(nth_business_day_after(d(2025, 7, 12), 0), d(2025, 7, 12));
    }

    #[test]
    fn is_holiday_agrees_with_the_list() {
        let mut day = d(2009, 1, 1);
        while day < d(2032, 1, 1) {
            assert_eq!(is_holiday(day), holiday(day).is_some(), "{day}");
            day = day.succ_opt().unwrap();
        }
    }

    #[test]
    fn business_day_overflow_is_none() {
        assert!(try_next_business_day(NaiveDate::MAX).is_none());
    }

    #[test]
    fn holidays_between_spans_years() {
        let h = holidays_between(d(2025, 12, 23), d(2026, 1, 7));
        let dates: Vec<_> = h.iter().map(|h| h.date).collect();
        assert_eq!(
            dates,
            vec![
                d(2025, 12, 24),
                d(2025, 12, 25),
                d(2025, 12, 26),
                d(2026, 1, 1),
                d(2026, 1, 6)
            ]
        );
    }
}
