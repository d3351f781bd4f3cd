//! The byte and character rules: size, BOM, UTF-8, forbidden characters; and line/column
//! arithmetic.

use super::{Location, MAX_SIZE, MAX_SIZE_WITH_ATTACHMENT, Problem, Rule};

/// At most this many problems of one rule are listed one by one; the rest are counted.
pub(crate) const MAX_PER_RULE: usize = 50;

/// The UTF-8 byte order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Start offsets of the lines of a text, for turning byte offsets into line and column.
#[derive(Debug)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// 1-based line and column (in characters) of a byte offset into `text`.
    pub(crate) fn line_col(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let column = text.as_bytes()[start..offset]
            .iter()
            .filter(|&&b| (b & 0xC0) != 0x80)
            .count()
            + 1;
        (to_u32(line), to_u32(column))
    }

    /// The byte range of a 1-based line.
    pub(crate) fn line_range(&self, line: usize, len: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        let end = self.starts.get(line).copied().unwrap_or(len);
        Some((start, end))
    }
}

pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Rule 1: the size limit, which depends on whether there is an attachment.
pub(crate) fn check_size(size: usize, has_attachment: bool, problems: &mut Vec<Problem>) {
    let (limit, what) = if has_attachment {
        (MAX_SIZE_WITH_ATTACHMENT, "an invoice with attachments")
    } else {
        (MAX_SIZE, "an invoice without attachments")
    };
    if size > limit {
        problems.push(Problem::new(
            Rule::Size,
            Location::default(),
            format!("the file has {size} bytes; {what} may have at most {limit} bytes"),
        ));
    }
}

/// Rule 2: UTF-8 without BOM. Returns the text to check further (BOM removed; invalid
/// sequences replaced by U+FFFD) and the number of bytes removed at the start.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    problems: &mut Vec<Problem>,
) -> (std::borrow::Cow<'a, str>, usize, bool) {
    let (body, shift) = match bytes.strip_prefix(BOM) {
        Some(rest) => {
            problems.push(Problem::new(
                Rule::Bom,
                Location {
                    byte_offset: Some(0),
                    line: Some(1),
                    column: Some(1),
                    xpath: None,
                },
                "the file starts with a byte order mark (EF BB BF); KSeF requires UTF-8 without BOM",
            ));
            (rest, BOM.len())
        }
        None => (bytes, 0),
    };
    match std::str::from_utf8(body) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), shift, true),
        Err(e) => {
            let offset = e.valid_up_to() + shift;
            let bad_len = e.error_len().unwrap_or(body.len() - e.valid_up_to());
            let bad: Vec<String> = body[e.valid_up_to()..]
                .iter()
                .take(bad_len.clamp(1, 4))
                .map(|b| format!("{b:02X}"))
                .collect();
            let valid = &body[..e.valid_up_to()];
            // The prefix is valid UTF-8, so the position can be given in characters too.
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            let index = LineIndex::new(prefix);
            let (line, column) = index.line_col(prefix, prefix.len());
            problems.push(Problem::new(
                Rule::Utf8,
                Location {
                    line: Some(line),
                    column: Some(column),
                    xpath: None,
                    byte_offset: Some(offset),
                },
                format!(
                    "invalid UTF-8 sequence (bytes {}){}",
                    bad.join(" "),
                    if e.error_len().is_none() {
                        " at the end of the file"
                    } else {
                        ""
                    }
                ),
            ));
            (String::from_utf8_lossy(body), shift, false)
        }
    }
}

/// Why a code point may not appear in an invoice, if it may not.
fn forbidden(c: char) -> Option<&'static str> {
    let cp = u32::from(c);
    match cp {
        0x09 | 0x0A | 0x0D => None,
        0x00..=0x1F => Some("is not allowed in XML 1.0"),
        0x20..=0x7E => None,
        0x7F..=0x84 | 0x86..=0x9F => Some("is a discouraged control character (XML 1.0 §2.2)"),
        0xFDD0..=0xFDEF => Some("is a discouraged non-character (XML 1.0 §2.2)"),
        0xFFFE | 0xFFFF => Some("is not allowed in XML 1.0"),
        _ if cp >= 0x1_FFFE && (cp & 0xFFFE) == 0xFFFE => {
            Some("is a discouraged non-character (XML 1.0 §2.2)")
        }
        _ => None,
    }
}

/// Whether `c` is excluded by XML 1.0 itself (so the document cannot be well-formed).
pub(crate) fn illegal_in_xml(c: char) -> bool {
    matches!(u32::from(c), 0x00..=0x08 | 0x0B | 0x0C | 0x0E..=0x1F | 0xFFFE | 0xFFFF)
}

/// Rule 5: no characters XML 1.0 forbids or discourages. `shift` is added to byte offsets
/// (the removed BOM); `exact` says whether offsets in `text` are offsets in the file.
pub(crate) fn check_characters(
    text: &str,
    shift: usize,
    exact: bool,
    problems: &mut Vec<Problem>,
) -> bool {
    let mut found = 0usize;
    let mut illegal = false;
    let mut lines: Option<LineIndex> = None;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Skip printable ASCII, tab, LF and CR: only other bytes can start a bad character.
        match bytes[i..]
            .iter()
            .position(|&b| !((0x20..0x7F).contains(&b) || b == b'\t' || b == b'\n' || b == b'\r'))
        {
            Some(p) => i += p,
            None => break,
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        if let Some(why) = forbidden(c) {
            illegal |= illegal_in_xml(c);
            found += 1;
            if found <= MAX_PER_RULE {
                let index = lines.get_or_insert_with(|| LineIndex::new(text));
                let (line, column) = index.line_col(text, i);
                problems.push(Problem::new(
                    Rule::ForbiddenCharacter,
                    Location {
                        line: Some(line),
                        column: Some(column),
                        xpath: None,
                        byte_offset: exact.then_some(i + shift),
                    },
                    format!("character U+{:04X} {why}", u32::from(c)),
                ));
            }
        }
        i += c.len_utf8();
    }
    if found > MAX_PER_RULE {
        problems.push(Problem::new(
            Rule::ForbiddenCharacter,
            Location::default(),
            format!(
                "{} more forbidden characters not listed",
                found - MAX_PER_RULE
            ),
        ));
    }
    illegal
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn forbidden_ranges() {
        for cp in [
            0x00, 0x08, 0x0B, 0x1F, 0x7F, 0x84, 0x86, 0x9F, 0xFDD0, 0xFDEF, 0xFFFE, 0x1FFFE,
            0x10FFFF,
        ] {
            let c = char::from_u32(cp).unwrap();
            assert!(forbidden(c).is_some(), "{cp:X}");
        }
        for cp in [
            0x09, 0x0A, 0x0D, 0x20, 0x85, 0xA0, 0xFDCF, 0xFDF0, 0xFFFD, 0x1FFFD, 0x10000,
        ] {
            let c = char::from_u32(cp).unwrap();
            assert!(forbidden(c).is_none(), "{cp:X}");
        }
    }

    #[test]
    fn line_columns() {
        let text = "ab\nżółw\nx";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0), (1, 1));
        assert_eq!(index.line_col(text, 3), (2, 1));
        assert_eq!(index.line_col(text, text.find('w').unwrap()), (2, 4));
        assert_eq!(index.line_col(text, text.len()), (3, 2));
    }
}
