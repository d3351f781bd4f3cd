//! Master keys and where they come from.
//!
//! The master key never encrypts data itself: it wraps the random data key of each record
//! (see [`crate::envelope`]). A [`KeyProvider`] hands it out, so that a KMS can be plugged in
//! later without touching the store.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use crate::{Error, Result};

/// Name of the environment variable read by [`EnvKey::from_default_var`].
pub const MASTER_KEY_VAR: &str = "KSEF_MASTER_KEY";

/// A 256-bit master key; zeroed when dropped and never printed.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterKey(Zeroizing::new(bytes))
    }

    /// A fresh random key from the operating system's generator.
    ///
    /// # Errors
    /// [`Error::MasterKeyUnavailable`] if the generator fails.
    pub fn generate() -> Result<Self> {
        let mut k = Zeroizing::new([0u8; 32]);
        openssl::rand::rand_bytes(k.as_mut()).map_err(|e| Error::MasterKeyUnavailable {
            provider: "the random generator".into(),
            reason: e.to_string(),
        })?;
        Ok(MasterKey(k))
    }

    /// The key in Base64, for `KSEF_MASTER_KEY`.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.0.as_ref()))
    }

    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

/// A source of the master key.
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// The master key.
    ///
    /// # Errors
    /// [`Error::MasterKeyUnavailable`] when the key cannot be had.
    fn master_key(&self) -> Result<MasterKey>;
}

impl KeyProvider for MasterKey {
    fn master_key(&self) -> Result<MasterKey> {
        Ok(self.clone())
    }
}

/// The master key in a file of exactly 32 bytes, readable by its owner only (mode 0600).
#[derive(Debug, Clone)]
pub struct KeyFile {
    path: PathBuf,
}

impl KeyFile {
    /// The key file at `path` (read when the key is needed).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        KeyFile { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Creates the file with 32 random bytes, mode 0600; refuses to overwrite an existing
    /// file (that would orphan every store sealed with it).
    ///
    /// # Errors
    /// [`Error::MasterKeyUnavailable`] if the file exists or cannot be written.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self> {
        let file = KeyFile::new(path);
        let key = MasterKey::generate()?;
        let fail = |e: std::io::Error| file.unavailable(e.to_string());
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            opts.mode(0o600);
        }
        let mut f = opts.open(&file.path).map_err(fail)?;
        f.write_all(key.bytes()).map_err(fail)?;
        f.sync_all().map_err(fail)?;
        Ok(file)
    }

    fn unavailable(&self, reason: String) -> Error {
        Error::MasterKeyUnavailable {
            provider: format!("key file {}", self.path.display()),
            reason,
        }
    }
}

impl KeyProvider for KeyFile {
    fn master_key(&self) -> Result<MasterKey> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let meta =
                std::fs::metadata(&self.path).map_err(|e| self.unavailable(e.to_string()))?;
            if meta.permissions().mode() & 0o077 != 0 {
                return Err(self.unavailable(format!(
                    "the file is readable by others (mode {:o}); chmod 600 it",
                    meta.permissions().mode() & 0o777
                )));
            }
        }
        let bytes =
            Zeroizing::new(std::fs::read(&self.path).map_err(|e| self.unavailable(e.to_string()))?);
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            self.unavailable(format!(
                "it holds {} bytes, a master key is 32",
                bytes.len()
            ))
        })?;
        Ok(MasterKey::from_bytes(key))
    }
}

/// The master key in an environment variable, Base64 of 32 bytes.
#[derive(Debug, Clone)]
pub struct EnvKey {
    var: String,
}

impl EnvKey {
    /// Reads the key from `var` when it is needed.
    pub fn new(var: impl Into<String>) -> Self {
        EnvKey { var: var.into() }
    }

    /// Reads the key from [`MASTER_KEY_VAR`] (`KSEF_MASTER_KEY`).
    pub fn from_default_var() -> Self {
        EnvKey::new(MASTER_KEY_VAR)
    }
}

impl KeyProvider for EnvKey {
    fn master_key(&self) -> Result<MasterKey> {
        let fail = |reason: String| Error::MasterKeyUnavailable {
            provider: format!("environment variable {}", self.var),
            reason,
        };
        let text = Zeroizing::new(std::env::var(&self.var).map_err(|e| fail(e.to_string()))?);
        let bytes = Zeroizing::new(
            STANDARD
                .decode(text.trim())
                .map_err(|e| fail(format!("not Base64: {e}")))?,
        );
        let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            fail(format!(
                "it decodes to {} bytes, a master key is 32",
                bytes.len()
            ))
        })?;
        Ok(MasterKey::from_bytes(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let file = KeyFile::create(&path).unwrap();
        let key = file.master_key().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), key.bytes());
        assert!(KeyFile::create(&path).is_err(), "must not overwrite");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn debug_hides_the_key() {
        let key = MasterKey::from_bytes([7; 32]);
        assert_eq!(format!("{key:?}"), "MasterKey(***)");
    }
}
