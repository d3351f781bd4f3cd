//! Polish business days and the legal deadlines of the offline modes.
//!
//! - [`holidays`](mod@holidays): Polish statutory public holidays, Easter (Gregorian computus)
//!   and business-day arithmetic.
//! - [`warsaw`]: Warsaw calendar dates of instants and the instants that bound a Warsaw day.
//! - [`outage`]: announced KSeF outages (unavailability, failure, total failure).
//! - [`deadline`](mod@deadline): the deadline for sending an offline invoice, with the steps
//!   that led to it; the module documents the rules and the edge-case decisions.
//! - [`classify`](mod@classify): the automatic Online/Offline classification KSeF applies on
//!   acceptance.
//!
//! Every legal date is a calendar date in `Europe/Warsaw`. Nothing here reads the clock: the
//! instants are passed in (take them from a [`crate::Clock`]).

pub mod classify;
pub mod deadline;
pub mod holidays;
pub mod outage;
pub mod warsaw;

pub use classify::{Classification, SendingChannel, classify};
pub use deadline::{Deadline, FAILURE_BUSINESS_DAYS, Obligation, OfflineMode, deadline};
pub use holidays::{
    Holiday, easter_sunday, holiday, holidays, holidays_between, is_business_day, is_holiday,
    next_business_day, nth_business_day_after, try_easter_sunday, try_next_business_day,
    try_nth_business_day_after,
};
pub use outage::{Outage, OutageKind};
pub use warsaw::{end_of_warsaw_day, start_of_warsaw_day, warsaw_date};
