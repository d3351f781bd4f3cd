//! Unpacking batch packages (ZIP or tar.gz) with guards: number of entries, size of each
//! entry, total unpacked size, and entry names (no absolute paths, no `..`, no backslashes).

use std::io::{Cursor, Read};

/// Why a package cannot be unpacked, with the session status it leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackError {
    /// Session status: 420 (too many invoices) or 430 (decompression error).
    pub code: u16,
    /// What went wrong.
    pub detail: String,
}

/// Limits for one package.
#[derive(Debug, Clone, Copy)]
pub struct UnpackLimits {
    /// Files in the package.
    pub max_entries: usize,
    /// One file, unpacked.
    pub max_entry_size: u64,
    /// All files together, unpacked.
    pub max_total_size: u64,
}

/// One unpacked file: its name and bytes, or why it was refused (too large).
pub type Entry = (String, Result<Vec<u8>, String>);

fn bad(detail: impl Into<String>) -> UnpackError {
    UnpackError {
        code: 430,
        detail: detail.into(),
    }
}

fn check_name(name: &str) -> Result<(), UnpackError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 128
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains('\0')
        && !name.contains(':')
        && !name.split('/').any(|seg| seg == ".." || seg == ".");
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "Niedozwolona nazwa pliku w archiwum: {name:?}."
        )))
    }
}

fn read_limited(
    r: &mut impl Read,
    declared: u64,
    limits: &UnpackLimits,
    total: &mut u64,
) -> Result<Result<Vec<u8>, String>, UnpackError> {
    let mut buf = Vec::with_capacity(declared.min(limits.max_entry_size).min(4 << 20) as usize);
    r.take(limits.max_entry_size + 1)
        .read_to_end(&mut buf)
        .map_err(|e| bad(format!("Błąd dekompresji: {e}")))?;
    *total += buf.len() as u64;
    if *total > limits.max_total_size {
        return Err(bad(format!(
            "Rozmiar rozpakowanego archiwum przekracza {} B.",
            limits.max_total_size
        )));
    }
    if buf.len() as u64 > limits.max_entry_size {
        return Ok(Err(format!(
            "Rozmiar pliku przekracza dozwolony rozmiar {} B.",
            limits.max_entry_size
        )));
    }
    Ok(Ok(buf))
}

/// Unpacks a ZIP archive.
pub fn unzip(bytes: &[u8], limits: UnpackLimits) -> Result<Vec<Entry>, UnpackError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| bad(format!("Błąd dekompresji archiwum ZIP: {e}")))?;
    let files = (0..zip.len())
        .filter(|i| zip.name_for_index(*i).is_some_and(|n| !n.ends_with('/')))
        .count();
    if files > limits.max_entries {
        return Err(UnpackError {
            code: 420,
            detail: format!(
                "Paczka zawiera {files} plików; limit {}.",
                limits.max_entries
            ),
        });
    }
    let mut out = Vec::with_capacity(files);
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| bad(format!("Błąd dekompresji archiwum ZIP: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_owned();
        check_name(&name)?;
        let declared = f.size();
        let data = read_limited(&mut f, declared, &limits, &mut total)?;
        out.push((name, data));
    }
    Ok(out)
}

/// Unpacks a tar.gz archive.
pub fn untar_gz(bytes: &[u8], limits: UnpackLimits) -> Result<Vec<Entry>, UnpackError> {
    let gz = flate2::read::GzDecoder::new(Cursor::new(bytes));
    let mut tar = tar::Archive::new(gz);
    let mut out = Vec::new();
    let mut total = 0u64;
    let entries = tar
        .entries()
        .map_err(|e| bad(format!("Błąd dekompresji archiwum tar.gz: {e}")))?;
    for entry in entries {
        let mut e = entry.map_err(|e| bad(format!("Błąd dekompresji archiwum tar.gz: {e}")))?;
        let kind = e.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if !kind.is_file() {
            return Err(bad(format!("Niedozwolony typ wpisu w archiwum: {name:?}.")));
        }
        check_name(&name)?;
        if out.len() >= limits.max_entries {
            return Err(UnpackError {
                code: 420,
                detail: format!("Paczka zawiera więcej niż {} plików.", limits.max_entries),
            });
        }
        let declared = e.header().size().unwrap_or(0);
        let data = read_limited(&mut e, declared, &limits, &mut total)?;
        out.push((name, data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn limits() -> UnpackLimits {
        UnpackLimits {
            max_entries: 3,
            max_entry_size: 1000,
            max_total_size: 1500,
        }
    }

    fn zip_of(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (n, d) in files {
            w.start_file(*n, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(d).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn guards() {
        let ok = unzip(&zip_of(&[("a.xml", b"<a/>".to_vec())]), limits()).unwrap();
        assert_eq!(ok[0].0, "a.xml");
        let e = unzip(&zip_of(&[("../a.xml", b"x".to_vec())]), limits()).unwrap_err();
        assert_eq!(e.code, 430);
        let e = unzip(&zip_of(&[("/etc/passwd", b"x".to_vec())]), limits()).unwrap_err();
        assert_eq!(e.code, 430);
        let four: Vec<(&str, Vec<u8>)> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| (*n, vec![b'x']))
            .collect();
        assert_eq!(unzip(&zip_of(&four), limits()).unwrap_err().code, 420);
        // A bomb: one entry far above the limit is cut at the limit and refused.
        let big = unzip(&zip_of(&[("big.xml", vec![b'a'; 10_000_000])]), limits()).unwrap();
        assert!(big[0].1.is_err());
        let total = unzip(
            &zip_of(&[("a", vec![b'a'; 900]), ("b", vec![b'a'; 900])]),
            limits(),
        )
        .unwrap_err();
        assert_eq!(total.code, 430);
        assert_eq!(unzip(b"garbage", limits()).unwrap_err().code, 430);
        assert_eq!(untar_gz(b"garbage", limits()).unwrap_err().code, 430);
    }
}
