//! Shared wire types.
