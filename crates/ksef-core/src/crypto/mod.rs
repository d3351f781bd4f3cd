//! Hashes, symmetric and asymmetric encryption, keys and certificates.
