//! The part splitter: a `Write` sink that hashes the whole package, cuts it into parts of at most
//! `max_part_size` plaintext bytes, and encrypts and hashes each part on the fly
//! (crypto-and-sessions.md §5.1 steps 3–6).
//!
//! Nothing here ever holds more than one buffer of the package: the parts go to temporary files
//! or, when asked, to memory.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;

use bytes::Bytes;
use ksef_core::crypto::{CbcStream, Sha256Hash, Sha256Stream, SymmetricKey};
use tempfile::TempPath;

/// Where the encrypted parts are kept until they are uploaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartStorage {
    /// Temporary files in the system's temporary directory, deleted when the part is dropped.
    #[default]
    TempFiles,
    /// Temporary files in the given directory.
    TempFilesIn(PathBuf),
    /// Memory: fastest, but the whole encrypted package is held at once.
    Memory,
}

/// The bytes of one encrypted part.
#[derive(Debug)]
pub enum PartData {
    /// Held in memory.
    Memory(Bytes),
    /// In a temporary file, deleted when this value is dropped.
    File(TempPath),
}

/// One encrypted part of a batch package, ready to upload.
///
/// Its `size` and `hash` are `fileParts[].fileSize` and `fileParts[].fileHash`.
#[derive(Debug)]
pub struct EncryptedPart {
    /// `ordinalNumber`: 1, 2, …
    pub ordinal_number: u32,
    /// Bytes of the package in this part, before encryption.
    pub plain_size: u64,
    /// `fileSize`: bytes after encryption.
    pub size: u64,
    /// `fileHash`: SHA-256 of the encrypted bytes.
    pub hash: Sha256Hash,
    /// The encrypted bytes.
    pub data: PartData,
}

impl EncryptedPart {
    /// Reads the whole encrypted part (for small parts and tests).
    pub fn read_all(&self) -> io::Result<Vec<u8>> {
        match &self.data {
            PartData::Memory(b) => Ok(b.to_vec()),
            PartData::File(p) => std::fs::read(p),
        }
    }
}

enum Sink {
    Memory(Vec<u8>),
    File(BufWriter<File>, TempPath),
}

struct OpenPart {
    encryptor: CbcStream,
    /// The part hash when hashing inline; `None` when the hash thread does it.
    hash: Option<Sha256Stream>,
    plain_size: u64,
    size: u64,
    sink: Sink,
}

/// What the splitter produced: the package size and hash, and the parts.
#[derive(Debug)]
pub(crate) struct SplitOutput {
    pub package_size: u64,
    pub package_hash: Sha256Hash,
    pub parts: Vec<EncryptedPart>,
}

/// Work for the hash thread.
enum HashJob {
    /// Package bytes before encryption (package hash).
    Plain(Vec<u8>),
    /// Encrypted bytes of the current part (part hash).
    Cipher(Vec<u8>),
    /// The current part is complete.
    EndPart,
}

/// Chunks in flight to the hash thread: bounds the memory to about this many × 256 KiB.
const HASH_QUEUE: usize = 8;

/// A second thread computing the package hash and the part hashes, fed through a bounded
/// channel, so that the writing thread only archives and encrypts. Buffers come back through
/// `recycle` to be used again.
struct HashWorker {
    jobs: SyncSender<HashJob>,
    recycle: Receiver<Vec<u8>>,
    thread: JoinHandle<(Sha256Hash, Vec<Sha256Hash>)>,
}

impl HashWorker {
    fn start() -> io::Result<Self> {
        let (jobs, incoming) = sync_channel::<HashJob>(HASH_QUEUE);
        let (give_back, recycle) = channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("ksef-batch-hash".into())
            .spawn(move || {
                let mut package = Sha256Stream::new();
                let mut part = Sha256Stream::new();
                let mut parts = Vec::new();
                for job in incoming {
                    match job {
                        HashJob::Plain(b) => {
                            package.update(&b);
                            let _ = give_back.send(b);
                        }
                        HashJob::Cipher(b) => {
                            part.update(&b);
                            let _ = give_back.send(b);
                        }
                        HashJob::EndPart => {
                            parts.push(std::mem::replace(&mut part, Sha256Stream::new()).finish())
                        }
                    }
                }
                (package.finish(), parts)
            })?;
        Ok(HashWorker {
            jobs,
            recycle,
            thread,
        })
    }

    /// An empty buffer, reused when one came back.
    fn buffer(&self) -> Vec<u8> {
        match self.recycle.try_recv() {
            Ok(mut b) => {
                b.clear();
                b
            }
            Err(_) => Vec::with_capacity(SCRATCH + 32),
        }
    }

    fn send(&self, job: HashJob) -> io::Result<()> {
        self.jobs
            .send(job)
            .map_err(|_| io::Error::other("the batch hash thread stopped"))
    }

    fn finish(self) -> io::Result<(Sha256Hash, Vec<Sha256Hash>)> {
        drop(self.jobs);
        self.thread
            .join()
            .map_err(|_| io::Error::other("the batch hash thread panicked"))
    }
}

/// Hashes, splits, encrypts and hashes again, in one pass (the hashes optionally on a
/// second thread).
pub(crate) struct PartSplitter {
    key: SymmetricKey,
    max_part_size: u64,
    max_parts: u32,
    storage: PartStorage,
    package_hash: Sha256Stream,
    worker: Option<HashWorker>,
    package_size: u64,
    open: Option<OpenPart>,
    parts: Vec<EncryptedPart>,
    scratch: Vec<u8>,
}

impl PartSplitter {
    pub(crate) fn new(
        key: SymmetricKey,
        max_part_size: u64,
        max_parts: u32,
        storage: PartStorage,
    ) -> Self {
        PartSplitter {
            key,
            max_part_size: max_part_size.max(1),
            max_parts,
            storage,
            package_hash: Sha256Stream::new(),
            worker: None,
            package_size: 0,
            open: None,
            parts: Vec::new(),
            scratch: Vec::with_capacity(SCRATCH),
        }
    }

    /// Computes the package and part hashes on a second thread (the default of
    /// [`BatchOptions`](super::BatchOptions)). Falls back to inline hashing when no thread
    /// can be started.
    pub(crate) fn with_hash_thread(mut self, on: bool) -> Self {
        self.worker = if on { HashWorker::start().ok() } else { None };
        self
    }

    /// Hands encrypted bytes to the part hash and the sink.
    fn emit(&mut self, cipher: Vec<u8>) -> io::Result<Vec<u8>> {
        let Some(part) = self.open.as_mut() else {
            return Ok(cipher);
        };
        part.size += cipher.len() as u64;
        match &mut part.sink {
            Sink::Memory(v) => v.extend_from_slice(&cipher),
            Sink::File(w, _) => w.write_all(&cipher)?,
        }
        match (&mut part.hash, &self.worker) {
            (Some(h), _) => {
                h.update(&cipher);
                Ok(cipher)
            }
            (None, Some(w)) => {
                let next = w.buffer();
                w.send(HashJob::Cipher(cipher))?;
                Ok(next)
            }
            (None, None) => Err(io::Error::other("no part hash")),
        }
    }

    fn start_part(&self) -> io::Result<OpenPart> {
        let next = self.parts.len() as u32 + 1;
        if next > self.max_parts {
            return Err(io::Error::other(format!(
                "the package needs more than {} parts of {} bytes (crypto-and-sessions.md §5.1)",
                self.max_parts, self.max_part_size
            )));
        }
        let sink = match &self.storage {
            PartStorage::Memory => Sink::Memory(Vec::new()),
            PartStorage::TempFiles => temp_sink(None)?,
            PartStorage::TempFilesIn(dir) => temp_sink(Some(dir))?,
        };
        Ok(OpenPart {
            encryptor: self.key.encryptor().map_err(io::Error::other)?,
            hash: self.worker.is_none().then(Sha256Stream::new),
            plain_size: 0,
            size: 0,
            sink,
        })
    }

    fn close_part(&mut self) -> io::Result<()> {
        let Some(part) = self.open.as_mut() else {
            return Ok(());
        };
        let mut out = match &self.worker {
            Some(w) => w.buffer(),
            None => std::mem::take(&mut self.scratch),
        };
        out.clear();
        let encryptor = std::mem::replace(
            &mut part.encryptor,
            self.key.encryptor().map_err(io::Error::other)?,
        );
        encryptor.finish(&mut out).map_err(io::Error::other)?;
        let back = self.emit(out)?;
        if self.worker.is_none() {
            self.scratch = back;
        }
        let Some(part) = self.open.take() else {
            return Ok(());
        };
        let hash = match (part.hash, &self.worker) {
            (Some(h), _) => h.finish(),
            (None, Some(w)) => {
                w.send(HashJob::EndPart)?;
                // Filled in by `finish` when the hash thread is done.
                Sha256Hash([0; 32])
            }
            (None, None) => return Err(io::Error::other("no part hash")),
        };
        let data = match part.sink {
            Sink::Memory(v) => PartData::Memory(Bytes::from(v)),
            Sink::File(w, path) => {
                w.into_inner().map_err(|e| e.into_error())?.sync_data()?;
                PartData::File(path)
            }
        };
        self.parts.push(EncryptedPart {
            ordinal_number: self.parts.len() as u32 + 1,
            plain_size: part.plain_size,
            size: part.size,
            hash,
            data,
        });
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<SplitOutput> {
        self.close_part()?;
        let package_hash = match self.worker.take() {
            Some(w) => {
                let (package, part_hashes) = w.finish()?;
                if part_hashes.len() != self.parts.len() {
                    return Err(io::Error::other("the hash thread lost a part"));
                }
                for (p, h) in self.parts.iter_mut().zip(part_hashes) {
                    p.hash = h;
                }
                package
            }
            None => self.package_hash.finish(),
        };
        Ok(SplitOutput {
            package_size: self.package_size,
            package_hash,
            parts: self.parts,
        })
    }
}

/// Encryption works on slices of this size, so the scratch buffer stays in cache.
const SCRATCH: usize = 256 * 1024;

fn temp_sink(dir: Option<&Path>) -> io::Result<Sink> {
    let file = match dir {
        Some(d) => tempfile::NamedTempFile::new_in(d)?,
        None => tempfile::NamedTempFile::new()?,
    };
    let (file, path) = file.into_parts();
    Ok(Sink::File(BufWriter::with_capacity(SCRATCH, file), path))
}

impl Write for PartSplitter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.open.is_none() {
            self.open = Some(self.start_part()?);
        }
        let Some(part) = self.open.as_mut() else {
            return Ok(0);
        };
        let room = self.max_part_size - part.plain_size;
        let take = buf.len().min(room as usize).min(SCRATCH);
        let chunk = &buf[..take];
        part.plain_size += take as u64;
        self.package_size += take as u64;
        let mut out = match &self.worker {
            Some(w) => {
                let mut plain = w.buffer();
                plain.extend_from_slice(chunk);
                w.send(HashJob::Plain(plain))?;
                w.buffer()
            }
            None => {
                self.package_hash.update(chunk);
                std::mem::take(&mut self.scratch)
            }
        };
        out.clear();
        part.encryptor
            .update(chunk, &mut out)
            .map_err(io::Error::other)?;
        let full = part.plain_size == self.max_part_size;
        let back = self.emit(out)?;
        if self.worker.is_none() {
            self.scratch = back;
        }
        if full {
            self.close_part()?;
        }
        Ok(take)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(data: &[u8], max: u64, storage: PartStorage) -> (SymmetricKey, SplitOutput) {
        split_with(data, max, storage, true)
    }

    fn split_with(
        data: &[u8],
        max: u64,
        storage: PartStorage,
        thread: bool,
    ) -> (SymmetricKey, SplitOutput) {
        let key = SymmetricKey::generate().unwrap();
        let mut s = PartSplitter::new(key.clone(), max, 50, storage).with_hash_thread(thread);
        for chunk in data.chunks(1000) {
            s.write_all(chunk).unwrap();
        }
        (key, s.finish().unwrap())
    }

    #[test]
    fn parts_decrypt_back_to_the_package_and_hashes_match() {
        let data: Vec<u8> = (0..25_000u32).map(|i| (i * 7) as u8).collect();
        for (storage, thread) in [
            (PartStorage::Memory, true),
            (PartStorage::TempFiles, true),
            (PartStorage::Memory, false),
            (PartStorage::TempFiles, false),
        ] {
            let (key, out) = split_with(&data, 10_000, storage, thread);
            assert_eq!(out.package_size, 25_000);
            assert_eq!(out.package_hash, Sha256Hash::of(&data));
            assert_eq!(out.parts.len(), 3);
            let mut joined = Vec::new();
            for (i, p) in out.parts.iter().enumerate() {
                assert_eq!(p.ordinal_number, i as u32 + 1);
                let bytes = p.read_all().unwrap();
                assert_eq!(bytes.len() as u64, p.size);
                assert_eq!(
                    p.size as usize,
                    SymmetricKey::encrypted_len(p.plain_size as usize)
                );
                assert_eq!(Sha256Hash::of(&bytes), p.hash);
                // Each part is encrypted on its own, with the same key and IV (§5.1 step 5).
                joined.extend(key.decrypt(&bytes).unwrap());
            }
            assert_eq!(out.parts[0].plain_size, 10_000);
            assert_eq!(out.parts[2].plain_size, 5_000);
            assert_eq!(joined, data);
        }
    }

    #[test]
    fn an_exact_multiple_makes_no_empty_last_part() {
        let data = vec![1u8; 20_000];
        let (_, out) = split(&data, 10_000, PartStorage::Memory);
        assert_eq!(out.parts.len(), 2);
    }

    #[test]
    fn too_many_parts_is_an_error() {
        let key = SymmetricKey::generate().unwrap();
        let mut s = PartSplitter::new(key, 10, 2, PartStorage::Memory);
        assert!(s.write_all(&[0u8; 25]).is_err());
    }

    #[test]
    fn temp_files_are_deleted_with_the_part() {
        let (_, out) = split(&[5u8; 100], 1000, PartStorage::TempFiles);
        let PartData::File(path) = &out.parts[0].data else {
            panic!("expected a file")
        };
        let p = path.to_path_buf();
        assert!(p.exists());
        drop(out);
        assert!(!p.exists());
    }
}
