//! Batch package preparation: archive, split, encrypt, hash, in one streaming pass
//! (crypto-and-sessions.md §5.1).
//!
//! ```
//! use ksef_client::batch::{BatchOptions, BatchPackager, PartStorage};
//! use ksef_core::crypto::SymmetricKey;
//!
//! let key = SymmetricKey::generate()?;
//! let mut packager = BatchPackager::new(&key, BatchOptions::default().storage(PartStorage::Memory));
//! packager.add_invoice("fv-1.xml", b"<Faktura/>")?;
//! let batch = packager.finish()?;
//! assert_eq!(batch.parts.len(), 1);
//! assert_eq!(batch.manifest.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod archive;
mod manifest;
mod split;
mod upload;

use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use ksef_core::crypto::{Sha256Hash, SymmetricKey};

pub use archive::ArchiveFormat;
pub use manifest::{Manifest, ManifestEntry};
pub use split::{EncryptedPart, PartData, PartStorage};
pub(crate) use upload::url_path;
pub use upload::{PartUploadTarget, ProgressFn, UploadProgress};

use crate::error::{Error, Result};
use archive::ArchiveWriter;
use split::PartSplitter;

/// Largest part before encryption: 100 MB = 100 000 000 bytes (crypto-and-sessions.md §9).
pub const MAX_PART_SIZE: u64 = 100_000_000;
/// Most parts in one package.
pub const MAX_PARTS: u32 = 50;
/// Largest package before encryption: 5 GB.
pub const MAX_PACKAGE_SIZE: u64 = 5_000_000_000;
/// Longest `invoiceFileName`.
pub const MAX_FILE_NAME: usize = 128;

/// How to build a package.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Archive format; ZIP with fast deflate by default.
    pub format: ArchiveFormat,
    /// Largest part before encryption; at most [`MAX_PART_SIZE`].
    pub max_part_size: u64,
    /// Where encrypted parts wait for upload.
    pub storage: PartStorage,
    /// Compute the package hash and the part hashes on a second thread (default on), so
    /// the calling thread only archives and encrypts.
    pub hash_thread: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            format: ArchiveFormat::default(),
            max_part_size: MAX_PART_SIZE,
            storage: PartStorage::default(),
            hash_thread: true,
        }
    }
}

impl BatchOptions {
    /// Sets the archive format.
    pub fn format(mut self, format: ArchiveFormat) -> Self {
        self.format = format;
        self
    }

    /// Sets the largest part before encryption (clamped to 1 ..= [`MAX_PART_SIZE`]).
    pub fn max_part_size(mut self, bytes: u64) -> Self {
        self.max_part_size = bytes.clamp(1, MAX_PART_SIZE);
        self
    }

    /// Turns the hash thread on or off (off: everything on the calling thread).
    pub fn hash_thread(mut self, on: bool) -> Self {
        self.hash_thread = on;
        self
    }

    /// Sets where the encrypted parts are kept.
    pub fn storage(mut self, storage: PartStorage) -> Self {
        self.storage = storage;
        self
    }
}

/// One invoice to put into a package.
#[derive(Debug, Clone)]
pub enum InvoiceSource {
    /// XML in memory, stored under the given archive name.
    Bytes {
        /// Archive entry name.
        name: String,
        /// The invoice XML.
        xml: Bytes,
    },
    /// An XML file, stored under its file name.
    File(PathBuf),
}

/// A package ready to upload: the values for `batchFile` and the encrypted parts.
#[derive(Debug)]
pub struct PreparedBatch {
    /// Archive format (`batchFile.compressionType`).
    pub format: ArchiveFormat,
    /// `batchFile.fileSize`: the whole archive before encryption.
    pub package_size: u64,
    /// `batchFile.fileHash`: SHA-256 of the whole archive before encryption.
    pub package_hash: Sha256Hash,
    /// `batchFile.fileParts`, each with its encrypted bytes.
    pub parts: Vec<EncryptedPart>,
    /// Local invoice → archive name and hash.
    pub manifest: Manifest,
}

impl PreparedBatch {
    /// Total bytes to upload.
    pub fn encrypted_size(&self) -> u64 {
        self.parts.iter().map(|p| p.size).sum()
    }
}

/// Builds a package incrementally: add invoices one by one, then [`finish`](Self::finish).
///
/// Memory stays bounded by one invoice plus a few buffers, whatever the package size
/// (with [`PartStorage::TempFiles`]).
pub struct BatchPackager {
    format: ArchiveFormat,
    archive: ArchiveWriter<BufWriter<PartSplitter>>,
    manifest: Manifest,
    file_buf: Vec<u8>,
}

impl std::fmt::Debug for BatchPackager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchPackager")
            .field("format", &self.format)
            .field("invoices", &self.manifest.len())
            .finish_non_exhaustive()
    }
}

impl BatchPackager {
    /// Starts a package encrypted with the session's key and IV.
    pub fn new(key: &SymmetricKey, options: BatchOptions) -> Self {
        let splitter = PartSplitter::new(
            key.clone(),
            options.max_part_size.clamp(1, MAX_PART_SIZE),
            MAX_PARTS,
            options.storage,
        )
        .with_hash_thread(options.hash_thread);
        BatchPackager {
            format: options.format,
            archive: ArchiveWriter::new(
                options.format,
                BufWriter::with_capacity(256 * 1024, splitter),
            ),
            manifest: Manifest::default(),
            file_buf: Vec::new(),
        }
    }

    /// Adds an invoice from memory under the archive name `name`.
    pub fn add_invoice(&mut self, name: &str, xml: &[u8]) -> Result<&ManifestEntry> {
        self.add(name.to_owned(), xml_ref(xml), None, None)
    }

    /// Adds an invoice whose SHA-256 the caller already holds (e.g. computed when it was
    /// issued and kept under authenticated encryption), saving one hashing pass over the data.
    /// The hash must be that of exactly `xml`: KSeF reports results by it. Debug builds check.
    pub fn add_hashed_invoice(
        &mut self,
        name: &str,
        xml: &[u8],
        hash: Sha256Hash,
    ) -> Result<&ManifestEntry> {
        debug_assert_eq!(Sha256Hash::of(xml), hash, "hash of {name}");
        self.add(name.to_owned(), xml_ref(xml), None, Some(hash))
    }

    /// Adds an invoice file, stored under its file name.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<&ManifestEntry> {
        let path = path.as_ref();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::Batch(format!("{} has no UTF-8 file name", path.display())))?
            .to_owned();
        let mut buf = std::mem::take(&mut self.file_buf);
        buf.clear();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut buf))
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        let r = self.add(name, &buf, Some(path.to_path_buf()), None);
        // Keep the buffer for the next file (unless the borrow rules said otherwise).
        let index = r.map(|e| e.index);
        self.file_buf = buf;
        index.map(|i| &self.manifest.entries()[i])
    }

    /// Adds one [`InvoiceSource`].
    pub fn add_source(&mut self, source: &InvoiceSource) -> Result<&ManifestEntry> {
        match source {
            InvoiceSource::Bytes { name, xml } => self.add_invoice(name, xml),
            InvoiceSource::File(path) => self.add_file(path),
        }
    }

    fn add(
        &mut self,
        name: String,
        xml: &[u8],
        source: Option<PathBuf>,
        known_hash: Option<Sha256Hash>,
    ) -> Result<&ManifestEntry> {
        if name.is_empty() || name.len() > MAX_FILE_NAME || name.contains(['/', '\\']) {
            return Err(Error::Batch(format!(
                "invoice file name {name:?} must be 1..={MAX_FILE_NAME} bytes without a path"
            )));
        }
        if self.manifest.contains_name(&name) {
            return Err(Error::Batch(format!("two invoices are named {name:?}")));
        }
        let invoice_hash = known_hash.unwrap_or_else(|| Sha256Hash::of(xml));
        self.archive
            .add(&name, xml)
            .map_err(|e| Error::Batch(format!("writing {name}: {e}")))?;
        Ok(self.manifest.push(ManifestEntry {
            index: 0,
            file_name: name,
            source,
            invoice_hash,
            invoice_size: xml.len() as u64,
        }))
    }

    /// Number of invoices added so far.
    pub fn len(&self) -> usize {
        self.manifest.len()
    }

    /// Whether no invoice was added yet.
    pub fn is_empty(&self) -> bool {
        self.manifest.is_empty()
    }

    /// Ends the archive and the last part.
    pub fn finish(self) -> Result<PreparedBatch> {
        if self.manifest.is_empty() {
            return Err(Error::Batch(
                "a package must hold at least one invoice".into(),
            ));
        }
        let mut buffered = self
            .archive
            .finish()
            .map_err(|e| Error::Batch(format!("ending the archive: {e}")))?;
        buffered
            .flush()
            .map_err(|e| Error::Batch(format!("ending the archive: {e}")))?;
        let splitter = buffered
            .into_inner()
            .map_err(|e| Error::Batch(format!("ending the archive: {}", e.error())))?;
        let out = splitter
            .finish()
            .map_err(|e| Error::Batch(format!("ending the last part: {e}")))?;
        if out.package_size > MAX_PACKAGE_SIZE {
            return Err(Error::Batch(format!(
                "the package has {} bytes, more than the 5 GB KSeF accepts",
                out.package_size
            )));
        }
        Ok(PreparedBatch {
            format: self.format,
            package_size: out.package_size,
            package_hash: out.package_hash,
            parts: out.parts,
            manifest: self.manifest,
        })
    }
}

fn xml_ref(xml: &[u8]) -> &[u8] {
    xml
}

/// Builds a package from a list of invoices in one call.
pub fn prepare_batch<'a>(
    key: &SymmetricKey,
    options: BatchOptions,
    invoices: impl IntoIterator<Item = &'a InvoiceSource>,
) -> Result<PreparedBatch> {
    let mut p = BatchPackager::new(key, options);
    for source in invoices {
        p.add_source(source)?;
    }
    p.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn decrypt_package(key: &SymmetricKey, batch: &PreparedBatch) -> Vec<u8> {
        let mut all = Vec::new();
        for p in &batch.parts {
            all.extend(key.decrypt(&p.read_all().unwrap()).unwrap());
        }
        all
    }

    #[test]
    fn package_round_trips_through_parts_and_manifest_matches() {
        let key = SymmetricKey::generate().unwrap();
        let invoices: Vec<InvoiceSource> = (0..300)
            .map(|i| InvoiceSource::Bytes {
                name: format!("fv-{i:04}.xml"),
                xml: Bytes::from(format!(
                    "<Faktura><P_2>{i}</P_2>{}</Faktura>",
                    "a".repeat(200)
                )),
            })
            .collect();
        let opts = BatchOptions::default()
            .format(ArchiveFormat::ZipStored)
            .max_part_size(20_000)
            .storage(PartStorage::Memory);
        let batch = prepare_batch(&key, opts, &invoices).unwrap();
        assert!(batch.parts.len() >= 3);
        let package = decrypt_package(&key, &batch);
        assert_eq!(package.len() as u64, batch.package_size);
        assert_eq!(Sha256Hash::of(&package), batch.package_hash);
        let mut zip = zip::ZipArchive::new(Cursor::new(package)).unwrap();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut xml = Vec::new();
            f.read_to_end(&mut xml).unwrap();
            let e = batch
                .manifest
                .find_by_hash(&Sha256Hash::of(&xml))
                .next()
                .unwrap();
            assert_eq!(e.file_name, f.name());
            assert_eq!(batch.manifest.find_by_file_name(f.name()).unwrap().index, i);
        }
    }

    #[test]
    fn files_are_named_after_themselves_and_duplicates_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.xml");
        std::fs::write(&path, b"<Faktura/>").unwrap();
        let key = SymmetricKey::generate().unwrap();
        let mut p = BatchPackager::new(
            &key,
            BatchOptions::default().format(ArchiveFormat::TarGz(1)),
        );
        let e = p.add_file(&path).unwrap();
        assert_eq!(e.file_name, "a.xml");
        assert_eq!(e.source.as_deref(), Some(path.as_path()));
        assert!(p.add_file(&path).is_err());
        assert!(p.add_invoice("x/y.xml", b"<a/>").is_err());
        let batch = p.finish().unwrap();
        assert_eq!(batch.format.compression_type(), "TarGz");
        assert_eq!(batch.parts.len(), 1);
    }

    #[test]
    fn an_empty_package_is_refused() {
        let key = SymmetricKey::generate().unwrap();
        assert!(
            BatchPackager::new(&key, BatchOptions::default())
                .finish()
                .is_err()
        );
    }
}
