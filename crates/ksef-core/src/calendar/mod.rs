//! Polish business days and the legal deadlines of the offline modes.
