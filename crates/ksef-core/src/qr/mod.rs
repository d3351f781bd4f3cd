//! KOD I and KOD II: verification links, their signatures, and QR images.

pub mod image;
