//! Streaming archive writers: ZIP (stored or deflated, ZIP64 when offsets pass 4 GiB) and TAR.GZ.
//!
//! Both write forward only, so the output can be a non-seekable stream (the part splitter).
//! Each entry is given whole (an invoice is at most a few MB), which lets the ZIP writer put the
//! CRC-32 and sizes in the local header and skip data descriptors.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress, Status};

/// The archive format of a batch package (`batchFile.compressionType`, crypto-and-sessions.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArchiveFormat {
    /// ZIP with entries stored uncompressed: the fastest to prepare, the largest to upload.
    ZipStored,
    /// ZIP with each entry deflated at the given level (1 fastest … 9 smallest).
    ZipDeflate(u32),
    /// One gzip stream over a tar archive at the given level (1 … 9); since API 2.6.0.
    /// Compresses best because similar invoices share one dictionary.
    TarGz(u32),
}

impl Default for ArchiveFormat {
    fn default() -> Self {
        ArchiveFormat::ZipDeflate(1)
    }
}

impl ArchiveFormat {
    /// The API's name for the format: `Zip` or `TarGz`.
    pub fn compression_type(&self) -> &'static str {
        match self {
            ArchiveFormat::ZipStored | ArchiveFormat::ZipDeflate(_) => "Zip",
            ArchiveFormat::TarGz(_) => "TarGz",
        }
    }
}

/// An archive being written to `W`.
pub(crate) enum ArchiveWriter<W: Write> {
    Zip(Box<ZipWriter<W>>),
    TarGz(Box<tar::Builder<flate2::write::GzEncoder<W>>>),
}

impl<W: Write> ArchiveWriter<W> {
    pub(crate) fn new(format: ArchiveFormat, out: W) -> Self {
        match format {
            ArchiveFormat::ZipStored => ArchiveWriter::Zip(Box::new(ZipWriter::new(out, None))),
            ArchiveFormat::ZipDeflate(level) => {
                ArchiveWriter::Zip(Box::new(ZipWriter::new(out, Some(level.clamp(1, 9)))))
            }
            ArchiveFormat::TarGz(level) => {
                let gz = flate2::write::GzEncoder::new(out, Compression::new(level.clamp(1, 9)));
                let mut builder = tar::Builder::new(gz);
                builder.mode(tar::HeaderMode::Deterministic);
                ArchiveWriter::TarGz(Box::new(builder))
            }
        }
    }

    pub(crate) fn add(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        match self {
            ArchiveWriter::Zip(z) => z.add(name, data),
            ArchiveWriter::TarGz(t) => {
                let mut header = tar::Header::new_ustar();
                header.set_size(data.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                t.append_data(&mut header, name, data)
            }
        }
    }

    pub(crate) fn finish(self) -> io::Result<W> {
        match self {
            ArchiveWriter::Zip(z) => (*z).finish(),
            ArchiveWriter::TarGz(t) => t.into_inner()?.finish(),
        }
    }
}

/// Fields of one entry kept for the central directory.
struct CentralEntry {
    name: String,
    crc: u32,
    method: u16,
    compressed: u32,
    size: u32,
    offset: u64,
}

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_CENTRAL: u32 = 0x0605_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
/// Bit 11: names are UTF-8.
const FLAG_UTF8: u16 = 0x0800;
/// 1980-01-01 00:00 in MS-DOS format: fixed, so the same invoices give the same package.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;

/// A forward-only ZIP writer.
pub(crate) struct ZipWriter<W: Write> {
    out: W,
    offset: u64,
    entries: Vec<CentralEntry>,
    deflate: Option<Compress>,
    buf: Vec<u8>,
    header: Vec<u8>,
}

impl<W: Write> ZipWriter<W> {
    fn new(out: W, level: Option<u32>) -> Self {
        ZipWriter {
            out,
            offset: 0,
            entries: Vec::new(),
            deflate: level.map(|l| Compress::new(Compression::new(l), false)),
            buf: Vec::new(),
            header: Vec::with_capacity(256),
        }
    }

    fn add(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        let too_big = || io::Error::other(format!("entry {name} is larger than 4 GiB"));
        let size = u32::try_from(data.len()).map_err(|_| too_big())?;
        let name_len = u16::try_from(name.len())
            .map_err(|_| io::Error::other("entry name longer than 65535 bytes"))?;
        let crc = crc32fast::hash(data);
        let (method, body): (u16, &[u8]) = match self.deflate.as_mut() {
            None => (0, data),
            Some(c) => {
                deflate_into(c, data, &mut self.buf)?;
                (8, &self.buf)
            }
        };
        let compressed = u32::try_from(body.len()).map_err(|_| too_big())?;

        let h = &mut self.header;
        h.clear();
        put32(h, LOCAL_HEADER);
        put16(h, 20); // version needed: 2.0
        put16(h, FLAG_UTF8);
        put16(h, method);
        put16(h, DOS_TIME);
        put16(h, DOS_DATE);
        put32(h, crc);
        put32(h, compressed);
        put32(h, size);
        put16(h, name_len);
        put16(h, 0); // extra field length
        h.extend_from_slice(name.as_bytes());
        self.out.write_all(h)?;
        self.out.write_all(body)?;
        self.entries.push(CentralEntry {
            name: name.to_owned(),
            crc,
            method,
            compressed,
            size,
            offset: self.offset,
        });
        self.offset += h.len() as u64 + body.len() as u64;
        Ok(())
    }

    fn finish(mut self) -> io::Result<W> {
        let cd_start = self.offset;
        let mut cd = Vec::with_capacity(64 * 1024);
        for e in &self.entries {
            let zip64 = e.offset >= u64::from(u32::MAX);
            put32(&mut cd, CENTRAL_HEADER);
            put16(&mut cd, (3 << 8) | 45); // made by: Unix, spec 4.5
            put16(&mut cd, if zip64 { 45 } else { 20 });
            put16(&mut cd, FLAG_UTF8);
            put16(&mut cd, e.method);
            put16(&mut cd, DOS_TIME);
            put16(&mut cd, DOS_DATE);
            put32(&mut cd, e.crc);
            put32(&mut cd, e.compressed);
            put32(&mut cd, e.size);
            put16(&mut cd, e.name.len() as u16);
            put16(&mut cd, if zip64 { 12 } else { 0 });
            put16(&mut cd, 0); // comment
            put16(&mut cd, 0); // disk
            put16(&mut cd, 0); // internal attributes
            put32(&mut cd, 0o100_644 << 16); // regular file, rw-r--r--
            put32(&mut cd, if zip64 { u32::MAX } else { e.offset as u32 });
            cd.extend_from_slice(e.name.as_bytes());
            if zip64 {
                put16(&mut cd, 0x0001);
                put16(&mut cd, 8);
                cd.extend_from_slice(&e.offset.to_le_bytes());
            }
            if cd.len() >= 60 * 1024 {
                self.out.write_all(&cd)?;
                self.offset += cd.len() as u64;
                cd.clear();
            }
        }
        self.out.write_all(&cd)?;
        self.offset += cd.len() as u64;
        cd.clear();
        let cd_size = self.offset - cd_start;
        let count = self.entries.len() as u64;
        let needs_zip64 =
            count >= 0xFFFF || cd_start >= u64::from(u32::MAX) || cd_size >= u64::from(u32::MAX);
        if needs_zip64 {
            let zip64_end_at = self.offset;
            put32(&mut cd, ZIP64_END);
            cd.extend_from_slice(&44u64.to_le_bytes());
            put16(&mut cd, (3 << 8) | 45);
            put16(&mut cd, 45);
            put32(&mut cd, 0);
            put32(&mut cd, 0);
            cd.extend_from_slice(&count.to_le_bytes());
            cd.extend_from_slice(&count.to_le_bytes());
            cd.extend_from_slice(&cd_size.to_le_bytes());
            cd.extend_from_slice(&cd_start.to_le_bytes());
            put32(&mut cd, ZIP64_LOCATOR);
            put32(&mut cd, 0);
            cd.extend_from_slice(&zip64_end_at.to_le_bytes());
            put32(&mut cd, 1);
        }
        put32(&mut cd, END_OF_CENTRAL);
        put16(&mut cd, 0);
        put16(&mut cd, 0);
        let short_count = if needs_zip64 { 0xFFFF } else { count as u16 };
        put16(&mut cd, short_count);
        put16(&mut cd, short_count);
        put32(&mut cd, clamp32(cd_size, needs_zip64));
        put32(&mut cd, clamp32(cd_start, needs_zip64));
        put16(&mut cd, 0);
        self.out.write_all(&cd)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

fn clamp32(v: u64, zip64: bool) -> u32 {
    if zip64 { u32::MAX } else { v as u32 }
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}

fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// Raw deflate of one whole entry into `out`, reusing the compressor's state.
fn deflate_into(c: &mut Compress, data: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
    c.reset();
    out.clear();
    out.reserve(data.len() + data.len() / 100 + 64);
    loop {
        let consumed = c.total_in() as usize;
        let status = c
            .compress_vec(&data[consumed..], out, FlushCompress::Finish)
            .map_err(io::Error::other)?;
        match status {
            Status::StreamEnd => return Ok(()),
            Status::Ok | Status::BufError => out.reserve(out.capacity().max(4096)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn sample() -> Vec<(String, Vec<u8>)> {
        (0..50)
            .map(|i| {
                let body = format!("<Faktura><P_2>FV/{i}</P_2>{}</Faktura>", "x".repeat(i * 37));
                (format!("faktura-{i}.xml"), body.into_bytes())
            })
            .collect()
    }

    fn write(format: ArchiveFormat) -> Vec<u8> {
        let mut a = ArchiveWriter::new(format, Vec::new());
        for (n, d) in sample() {
            a.add(&n, &d).unwrap();
        }
        a.finish().unwrap()
    }

    #[test]
    fn zip_stored_and_deflated_read_back() {
        for format in [ArchiveFormat::ZipStored, ArchiveFormat::ZipDeflate(1)] {
            let bytes = write(format);
            let mut z = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
            assert_eq!(z.len(), 50);
            for (i, (name, data)) in sample().into_iter().enumerate() {
                let mut f = z.by_index(i).unwrap();
                assert_eq!(f.name(), name);
                let mut got = Vec::new();
                f.read_to_end(&mut got).unwrap();
                assert_eq!(got, data);
            }
        }
    }

    #[test]
    fn tar_gz_reads_back() {
        let bytes = write(ArchiveFormat::TarGz(1));
        let gz = flate2::read::GzDecoder::new(&bytes[..]);
        let mut t = tar::Archive::new(gz);
        let mut seen = 0;
        for (entry, (name, data)) in t.entries().unwrap().zip(sample()) {
            let mut entry = entry.unwrap();
            assert_eq!(entry.path().unwrap().to_str().unwrap(), name);
            let mut got = Vec::new();
            entry.read_to_end(&mut got).unwrap();
            assert_eq!(got, data);
            seen += 1;
        }
        assert_eq!(seen, 50);
    }

    #[test]
    fn zip64_end_records_when_there_are_many_entries() {
        let mut a = ArchiveWriter::new(ArchiveFormat::ZipStored, Vec::new());
        for i in 0..70_000 {
            a.add(&format!("{i}.xml"), b"<a/>").unwrap();
        }
        let bytes = a.finish().unwrap();
        let z = zip::ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        assert_eq!(z.len(), 70_000);
    }
}
