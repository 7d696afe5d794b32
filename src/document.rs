//! Reading TOML documents into validated domain types while collecting *every* problem.
//!
//! serde stops at the first error; a ticket with five mistakes deserves five messages. So
//! files are parsed into toml's spanned tree, and a [`Reader`] walks it: each accessor
//! checks a type, converts, and on failure records a [`Diagnostic`] and returns `None`, so
//! the caller carries on. [`Fields::finish`] reports keys nobody asked for (typos).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, MAX_PROBLEMS, SourceFile, closest};

pub type Value<'i> = Spanned<DeValue<'i>>;

/// Collects problems found while reading one file.
pub struct Reader {
    pub file: SourceFile,
    code: &'static str,
    pub problems: Vec<Diagnostic>,
}

/// A table being read: remembers which keys were consumed, to report the others.
pub struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
    /// Dotted path for messages, e.g. `rollback` or `change[2]`; empty at the top level.
    path: String,
    seen: Vec<&'static str>,
}

impl Reader {
    pub fn new(file: SourceFile, code: &'static str) -> Self {
        Self {
            file,
            code,
            problems: Vec::new(),
        }
    }

    /// Parses `text` (the file's own text), reporting every syntax error. `None` if there
    /// were any.
    pub fn parse<'i>(&mut self, text: &'i str) -> Option<Spanned<DeTable<'i>>> {
        let (root, errors) = DeTable::parse_recoverable(text);
        for error in &errors {
            let span = error.span().unwrap_or(0..0);
            let message = error.message().trim().trim_end_matches('.').to_string();
            self.error(
                span,
                format!("this is not valid TOML: {message}"),
                "here",
                None,
            );
        }
        if !errors.is_empty() {
            return None;
        }
        Some(root)
    }

    pub fn error(
        &mut self,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        if self.problems.len() > MAX_PROBLEMS {
            return;
        }
        let mut diagnostic = Diagnostic::new(self.code, message).at(&self.file, span, label);
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// Records a problem; past [`MAX_PROBLEMS`], one note says that reading stopped.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        match self.problems.len() {
            n if n < MAX_PROBLEMS => self.problems.push(diagnostic),
            n if n == MAX_PROBLEMS => self.problems.push(Diagnostic::new(
                self.code,
                format!(
                    "stopped after {MAX_PROBLEMS} problems in `{}`; fix these and run again",
                    self.file.name
                ),
            )),
            _ => {}
        }
    }

    /// The text at a span, for messages.
    pub fn text(&self, span: &Range<usize>) -> &str {
        self.file.text.get(span.clone()).unwrap_or("")
    }

    /// Opens the top-level table.
    pub fn root<'a, 'i>(&self, root: &'a Spanned<DeTable<'i>>) -> Fields<'a, 'i> {
        Fields {
            table: root.get_ref(),
            span: 0..0,
            path: String::new(),
            seen: Vec::new(),
        }
    }

    /// Requires a value to be a table and opens it.
    pub fn table<'a, 'i>(&mut self, value: &'a Value<'i>, path: String) -> Option<Fields<'a, 'i>> {
        match value.get_ref() {
            DeValue::Table(table) => Some(Fields {
                table,
                span: value.span(),
                path,
                seen: Vec::new(),
            }),
            other => {
                self.wrong_type(value, &path, "a table", other);
                None
            }
        }
    }

    pub fn string(&mut self, value: &Value<'_>, path: &str) -> Option<Spanned<String>> {
        match value.get_ref() {
            // Control characters (a terminal's escape sequences among them) would reach the
            // screens where people review and approve: text is text.
            DeValue::String(s) if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
                let c = s
                    .chars()
                    .find(|c| c.is_control() && *c != '\n' && *c != '\t');
                self.error(
                    value.span(),
                    format!(
                        "`{path}` holds the control character U+{:04X}; only text, tabs and newlines are allowed",
                        c.map_or(0, u32::from)
                    ),
                    "here",
                    None,
                );
                None
            }
            DeValue::String(s) => Some(Spanned::new(value.span(), s.to_string())),
            other => {
                self.wrong_type(value, path, "a string", other);
                None
            }
        }
    }

    /// A string that must not be blank.
    pub fn text_field(&mut self, value: &Value<'_>, path: &str) -> Option<Spanned<String>> {
        let s = self.string(value, path)?;
        if s.get_ref().trim().is_empty() {
            self.error(
                value.span(),
                format!("`{path}` is empty"),
                "write something here",
                None,
            );
            return None;
        }
        Some(s)
    }

    pub fn bool(&mut self, value: &Value<'_>, path: &str) -> Option<bool> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.wrong_type(value, path, "`true` or `false`", other);
                None
            }
        }
    }

    pub fn integer(&mut self, value: &Value<'_>, path: &str) -> Option<i64> {
        match value.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(
                &i.as_str()
                    .replace('_', "")
                    .replace("0x", "")
                    .replace("0o", "")
                    .replace("0b", ""),
                i.radix(),
            ) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.error(value.span(), format!("`{path}` is too large"), "here", None);
                    None
                }
            },
            other => {
                self.wrong_type(value, path, "a whole number", other);
                None
            }
        }
    }

    /// An array whose items are each read with `item`; bad items are reported and skipped.
    pub fn array<'a, 'i, T>(
        &mut self,
        value: &'a Value<'i>,
        path: &str,
        mut item: impl FnMut(&mut Self, &'a Value<'i>, String) -> Option<T>,
    ) -> Option<Vec<T>> {
        match value.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (index, value) in items.iter().enumerate() {
                    match item(self, value, format!("{path}[{index}]")) {
                        Some(v) => out.push(v),
                        None => ok = false,
                    }
                }
                ok.then_some(out)
            }
            other => {
                self.wrong_type(value, path, "an array", other);
                None
            }
        }
    }

    /// One string or an array of strings, each converted with `parse`.
    pub fn one_or_many<T>(
        &mut self,
        value: &Value<'_>,
        path: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Vec<Spanned<T>>> {
        match value.get_ref() {
            DeValue::Array(_) => self.array(value, path, |r, v, p| r.parsed(v, &p, &parse)),
            _ => self.parsed(value, path, &parse).map(|v| vec![v]),
        }
    }

    /// A string converted by a domain parser; its error becomes the message.
    pub fn parsed<T>(
        &mut self,
        value: &Value<'_>,
        path: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<Spanned<T>> {
        let s = self.string(value, path)?;
        match parse(s.get_ref()) {
            Ok(v) => Some(Spanned::new(value.span(), v)),
            Err(message) => {
                self.error(
                    value.span(),
                    format!("invalid `{path}`: {message}"),
                    "here",
                    None,
                );
                None
            }
        }
    }

    /// An offset date-time such as `2025-02-25T14:00:00Z`.
    pub fn timestamp(&mut self, value: &Value<'_>, path: &str) -> Option<Spanned<jiff::Timestamp>> {
        let help = "write a date, a time and an offset, e.g. `2025-02-25T14:00:00Z`";
        match value.get_ref() {
            DeValue::Datetime(dt)
                if dt.date.is_some() && dt.time.is_some() && dt.offset.is_some() =>
            {
                match dt.to_string().parse::<jiff::Timestamp>() {
                    Ok(ts) => Some(Spanned::new(value.span(), ts)),
                    Err(e) => {
                        self.error(
                            value.span(),
                            format!("invalid `{path}`: {e}"),
                            "here",
                            Some(help.into()),
                        );
                        None
                    }
                }
            }
            DeValue::Datetime(_) => {
                self.error(
                    value.span(),
                    format!("`{path}` needs a full date, time and UTC offset"),
                    "no offset or no time here",
                    Some(help.into()),
                );
                None
            }
            other => {
                self.wrong_type(value, path, "a date-time", other);
                None
            }
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, path: &str, expected: &str, found: &DeValue<'_>) {
        let found = match found {
            DeValue::Table(_) => "a table",
            DeValue::Array(_) => "an array",
            DeValue::String(_) => "a string",
            DeValue::Integer(_) => "an integer",
            DeValue::Float(_) => "a float",
            DeValue::Boolean(_) => "a boolean",
            DeValue::Datetime(_) => "a date-time",
        };
        self.error(
            value.span(),
            format!("`{path}` must be {expected}, not {found}"),
            format!("expected {expected}"),
            None,
        );
    }
}

impl<'a, 'i> Fields<'a, 'i> {
    /// The dotted path of a key in this table, for messages.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// An optional key.
    pub fn get(&mut self, key: &'static str) -> Option<&'a Value<'i>> {
        self.seen.push(key);
        self.table.get(key)
    }

    /// A required key: its absence is reported at the table.
    pub fn require(
        &mut self,
        reader: &mut Reader,
        key: &'static str,
        example: &str,
    ) -> Option<&'a Value<'i>> {
        let value = self.get(key);
        if value.is_none() {
            let path = self.path_of(key);
            let (span, label) = if self.path.is_empty() {
                (0..0, "in this file".to_string())
            } else {
                (self.span.clone(), format!("in `{}`", self.path))
            };
            reader.error(
                span,
                format!("`{path}` is missing"),
                label,
                Some(format!("add it, e.g. `{key} = {example}`")),
            );
        }
        value
    }

    /// Reports every key that was not asked for, with the closest known key as a hint.
    pub fn finish(self, reader: &mut Reader) {
        for (key, _) in self.table.iter() {
            let name: &str = key.get_ref();
            if self.seen.contains(&name) {
                continue;
            }
            let known = self
                .seen
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = match closest(name, self.seen.iter().copied()) {
                Some(suggestion) => {
                    format!("did you mean `{suggestion}`? known keys here: {known}")
                }
                None => format!("known keys here: {known}"),
            };
            let place = if self.path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{}`", self.path)
            };
            reader.error(
                key.span(),
                format!("unknown key `{}` {place}", self.path_of(name)),
                "not a known key",
                Some(help),
            );
        }
    }
}
