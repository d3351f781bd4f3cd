//! One streaming pass with quick-xml: the prolog, processing instructions, the element tree
//! (for element paths) and the raw text of the key fields.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::rules::{LineIndex, MAX_PER_RULE, to_u32};
use super::{Location, Problem, Rule};

/// No parent.
const ROOT: u32 = u32::MAX;

/// One element start tag.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Element {
    /// Offset of `<` in the text.
    pub offset: usize,
    /// Byte range of the local name in the text.
    pub name: (usize, usize),
    /// Index of the parent element, or [`ROOT`].
    pub parent: u32,
    /// 1-based position among the siblings with the same local name.
    pub index: u32,
}

/// The key fields, as text, each with the element it came from.
#[derive(Debug, Default)]
pub(crate) struct RawFields {
    pub seller_nip: Option<(String, usize)>,
    pub buyer_nip: Option<(String, usize)>,
    pub third_nips: Vec<(String, usize)>,
    pub third_internal_ids: Vec<(String, usize)>,
    pub authorised_nip: Option<(String, usize)>,
    pub currency: Option<(String, usize)>,
    pub issue_date: Option<(String, usize)>,
    pub number: Option<(String, usize)>,
    pub total: Option<(String, usize)>,
    pub kind: Option<(String, usize)>,
    pub has_attachment: bool,
}

#[derive(Debug, Clone, Copy)]
enum Field {
    SellerNip,
    BuyerNip,
    ThirdNip,
    ThirdInternalId,
    AuthorisedNip,
    Currency,
    IssueDate,
    Number,
    Total,
    Kind,
}

/// What the pass found.
#[derive(Debug)]
pub(crate) struct Scan<'t> {
    pub text: &'t str,
    lines: std::cell::OnceCell<LineIndex>,
    pub elements: Vec<Element>,
    pub fields: RawFields,
    /// Problems of the prolog and processing instruction rules.
    pub problems: Vec<Problem>,
    /// The first well-formedness error quick-xml found (the pass stops there).
    pub malformed: Option<Problem>,
}

impl<'t> Scan<'t> {
    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(self.text))
    }

    /// The local name of an element.
    pub fn name(&self, e: &Element) -> &'t str {
        self.text.get(e.name.0..e.name.1).unwrap_or("")
    }

    /// The local name of the `k`-th ancestor of an element (1 = parent), or `""`.
    pub fn ancestor(&self, index: usize, k: usize) -> &'t str {
        let mut i = index;
        for _ in 0..k {
            match self.elements.get(i) {
                Some(e) if e.parent != ROOT => i = e.parent as usize,
                _ => return "",
            }
        }
        self.elements.get(i).map(|e| self.name(e)).unwrap_or("")
    }

    /// `/Faktura/Fa/FaWiersz[2]/P_7`.
    pub fn xpath(&self, index: usize) -> String {
        let mut chain = Vec::new();
        let mut i = index;
        while let Some(e) = self.elements.get(i) {
            chain.push(e);
            if e.parent == ROOT {
                break;
            }
            i = e.parent as usize;
        }
        let mut path = String::new();
        for e in chain.iter().rev() {
            path.push('/');
            path.push_str(self.name(e));
            if e.index > 1 {
                path.push_str(&format!("[{}]", e.index));
            }
        }
        path
    }

    /// Line, column and path of an element.
    pub fn element_location(&self, index: usize) -> Location {
        let Some(e) = self.elements.get(index) else {
            return Location::default();
        };
        let (line, column) = self.lines().line_col(self.text, e.offset);
        Location {
            line: Some(line),
            column: Some(column),
            xpath: Some(self.xpath(index)),
            byte_offset: None,
        }
    }

    /// Location of a byte offset in the text.
    pub fn offset_location(&self, offset: usize) -> Location {
        let (line, column) = self.lines().line_col(self.text, offset);
        Location {
            line: Some(line),
            column: Some(column),
            xpath: None,
            byte_offset: None,
        }
    }

    /// The first element at the path of local names `path` (from the root), if any.
    pub fn find_path(&self, path: &[&str]) -> Option<usize> {
        let (last, parents) = path.split_last()?;
        (0..self.elements.len()).find(|&i| {
            self.name(&self.elements[i]) == *last
                && parents
                    .iter()
                    .rev()
                    .enumerate()
                    .all(|(k, p)| self.ancestor(i, k + 1) == *p)
                && self.ancestor(i, parents.len() + 1).is_empty()
        })
    }

    /// The first element with local name `name` starting on 1-based `line`.
    pub fn find_on_line(&self, line: usize, name: &str) -> Option<usize> {
        let (start, end) = self.lines().line_range(line, self.text.len())?;
        let first = self.elements.partition_point(|e| e.offset < start);
        self.elements[first..]
            .iter()
            .take_while(|e| e.offset < end)
            .position(|e| self.name(e) == name)
            .map(|p| p + first)
    }
}

/// Per open element: its index, and where the counts of its children start in the shared
/// sibling stack.
struct Frame {
    element: u32,
    children: usize,
}

/// Runs the pass over `text`.
pub(crate) fn scan(text: &str) -> Scan<'_> {
    let mut scan = Scan {
        text,
        lines: std::cell::OnceCell::new(),
        elements: Vec::with_capacity(text.len() / 40),
        fields: RawFields::default(),
        problems: Vec::new(),
        malformed: None,
    };
    let mut reader = Reader::from_str(text);
    reader.config_mut().enable_all_checks(true);
    let mut stack: Vec<Frame> = Vec::with_capacity(16);
    // Names of the children of the open elements so far, with counts; each frame owns the
    // tail from its `children` on.
    let mut siblings: Vec<((usize, usize), u32)> = Vec::with_capacity(64);
    let mut top = Frame {
        element: ROOT,
        children: 0,
    };
    let mut capture: Option<(Field, usize, usize)> = None; // field, element, depth
    let mut value = String::new();
    let mut pis = 0usize;
    let mut roots = 0usize;
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(0);
                let mut location = scan.offset_location(at);
                if top.element != ROOT {
                    location.xpath = Some(scan.xpath(top.element as usize));
                }
                scan.malformed = Some(Problem::new(
                    Rule::WellFormed,
                    location,
                    format!("not well-formed XML: {e}"),
                ));
                break;
            }
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if stack.is_empty() {
                    roots += 1;
                }
                if let Err(problem) = check_attributes(&scan, e, start) {
                    scan.malformed = Some(problem);
                    break;
                }
                let qname_len = e.name().as_ref().len();
                let name_start = start + 1;
                let local_len = e.local_name().as_ref().len();
                let name = (name_start + qname_len - local_len, name_start + qname_len);
                let local = text.get(name.0..name.1).unwrap_or("");
                let index = match siblings
                    .get_mut(top.children..)
                    .unwrap_or_default()
                    .iter_mut()
                    .find(|(n, _)| text.get(n.0..n.1) == Some(local))
                {
                    Some((_, count)) => {
                        *count += 1;
                        *count
                    }
                    None => {
                        siblings.push((name, 1));
                        1
                    }
                };
                let element = scan.elements.len();
                scan.elements.push(Element {
                    offset: start,
                    name,
                    parent: top.element,
                    index,
                });
                let depth = stack.len() + 1;
                if depth == 2 && local == "Zalacznik" && scan.ancestor(element, 1) == "Faktura" {
                    scan.fields.has_attachment = true;
                }
                if capture.is_none()
                    && let Some(field) = field_at(&scan, element, local, depth)
                {
                    capture = Some((field, element, depth));
                    value.clear();
                }
                if empty {
                    if let Some((field, element, d)) = capture
                        && d == depth
                    {
                        store(&mut scan.fields, field, String::new(), element);
                        capture = None;
                    }
                } else {
                    stack.push(std::mem::replace(
                        &mut top,
                        Frame {
                            element: to_u32(element),
                            children: siblings.len(),
                        },
                    ));
                }
            }
            Event::End(_) => {
                let depth = stack.len();
                if let Some((field, element, d)) = capture
                    && d == depth
                {
                    store(&mut scan.fields, field, std::mem::take(&mut value), element);
                    capture = None;
                }
                siblings.truncate(top.children);
                match stack.pop() {
                    Some(parent) => top = parent,
                    None => break,
                }
            }
            Event::Text(t) => {
                if capture.is_some() {
                    value.push_str(&t.decode().unwrap_or_default());
                }
            }
            Event::CData(t) => {
                if capture.is_some() {
                    value.push_str(&t.decode().unwrap_or_default());
                }
            }
            Event::GeneralRef(r) => {
                if capture.is_some() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => value.push(c),
                        _ => {
                            let name = r.decode().unwrap_or_default();
                            match &*name {
                                "lt" => value.push('<'),
                                "gt" => value.push('>'),
                                "amp" => value.push('&'),
                                "apos" => value.push('\''),
                                "quot" => value.push('"'),
                                other => {
                                    value.push('&');
                                    value.push_str(other);
                                    value.push(';');
                                }
                            }
                        }
                    }
                }
            }
            Event::Decl(d) => {
                if start != 0 {
                    scan.malformed = Some(Problem::new(
                        Rule::WellFormed,
                        scan.offset_location(start),
                        "the XML declaration must be at the very start of the file",
                    ));
                    break;
                }
                let raw: &str = text.get(start..reader_pos(&reader)).unwrap_or("");
                match d.version() {
                    Ok(v) if v.as_ref() == b"1.0" => {}
                    Ok(v) => {
                        let at = raw.find("version").unwrap_or(0) + start;
                        let mut location = scan.offset_location(at);
                        location.byte_offset = Some(at);
                        scan.problems.push(Problem::new(
                            Rule::PrologVersion,
                            location,
                            format!(
                                "the XML declaration says version {:?}; KSeF requires XML 1.0",
                                String::from_utf8_lossy(&v)
                            ),
                        ));
                    }
                    Err(e) => {
                        scan.problems.push(Problem::new(
                            Rule::PrologVersion,
                            scan.offset_location(start),
                            format!("the XML declaration has no readable version: {e}"),
                        ));
                    }
                }
                if let Some(encoding) = d.encoding() {
                    let message = match encoding {
                        Ok(enc) if enc.eq_ignore_ascii_case(b"UTF-8") => None,
                        Ok(enc) => Some(format!(
                            "the XML declaration says encoding {:?}; only UTF-8 is allowed",
                            String::from_utf8_lossy(&enc)
                        )),
                        Err(e) => Some(format!(
                            "the encoding in the XML declaration cannot be read: {e}"
                        )),
                    };
                    if let Some(message) = message {
                        let at = raw.find("encoding").unwrap_or(0) + start;
                        let mut location = scan.offset_location(at);
                        location.byte_offset = Some(at);
                        scan.problems
                            .push(Problem::new(Rule::PrologEncoding, location, message));
                    }
                }
            }
            Event::PI(p) => {
                pis += 1;
                if pis <= MAX_PER_RULE {
                    let mut location = scan.offset_location(start);
                    location.byte_offset = Some(start);
                    if top.element != ROOT {
                        location.xpath = Some(scan.xpath(top.element as usize));
                    }
                    scan.problems.push(Problem::new(
                        Rule::ProcessingInstruction,
                        location,
                        format!(
                            "processing instruction <?{} ...?> is not allowed",
                            String::from_utf8_lossy(p.target())
                        ),
                    ));
                }
            }
            Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => {
                if !stack.is_empty() {
                    let location = scan.element_location(top.element as usize);
                    scan.malformed = Some(Problem::new(
                        Rule::WellFormed,
                        location,
                        "the file ends before this element is closed",
                    ));
                } else if roots == 0 {
                    scan.malformed = Some(Problem::new(
                        Rule::WellFormed,
                        scan.offset_location(text.len()),
                        "the file has no root element",
                    ));
                }
                break;
            }
        }
    }
    if pis > MAX_PER_RULE {
        scan.problems.push(Problem::new(
            Rule::ProcessingInstruction,
            Location::default(),
            format!(
                "{} more processing instructions not listed",
                pis - MAX_PER_RULE
            ),
        ));
    }
    scan
}

fn reader_pos(reader: &Reader<&[u8]>) -> usize {
    usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

/// Reads every attribute, which makes quick-xml check them (duplicates, quoting).
fn check_attributes(scan: &Scan<'_>, e: &BytesStart<'_>, start: usize) -> Result<(), Problem> {
    for attr in e.attributes() {
        if let Err(err) = attr {
            return Err(Problem::new(
                Rule::WellFormed,
                scan.offset_location(start),
                format!("not well-formed XML: {err}"),
            ));
        }
    }
    Ok(())
}

/// Which key field, if any, is the element `element` (local name `local`, at `depth`, root = 1).
fn field_at(scan: &Scan<'_>, element: usize, local: &str, depth: usize) -> Option<Field> {
    let anc = |k: usize| scan.ancestor(element, k);
    match depth {
        3 if anc(1) == "Fa" && anc(2) == "Faktura" => match local {
            "KodWaluty" => Some(Field::Currency),
            "P_1" => Some(Field::IssueDate),
            "P_2" => Some(Field::Number),
            "P_15" => Some(Field::Total),
            "RodzajFaktury" => Some(Field::Kind),
            _ => None,
        },
        4 if anc(1) == "DaneIdentyfikacyjne" && anc(3) == "Faktura" => match (anc(2), local) {
            ("Podmiot1", "NIP") => Some(Field::SellerNip),
            ("Podmiot2", "NIP") => Some(Field::BuyerNip),
            ("Podmiot3", "NIP") => Some(Field::ThirdNip),
            ("Podmiot3", "IDWew") => Some(Field::ThirdInternalId),
            ("PodmiotUpowazniony", "NIP") => Some(Field::AuthorisedNip),
            _ => None,
        },
        _ => None,
    }
}

fn store(fields: &mut RawFields, field: Field, value: String, element: usize) {
    let slot = match field {
        Field::SellerNip => &mut fields.seller_nip,
        Field::BuyerNip => &mut fields.buyer_nip,
        Field::AuthorisedNip => &mut fields.authorised_nip,
        Field::Currency => &mut fields.currency,
        Field::IssueDate => &mut fields.issue_date,
        Field::Number => &mut fields.number,
        Field::Total => &mut fields.total,
        Field::Kind => &mut fields.kind,
        Field::ThirdNip => {
            fields.third_nips.push((value, element));
            return;
        }
        Field::ThirdInternalId => {
            fields.third_internal_ids.push((value, element));
            return;
        }
    };
    // The first occurrence counts; the schema reports repeats.
    if slot.is_none() {
        *slot = Some((value, element));
    }
}
