//! KSeF environments and their base addresses.
