//! RFC 1035 master files, read in one pass for size: `$ORIGIN`, `$TTL`, `$INCLUDE`,
//! parentheses, comments, quoted strings and escapes, `@`, blank owners, relative names, TTL
//! and class in either order, the common types and RFC 3597 unknown types. Every problem is
//! reported with file, line and column, and reading goes on to find the others.

use super::files::{self, Budget, Files};
use super::lexer::{Entry, Lexer};
use super::rdata::{self, Field};
use super::{MAX_PROBLEMS, Origin, Record};
use crate::diag::{Diagnostic, SourceFile};
use crate::model::{Fqdn, RecordType};

const MAX_INCLUDE_DEPTH: usize = 16;

/// Reads the zone `zone` from `path` (and its `$INCLUDE`s). File names are appended to
/// `file_names`; records refer to them by index.
pub fn read_zone_file(
    files: &dyn Files,
    path: &str,
    zone: &Fqdn,
    file_names: &mut Vec<String>,
) -> Result<Vec<Record>, Vec<Diagnostic>> {
    let mut reader = Reader {
        files,
        zone: zone.clone(),
        records: Vec::new(),
        problems: Vec::new(),
        default_ttl: None,
        last_ttl: None,
        stack: Vec::new(),
        budget: Budget::default(),
        file_names,
    };
    reader.read(path, zone.as_str().to_string(), None);
    if reader.problems.is_empty() {
        Ok(reader.records)
    } else {
        super::note_if_stopped(&mut reader.problems, &files.display(path));
        Err(reader.problems)
    }
}

struct Reader<'f> {
    files: &'f dyn Files,
    zone: Fqdn,
    records: Vec<Record>,
    problems: Vec<Diagnostic>,
    default_ttl: Option<u32>,
    /// The TTL of the last record, for records without one when there is no `$TTL`.
    last_ttl: Option<u32>,
    /// Files being read, for `$INCLUDE` cycles.
    stack: Vec<String>,
    /// Files and bytes read so far, includes counted.
    budget: Budget,
    file_names: &'f mut Vec<String>,
}

/// A problem in the file being read: message, byte offset, hint.
type Problem = (String, usize, Option<String>);

impl Reader<'_> {
    fn read(&mut self, path: &str, mut origin: String, included_from: Option<(&str, &str, usize)>) {
        if self.stack.iter().any(|p| p == path) || self.stack.len() >= MAX_INCLUDE_DEPTH {
            if let Some((name, text, at)) = included_from {
                let message = if self.stack.len() >= MAX_INCLUDE_DEPTH {
                    format!("`$INCLUDE` nests deeper than {MAX_INCLUDE_DEPTH} files")
                } else {
                    format!("`$INCLUDE {path}` includes itself")
                };
                self.problems
                    .push(Diagnostic::new("zone-invalid", message).at(
                        &SourceFile::new(name, text),
                        at..at,
                        "here",
                    ));
            }
            return;
        }
        let text = match self
            .files
            .read_bytes(path)
            .map(files::master_text)
            .and_then(|text| {
                if included_from.is_some() {
                    self.budget.spend(text.len())?;
                }
                Ok(text)
            }) {
            Ok(text) => text,
            Err(e) => {
                let d = Diagnostic::new(
                    "zone-invalid",
                    format!("cannot read the zone file `{path}`: {e}"),
                );
                self.problems.push(match included_from {
                    Some((name, text, at)) => {
                        d.at(&SourceFile::new(name, text), at..at, "included here")
                    }
                    None => d,
                });
                return;
            }
        };
        let file = self.file_names.len() as u32;
        self.file_names.push(self.files.display(path));
        self.stack.push(path.to_string());
        let mut lexer = Lexer::new(&text);
        let mut owner: Option<Fqdn> = None;
        let mut bad: Vec<Problem> = Vec::new();
        loop {
            if self.problems.len() + bad.len() >= MAX_PROBLEMS {
                break;
            }
            let entry = match lexer.next_entry() {
                Ok(Some(entry)) => entry,
                Ok(None) => break,
                Err((message, at)) => {
                    bad.push((message, at, None));
                    break;
                }
            };
            let first = entry.tokens[0];
            if !entry.blank_owner && first.text.starts_with('$') {
                let directive = first.text.to_ascii_uppercase();
                let arg = entry.tokens.get(1);
                match (directive.as_str(), arg) {
                    ("$ORIGIN", Some(arg)) => match rdata::absolute_name(arg.text, &origin) {
                        Ok(name) => origin = name.trim_end_matches('.').to_string(),
                        Err(e) => bad.push((e, arg.start, None)),
                    },
                    ("$TTL", Some(arg)) => match rdata::record_ttl(arg.text) {
                        Ok(ttl) => self.default_ttl = Some(ttl),
                        Err(e) => bad.push((e, arg.start, None)),
                    },
                    ("$INCLUDE", Some(arg)) => {
                        let include_origin = match entry.tokens.get(2) {
                            Some(o) => match rdata::absolute_name(o.text, &origin) {
                                Ok(name) => name.trim_end_matches('.').to_string(),
                                Err(e) => {
                                    bad.push((e, o.start, None));
                                    continue;
                                }
                            },
                            None => origin.clone(),
                        };
                        let target = match files::join(path, arg.text) {
                            Ok(target) => target,
                            Err(e) => {
                                bad.push((e, arg.start, None));
                                continue;
                            }
                        };
                        let name = self.files.display(path);
                        self.read(&target, include_origin, Some((&name, &text, first.start)));
                    }
                    ("$GENERATE", _) => bad.push((
                        "`$GENERATE` is not supported".into(),
                        first.start,
                        Some("expand the generated records in the file".into()),
                    )),
                    (_, None) => bad.push((
                        format!("`{}` needs an argument", first.text),
                        first.start,
                        None,
                    )),
                    _ => bad.push((
                        format!("unknown directive `{}`", first.text),
                        first.start,
                        Some("the directives are `$ORIGIN`, `$TTL` and `$INCLUDE`".into()),
                    )),
                }
                continue;
            }
            match self.record(&entry, &origin, &mut owner, file) {
                Ok(()) => {}
                Err(problem) => bad.push(problem),
            }
        }
        self.stack.pop();
        if !bad.is_empty() {
            let source = SourceFile::new(self.files.display(path), text.as_str());
            for (message, at, help) in bad {
                let end = source.text[at.min(source.text.len())..]
                    .find(['\n', ' ', '\t'])
                    .map_or(source.text.len(), |n| at + n.max(1));
                let mut d = Diagnostic::new("zone-invalid", message).at(&source, at..end, "here");
                d.help = help;
                self.problems.push(d);
            }
        }
    }

    fn record(
        &mut self,
        entry: &Entry<'_, '_>,
        origin: &str,
        owner: &mut Option<Fqdn>,
        file: u32,
    ) -> Result<(), Problem> {
        let tokens = entry.tokens;
        let mut i = 0;
        if !entry.blank_owner {
            let name = rdata::absolute_name(tokens[0].text, origin)
                .map_err(|e| (e, tokens[0].start, None))?;
            let name = Fqdn::from_normalised(name.trim_end_matches('.').to_string());
            if !name.is_in(&self.zone) {
                return Err((
                    format!("`{name}` is outside the zone `{}`", self.zone),
                    tokens[0].start,
                    Some("a zone file holds only names in its zone; check `$ORIGIN` and trailing dots".into()),
                ));
            }
            *owner = Some(name);
            i = 1;
        }
        let Some(name) = owner.clone() else {
            return Err((
                "this record has no owner name and no earlier record to take it from".into(),
                entry.start,
                None,
            ));
        };
        let mut ttl = None;
        for _ in 0..2 {
            let Some(token) = tokens.get(i) else { break };
            if token.quoted {
                // A quoted word is never a TTL, a class or a type.
                break;
            }
            if token
                .text
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_digit)
            {
                ttl = Some(rdata::record_ttl(token.text).map_err(|e| (e, token.start, None))?);
            } else if token.text.eq_ignore_ascii_case("IN")
                || token.text.eq_ignore_ascii_case("CLASS1")
            {
            } else if ["CH", "HS", "CS", "ANY"]
                .iter()
                .any(|c| token.text.eq_ignore_ascii_case(c))
            {
                return Err((
                    format!(
                        "class `{}` is not supported; zones here are class IN",
                        token.text
                    ),
                    token.start,
                    None,
                ));
            } else {
                break;
            }
            i += 1;
        }
        let Some(type_token) = tokens.get(i) else {
            return Err((
                "this record has no type".into(),
                tokens[i - 1].start,
                Some("write e.g. `www 300 IN A 192.0.2.1`".into()),
            ));
        };
        let rtype = RecordType::parse(type_token.text).map_err(|e| (e, type_token.start, None))?;
        let fields: Vec<Field<'_>> = tokens[i + 1..]
            .iter()
            .map(|t| Field {
                text: t.text,
                quoted: t.quoted,
            })
            .collect();
        let at = tokens.get(i + 1).map_or(type_token.start, |t| t.start);
        let rdata = rdata::canonical(rtype, &fields, origin).map_err(|e| (e, at, None))?;
        // As BIND loads it: a record without a TTL takes `$TTL`; else the last TTL a record
        // gave (RFC 1035); an SOA with neither takes its own minimum, which then stands in for
        // `$TTL`.
        let ttl = match (ttl, self.default_ttl, self.last_ttl) {
            (Some(ttl), _, _) | (None, Some(ttl), _) | (None, None, Some(ttl)) => ttl,
            (None, None, None) if rtype == RecordType::Soa => {
                let minimum = rdata
                    .rsplit(' ')
                    .next()
                    .and_then(|m| m.parse().ok())
                    .unwrap_or(0);
                self.default_ttl = Some(minimum);
                minimum
            }
            (None, None, None) => {
                return Err((
                    "this record has no TTL, and no `$TTL` or earlier record gives one".into(),
                    type_token.start,
                    Some("add `$TTL 3600` at the top of the file".into()),
                ));
            }
        };
        self.last_ttl = Some(ttl);
        self.records.push(Record {
            octodns: None,
            key: super::name_key(name.as_str()),
            name,
            rtype,
            ttl,
            rdata: rdata.into_boxed_str(),
            origin: Origin {
                file,
                line: entry.line,
            },
        });
        Ok(())
    }
}
