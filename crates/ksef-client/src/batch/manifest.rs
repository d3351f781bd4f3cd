//! The manifest: which local invoice went into the package under which name, with which hash.
//!
//! KSeF reports batch results per invoice with `invoiceHash` and `invoiceFileName`
//! (crypto-and-sessions.md §5.1 step 1, §7.6); the manifest matches them back to local files.

use std::collections::HashMap;
use std::path::PathBuf;

use ksef_core::crypto::Sha256Hash;

/// One invoice of a batch package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Position in the package, from 0.
    pub index: usize,
    /// Name of the entry in the archive (`invoiceFileName` in the results).
    pub file_name: String,
    /// The local file it came from, when added from a file.
    pub source: Option<PathBuf>,
    /// SHA-256 of the invoice XML (`invoiceHash` in the results).
    pub invoice_hash: Sha256Hash,
    /// Size of the invoice XML in bytes.
    pub invoice_size: u64,
}

/// Every invoice of a batch package, searchable by hash and by file name.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    entries: Vec<ManifestEntry>,
    by_hash: HashMap<Sha256Hash, Vec<usize>>,
    by_name: HashMap<String, usize>,
}

impl Manifest {
    pub(crate) fn push(&mut self, mut entry: ManifestEntry) -> &ManifestEntry {
        let index = self.entries.len();
        entry.index = index;
        self.by_hash
            .entry(entry.invoice_hash)
            .or_default()
            .push(index);
        self.by_name.insert(entry.file_name.clone(), index);
        self.entries.push(entry);
        &self.entries[index]
    }

    pub(crate) fn contains_name(&self, name: &str) -> bool {
        self.by_name.contains_key(name)
    }

    /// All entries, in package order.
    pub fn entries(&self) -> &[ManifestEntry] {
        &self.entries
    }

    /// Number of invoices.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the package has no invoice.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The invoices with this hash (more than one only if the same XML was added twice, which
    /// KSeF rejects as a duplicate).
    pub fn find_by_hash(&self, hash: &Sha256Hash) -> impl Iterator<Item = &ManifestEntry> {
        self.by_hash
            .get(hash)
            .into_iter()
            .flatten()
            .map(|&i| &self.entries[i])
    }

    /// The invoice stored under this archive name.
    pub fn find_by_file_name(&self, name: &str) -> Option<&ManifestEntry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }
}
