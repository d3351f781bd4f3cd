//! The checks KSeF makes on an invoice file, and inspection of its key fields.
