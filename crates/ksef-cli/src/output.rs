//! What the commands print: aligned tables, JSON, times in Europe/Warsaw.

use std::io::Write as _;

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Warsaw;
use ksef_offline::ObligationSummary;
use serde::Serialize;

/// A table printed with aligned columns (the last column is not padded).
#[derive(Debug)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, ending with a newline.
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: &mut dyn Iterator<Item = &str>| {
            let mut s = String::new();
            for (i, c) in cells.enumerate().take(n) {
                if i + 1 < n {
                    s.push_str(c);
                    let pad = widths[i].saturating_sub(c.chars().count()) + 2;
                    s.extend(std::iter::repeat_n(' ', pad));
                } else {
                    s.push_str(c);
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        line(&mut self.headers.iter().copied());
        for r in &self.rows {
            let mut cells = r
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat(""))
                .take(n);
            line(&mut cells);
        }
        out
    }

    /// Prints the table to standard output.
    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// An instant in Warsaw time, e.g. `2025-07-09 23:59:59 CEST`.
pub fn warsaw(at: DateTime<Utc>) -> String {
    at.with_timezone(&Warsaw)
        .format("%Y-%m-%d %H:%M:%S %Z")
        .to_string()
}

/// An optional instant in Warsaw time, `-` when absent.
pub fn warsaw_opt(at: Option<DateTime<Utc>>) -> String {
    at.map(warsaw).unwrap_or_else(|| "-".into())
}

/// The due date of an obligation, or `pending` / `not required`.
pub fn due_date(o: ObligationSummary) -> String {
    match o {
        ObligationSummary::Due { due_date, .. } => due_date.to_string(),
        ObligationSummary::Pending => "pending".into(),
        ObligationSummary::NotRequired => "not required".into(),
    }
}

/// An obligation in words: `due 2025-07-09 (by 2025-07-09 23:59:59 CEST)`.
pub fn obligation(o: ObligationSummary) -> String {
    match o {
        ObligationSummary::Due { due_date, deadline } => {
            format!("due {due_date} (by {})", warsaw(deadline))
        }
        ObligationSummary::Pending => "pending (a governing outage has not ended)".into(),
        ObligationSummary::NotRequired => "not required (total failure)".into(),
    }
}

/// A span of time in words: `2d 3h`, `45m`, `overdue by 1h 5m`.
pub fn time_left(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    let secs = (to - from).num_seconds();
    let (prefix, secs) = if secs < 0 {
        ("overdue by ", -secs)
    } else {
        ("", secs)
    };
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    let body = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else {
        format!("{m}m")
    };
    format!("{prefix}{body}")
}

/// `-` for an absent value.
pub fn or_dash(s: Option<&str>) -> String {
    s.unwrap_or("-").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align() {
        let mut t = Table::new(&["id", "state", "number"]);
        t.row(vec!["a".into(), "queued".into(), "FV/1".into()]);
        t.row(vec!["bbbb".into(), "accepted".into()]);
        assert_eq!(
            t.render(),
            "id    state     number\na     queued    FV/1\nbbbb  accepted\n"
        );
    }

    #[test]
    fn warsaw_times() {
        let t: DateTime<Utc> = "2025-07-09T21:59:59Z".parse().expect("t");
        assert_eq!(warsaw(t), "2025-07-09 23:59:59 CEST");
        let later: DateTime<Utc> = "2025-07-11T23:59:59Z".parse().expect("t");
        assert_eq!(time_left(t, later), "2d 2h");
        assert_eq!(time_left(later, t), "overdue by 2d 2h");
    }
}
