//! A YAML document as a flat tree of nodes, read from the events of granit-parser (the parser
//! beneath serde-saphyr). octoDNS files need only maps, lists and text; reading them without a
//! serde layer halves the time large zones take.
//!
//! Nodes are stored in document order, a collection followed by its descendants up to its
//! `end`, so walking needs no allocation per node. An alias is a node that points at its
//! anchor's node: the tree stays as small as the text, and expanding it is budgeted so that an
//! "alias bomb" is refused rather than followed. Merge keys (`<<`) are applied when a map's
//! entries are read.
//!
//! Plain scalars are where YAML readers disagree: octoDNS reads YAML 1.1, where `on` is a
//! boolean and `017` is octal; YAML 1.2 says otherwise. A plain scalar that any of them would
//! take for something other than text or a decimal integer is refused with a hint to quote
//! it, so a file never means one thing here and another to octoDNS.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::HashSet;

use granit_parser::{Event, Marker, Parser, ScalarStyle, Tag};

use super::Fnv;
use super::files::{self, Budget};

/// Index of a node in its [`Document`].
pub type NodeId = u32;

/// A problem in the YAML, at a byte offset of the text.
#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub at: usize,
}

struct Node<'a> {
    kind: Kind<'a>,
    /// Byte offset and 1-based line where the node starts.
    at: usize,
    line: u32,
}

enum Kind<'a> {
    /// `plain` is false for quoted and block scalars and for `!!str`: those are text whatever
    /// they spell.
    Scalar {
        text: Cow<'a, str>,
        plain: bool,
    },
    /// Children are the nodes after this one up to `end`, exclusive.
    Seq {
        end: NodeId,
    },
    Map {
        end: NodeId,
    },
    Alias(NodeId),
}

/// A node as a reader wants it: aliases followed, plain scalars resolved.
#[derive(Clone, Copy, Debug)]
pub enum Value<'d> {
    Null,
    /// Text, or a plain decimal integer spelled as written.
    Text(&'d str),
    Seq(NodeId),
    Map(NodeId),
}

/// Marks a collection whose end has not been read yet.
const OPEN: NodeId = NodeId::MAX;

pub struct Document<'a> {
    nodes: Vec<Node<'a>>,
    /// Nodes that walking may still visit; walking a collection spends its size.
    budget: Cell<usize>,
}

/// How deep `!include`s may nest.
const MAX_INCLUDE_DEPTH: usize = 8;

impl<'a> Document<'a> {
    /// Reads one YAML document, with no `!include`s; an empty text is a document without a
    /// root.
    #[cfg(test)]
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        Self::parse_including(text, "", &|_| Err("includes are not read here".into()))
    }

    /// Reads the YAML document at `path`, and what it includes with octoDNS's `!include FILE`
    /// through `read` (paths relative to the including file's folder, as octoDNS resolves
    /// them). Included nodes take the position of the `!include` that brought them.
    pub fn parse_including(
        text: &'a str,
        path: &str,
        read: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Self, Error> {
        let mut builder = Builder {
            nodes: Vec::with_capacity(text.len() / 8),
            read,
            stack: vec![path.to_string()],
            budget: Budget::default(),
        };
        builder.load(text, |s| s, None)?;
        let budget = 8 * builder.nodes.len() + 100_000;
        Ok(Self {
            nodes: builder.nodes,
            budget: Cell::new(budget),
        })
    }

    /// The document's top node, if it has one.
    pub fn root(&self) -> Option<NodeId> {
        (!self.nodes.is_empty()).then_some(0)
    }

    /// Where a node is written, as a byte offset and a 1-based line (an alias: where the alias
    /// is, not its anchor).
    pub fn position(&self, id: NodeId) -> (usize, u32) {
        let node = &self.nodes[id as usize];
        (node.at, node.line)
    }

    /// What a node holds, aliases followed and plain scalars resolved.
    pub fn value(&self, id: NodeId) -> Result<Value<'_>, Error> {
        let id = self.resolve(id);
        let node = &self.nodes[id as usize];
        match &node.kind {
            Kind::Seq { .. } => Ok(Value::Seq(id)),
            Kind::Map { .. } => Ok(Value::Map(id)),
            Kind::Scalar { text, plain: false } => Ok(Value::Text(text)),
            Kind::Scalar { text, plain: true } => match plain_meaning(text) {
                Plain::Text => Ok(Value::Text(text)),
                Plain::Null => Ok(Value::Null),
                Plain::Ambiguous(what) => Err(Error {
                    message: format!(
                        "`{text}` is read as {what}; quote it ('{text}') if you mean the text"
                    ),
                    at: node.at,
                }),
            },
            // `parse` points aliases at nodes, never at aliases.
            Kind::Alias(_) => Ok(Value::Null),
        }
    }

    /// As [`Self::value`], for a field octoDNS reads as a number (`float(value)`): a plain
    /// decimal such as `-52.10`, which every YAML reader takes for that number, is its text.
    pub fn number(&self, id: NodeId) -> Result<Value<'_>, Error> {
        let node = &self.nodes[self.resolve(id) as usize];
        if let Kind::Scalar { text, plain: true } = &node.kind {
            let body = text.strip_prefix('-').unwrap_or(text);
            let (int, frac) = body.split_once('.').unwrap_or((body, ""));
            let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
            let octal_like = int.len() > 1 && int.starts_with('0');
            if !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac) && !octal_like {
                return Ok(Value::Text(text));
            }
        }
        self.value(id)
    }

    /// The items of a list.
    pub fn items(&self, seq: NodeId) -> Result<Vec<NodeId>, Error> {
        self.children(seq).map(|c| c.collect())
    }

    /// The entries of a map as (key, value) nodes in document order, then the entries merged
    /// in by `<<` that the map does not set itself. A key written twice is an error; keys
    /// must be scalars, whose meaning [`Self::value`] resolves.
    pub fn entries(&self, map: NodeId) -> Result<Vec<(NodeId, NodeId)>, Error> {
        let mut children = self.children(map)?;
        let mut entries: Vec<(NodeId, NodeId)> = Vec::new();
        let mut keys: Vec<&str> = Vec::new();
        let mut merged: Vec<NodeId> = Vec::new();
        while let (Some(key), Some(value)) = (children.next(), children.next()) {
            // Keys compare as written; what a key means is for the reader to resolve.
            let Kind::Scalar { text, plain } = &self.nodes[self.resolve(key) as usize].kind else {
                return Err(self.error(key, "a key must be text, not a list or a map"));
            };
            if *plain && text == "<<" {
                match self.value(value)? {
                    Value::Map(m) => merged.push(m),
                    Value::Seq(s) => {
                        for item in self.items(s)? {
                            match self.value(item)? {
                                Value::Map(m) => merged.push(m),
                                _ => return Err(self.error(item, "`<<` merges maps only")),
                            }
                        }
                    }
                    _ => return Err(self.error(value, "`<<` merges maps only")),
                }
                continue;
            }
            entries.push((key, value));
            keys.push(text);
        }
        if let Some(twice) = first_repeat(&keys) {
            let key = entries[twice].0;
            let text = keys[twice];
            return Err(self.error(key, &format!("the key `{text}` is written twice")));
        }
        if merged.is_empty() {
            return Ok(entries);
        }
        let mut seen: HashSet<&str, Fnv> = keys.iter().copied().collect();
        for source in merged {
            for (key, value) in self.entries(source)? {
                if let Kind::Scalar { text, .. } = &self.nodes[self.resolve(key) as usize].kind {
                    if seen.insert(text) {
                        entries.push((key, value));
                    }
                }
            }
        }
        Ok(entries)
    }

    /// A subtree as one line of flow YAML with map keys sorted, so that two spellings of the
    /// same data compare equal: aliases and merges expanded, plain scalars as written, other
    /// scalars double-quoted. Plain scalars are not resolved, so `true` and `True` differ: a
    /// comparison may see a change that is none, never miss one.
    pub fn canonical(&self, id: NodeId) -> Result<String, Error> {
        let mut out = String::new();
        self.write_canonical(id, &mut out)?;
        Ok(out)
    }

    fn write_canonical(&self, id: NodeId, out: &mut String) -> Result<(), Error> {
        let node = self.resolve(id);
        match &self.nodes[node as usize].kind {
            // Plain text is quoted like quoted text (`abc` is `'abc'`); numbers, booleans and
            // nulls stay as written (`300` is not `'300'`).
            Kind::Scalar { text, plain: true }
                if !matches!(plain_meaning(text), Plain::Text)
                    || is_decimal(text.strip_prefix('-').unwrap_or(text)) =>
            {
                out.push_str(text)
            }
            Kind::Scalar { text, .. } => {
                out.push('"');
                for c in text.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Kind::Seq { .. } => {
                out.push('[');
                for (i, item) in self.items(node)?.into_iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_canonical(item, out)?;
                }
                out.push(']');
            }
            Kind::Map { .. } => {
                let mut entries = Vec::new();
                for (key, value) in self.entries(node)? {
                    let mut k = String::new();
                    self.write_canonical(key, &mut k)?;
                    let mut v = String::new();
                    self.write_canonical(value, &mut v)?;
                    entries.push((k, v));
                }
                entries.sort();
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push_str(": ");
                    out.push_str(v);
                }
                out.push('}');
            }
            Kind::Alias(_) => {}
        }
        Ok(())
    }

    fn resolve(&self, id: NodeId) -> NodeId {
        match self.nodes[id as usize].kind {
            Kind::Alias(target) => target,
            _ => id,
        }
    }

    fn error(&self, id: NodeId, message: &str) -> Error {
        Error {
            message: message.to_string(),
            at: self.nodes[id as usize].at,
        }
    }

    /// The children of a collection, after spending its size from the budget.
    fn children(&self, id: NodeId) -> Result<impl Iterator<Item = NodeId> + '_, Error> {
        let start = self.resolve(id);
        let end = match self.nodes[start as usize].kind {
            Kind::Seq { end } | Kind::Map { end } => end,
            _ => start + 1,
        };
        let size = (end - start) as usize;
        let left = self.budget.get().checked_sub(size).ok_or_else(|| {
            self.error(
                id,
                "aliases here expand to far more than the file holds; refusing to follow them",
            )
        })?;
        self.budget.set(left);
        let mut next = start + 1;
        Ok(std::iter::from_fn(move || {
            (next < end).then(|| {
                let child = next;
                next = match self.nodes[child as usize].kind {
                    Kind::Seq { end } | Kind::Map { end } => end,
                    _ => child + 1,
                };
                child
            })
        }))
    }
}

struct Builder<'a, 'r> {
    nodes: Vec<Node<'a>>,
    read: &'r dyn Fn(&str) -> Result<String, String>,
    /// The files being read, the main one first: for relative paths and include cycles.
    stack: Vec<String>,
    /// Files and bytes included so far.
    budget: Budget,
}

impl<'a> Builder<'a, '_> {
    /// Pushes the nodes of one document's text. `keep` makes the text's scalars the
    /// document's: the main text lends them, an included one gives copies. Nodes of an
    /// included text are positioned at the `!include` that brought them (`included_at`);
    /// problems are at their place in `text`.
    fn load<'t>(
        &mut self,
        text: &'t str,
        keep: impl Fn(Cow<'t, str>) -> Cow<'a, str> + Copy,
        included_at: Option<(usize, u32)>,
    ) -> Result<(), Error> {
        let mut open: Vec<NodeId> = Vec::new();
        // Anchor ids count up from 1 within a document.
        let mut anchors: Vec<NodeId> = Vec::new();
        let mut documents = 0;
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| Error {
                message: e.info(),
                at: offset(e.marker()),
            })?;
            let here = |message: String| Error {
                message,
                at: offset(&span.start),
            };
            let (at, line) = included_at.unwrap_or((offset(&span.start), span.start.line() as u32));
            let nodes = &mut self.nodes;
            if nodes.len() >= OPEN as usize - 1 {
                return Err(here("the file holds too many YAML nodes".into()));
            }
            let id = nodes.len() as NodeId;
            let (kind, anchor) = match event {
                Event::DocumentStart(..) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(here(
                            "a second YAML document (`---`): an octoDNS zone file holds one".into(),
                        ));
                    }
                    continue;
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let plain = match tag.as_deref() {
                        None => style == ScalarStyle::Plain,
                        Some(tag) if tag.handle() == "!" && tag.suffix() == "include" => {
                            let target = value.into_owned();
                            self.include(&target, at, line).map_err(|e| Error {
                                at: offset(&span.start),
                                ..e
                            })?;
                            if anchor != 0 {
                                set_anchor(&mut anchors, anchor, id);
                            }
                            continue;
                        }
                        Some(tag) => match tag.core_suffix() {
                            Some("str") => false,
                            Some("int" | "float" | "bool" | "null") => style == ScalarStyle::Plain,
                            _ => return Err(here(unsupported(tag))),
                        },
                    };
                    (
                        Kind::Scalar {
                            text: keep(value),
                            plain,
                        },
                        anchor,
                    )
                }
                Event::SequenceStart(_, anchor, ref tag)
                | Event::MappingStart(_, anchor, ref tag) => {
                    if let Some(tag) = tag.as_deref() {
                        if tag.handle() == "!" && tag.suffix() == "include" {
                            return Err(here(
                                "`!include` takes one file name, not a list or a map".into(),
                            ));
                        }
                        if !matches!(tag.core_suffix(), Some("seq" | "map")) {
                            return Err(here(unsupported(tag)));
                        }
                    }
                    open.push(id);
                    let kind = if matches!(event, Event::SequenceStart(..)) {
                        Kind::Seq { end: OPEN }
                    } else {
                        Kind::Map { end: OPEN }
                    };
                    (kind, anchor)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(start) = open.pop() else {
                        return Err(here("a collection ends that never started".into()));
                    };
                    if let Kind::Seq { end } | Kind::Map { end } = &mut nodes[start as usize].kind {
                        *end = id;
                    }
                    continue;
                }
                Event::Alias(anchor) => {
                    let target = anchors.get(anchor).copied().unwrap_or(OPEN);
                    let inside = match nodes.get(target as usize).map(|n| &n.kind) {
                        None => return Err(here("an alias to an unknown anchor".into())),
                        Some(Kind::Seq { end } | Kind::Map { end }) => *end == OPEN,
                        Some(_) => false,
                    };
                    if inside {
                        return Err(here(
                            "an alias inside the node it refers to: the value would never end"
                                .into(),
                        ));
                    }
                    // An alias of an alias names the node itself.
                    let target = match nodes[target as usize].kind {
                        Kind::Alias(original) => original,
                        _ => target,
                    };
                    (Kind::Alias(target), 0)
                }
                Event::UnresolvedAlias(name) => {
                    return Err(here(format!("the alias `*{name}` has no anchor before it")));
                }
                // Stream and document boundaries; comment and anchor events are not asked for.
                _ => continue,
            };
            if anchor != 0 {
                set_anchor(&mut anchors, anchor, id);
            }
            nodes.push(Node { kind, at, line });
        }
        Ok(())
    }

    /// Reads the file an `!include` names, written at `at`, in place of the `!include`.
    fn include(&mut self, target: &str, at: usize, line: u32) -> Result<(), Error> {
        let here = |message: String| Error { message, at };
        let from = self.stack.last().map_or("", String::as_str);
        let path = files::join(from, target).map_err(&here)?;
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            return Err(here(format!(
                "`!include` nests deeper than {MAX_INCLUDE_DEPTH} files"
            )));
        }
        if self.stack.contains(&path) {
            return Err(here(format!(
                "`!include {target}` includes a file that includes it"
            )));
        }
        let text = (self.read)(&path)
            .map_err(|e| here(format!("cannot read `{path}` for `!include`: {e}")))?;
        self.budget.spend(text.len()).map_err(&here)?;
        self.stack.push(path.clone());
        let start = self.nodes.len();
        let loaded = self.load(&text, |s| Cow::Owned(s.into_owned()), Some((at, line)));
        self.stack.pop();
        loaded.map_err(|e| {
            let before = &text[..e.at.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            here(format!(
                "in `{path}` (included here), line {line}, column {column}: {}",
                e.message
            ))
        })?;
        if self.nodes.len() == start {
            // An empty file is a null, as octoDNS reads it.
            self.nodes.push(Node {
                kind: Kind::Scalar {
                    text: Cow::Borrowed("~"),
                    plain: true,
                },
                at,
                line,
            });
        }
        Ok(())
    }
}

fn set_anchor(anchors: &mut Vec<NodeId>, anchor: usize, id: NodeId) {
    if anchors.len() <= anchor {
        anchors.resize(anchor + 1, OPEN);
    }
    anchors[anchor] = id;
}

fn offset(marker: &Marker) -> usize {
    // Always known when reading from a string.
    marker.byte_offset().unwrap_or(0)
}

fn unsupported(tag: &Tag) -> String {
    format!(
        "the tag `{}` is not supported here; write the value itself",
        tag.original()
    )
}

/// Index of the second occurrence of the first key written twice.
fn first_repeat(keys: &[&str]) -> Option<usize> {
    if keys.len() <= 8 {
        return (1..keys.len()).find(|&i| keys[..i].contains(&keys[i]));
    }
    let mut seen: HashSet<&str, Fnv> =
        HashSet::with_capacity_and_hasher(keys.len(), Fnv::default());
    keys.iter().position(|k| !seen.insert(k))
}

enum Plain {
    Text,
    Null,
    /// What some YAML reader would take it for.
    Ambiguous(&'static str),
}

/// How YAML readers take a plain scalar: YAML 1.1 (octoDNS's PyYAML) and 1.2 core schema.
fn plain_meaning(text: &str) -> Plain {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Plain::Null,
        // YAML 1.1 also lists `y` and `n`; PyYAML, which octoDNS uses, and YAML 1.2 read them
        // as text, so they are text here (`lat_direction: N`).
        "yes" | "Yes" | "YES" | "no" | "No" | "NO" | "true" | "True" | "TRUE" | "false"
        | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return Plain::Ambiguous("a boolean by YAML 1.1 readers such as octoDNS's");
        }
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Plain::Text;
    }
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if is_decimal(body) {
        if text.starts_with('+') {
            Plain::Ambiguous("a number by YAML readers")
        } else if body.len() > 1 && body.starts_with('0') {
            // `017` is octal 15 in YAML 1.1; `09`, not being octal, is text there. YAML 1.2
            // reads both as decimal numbers.
            if body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                Plain::Ambiguous(
                    "an octal number by YAML 1.1 (octoDNS) and a decimal one by YAML 1.2",
                )
            } else {
                Plain::Ambiguous("text by YAML 1.1 (octoDNS) and a decimal number by YAML 1.2")
            }
        } else {
            Plain::Text
        }
    } else if is_number(body) {
        Plain::Ambiguous("a number by YAML readers")
    } else {
        Plain::Text
    }
}

fn is_decimal(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Any unsigned number some YAML reader accepts: 0x/0o/0b integers, underscores between
/// digits, base-60 (`1:30`), floats with exponents, `.inf` and `.nan`.
fn is_number(s: &str) -> bool {
    for prefix in ["0x", "0o", "0b"] {
        if let Some(digits) = s.strip_prefix(prefix) {
            return !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_hexdigit() || b == b'_');
        }
    }
    let s = s.replace('_', "");
    if is_decimal(&s)
        || matches!(
            s.as_str(),
            ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN"
        )
    {
        return true;
    }
    if s.contains(':') {
        return s
            .split(':')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    }
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && s.parse::<f64>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(doc: &Document<'_>, ids: &[(NodeId, NodeId)]) -> Vec<(String, String)> {
        ids.iter()
            .map(|&(k, v)| {
                let show = |id| match doc.value(id).unwrap() {
                    Value::Text(t) => t.to_string(),
                    Value::Null => "null".into(),
                    Value::Seq(_) => "[..]".into(),
                    Value::Map(_) => "{..}".into(),
                };
                (show(k), show(v))
            })
            .collect()
    }

    #[test]
    fn plain_scalars_every_reader_agrees_on_are_text() {
        for text in [
            "www",
            "10.0.0.1",
            "2001:db8::1",
            "300",
            "-5",
            "0",
            "v=spf1 -all",
            "host0.example.",
            "1.2.3.4.5",
            "2001:db8:0:1::1",
            "a-b",
            "-",
            ".",
            "N",
            "y",
        ] {
            assert!(
                matches!(plain_meaning(text), Plain::Text),
                "`{text}` should be text"
            );
        }
        for text in ["", "~", "null", "NULL"] {
            assert!(matches!(plain_meaning(text), Plain::Null), "`{text}`");
        }
        for text in [
            "on",
            "Off",
            "yes",
            "TRUE",
            "017",
            "0x1f",
            "0o17",
            "0b101",
            "1_000",
            "+5",
            "1.5",
            "1e3",
            ".5",
            ".inf",
            "-.inf",
            ".NaN",
            "1:30",
            "190:20:30",
            "1:2:3:4:5:6:7:8",
        ] {
            assert!(
                matches!(plain_meaning(text), Plain::Ambiguous(_)),
                "`{text}` should be refused"
            );
        }
    }

    #[test]
    fn aliases_and_merge_keys_are_followed() {
        let text = "base: &b\n  type: A\n  ttl: 60\nwww:\n  <<: *b\n  ttl: 5\nsame: *b\n";
        let doc = Document::parse(text).unwrap();
        let root = doc.entries(doc.root().unwrap()).unwrap();
        let www = match doc.value(root[1].1).unwrap() {
            Value::Map(m) => doc.entries(m).unwrap(),
            _ => panic!(),
        };
        assert_eq!(
            texts(&doc, &www),
            [("ttl".into(), "5".into()), ("type".into(), "A".into())]
        );
        assert!(matches!(doc.value(root[2].1).unwrap(), Value::Map(_)));
        // The alias is positioned where it is written.
        assert_eq!(doc.position(root[2].1).1, 7);
    }

    #[test]
    fn canonical_text_sorts_keys_and_expands_aliases() {
        let text = "a: &x {proxied: true, z: [1, 'two']}\nb: {z: [1, \"two\"], 'proxied': true}\n\
                    c:\n  <<: *x\nd: {proxied: 'true', z: ['1', two]}\n";
        let doc = Document::parse(text).unwrap();
        let entries = doc.entries(0).unwrap();
        let shown: Vec<String> = entries
            .iter()
            .map(|&(_, v)| doc.canonical(v).unwrap())
            .collect();
        assert_eq!(shown[0], r#"{"proxied": true, "z": [1, "two"]}"#);
        assert_eq!(shown[1], shown[0]);
        assert_eq!(shown[2], shown[0]);
        // Text is not the boolean or the number it spells.
        assert_eq!(shown[3], r#"{"proxied": "true", "z": ["1", "two"]}"#);
    }

    #[test]
    fn keys_written_twice_are_refused() {
        let text = "a: 1\nb: 2\na: 3\n";
        let doc = Document::parse(text).unwrap();
        let e = doc.entries(0).unwrap_err();
        assert_eq!(e.message, "the key `a` is written twice");
        assert_eq!(e.at, 10);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 0..8 {
            let prev = (b'a' + level) as char;
            let next = (b'b' + level) as char;
            text.push_str(&format!(
                "{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        let doc = Document::parse(&text).unwrap();
        let mut stack = vec![0];
        let mut result = Ok(());
        while let Some(id) = stack.pop() {
            match doc.value(id) {
                Ok(Value::Seq(s)) => match doc.items(s) {
                    Ok(items) => stack.extend(items),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                },
                Ok(Value::Map(m)) => stack.extend(doc.entries(m).unwrap().into_iter().map(|e| e.1)),
                _ => {}
            }
        }
        assert!(result.unwrap_err().message.contains("refusing"));
    }

    #[test]
    fn tags_other_than_the_core_ones_are_refused() {
        let e = Document::parse("www: !secret other\n").err().unwrap();
        assert!(e.message.contains("`!secret`"), "{}", e.message);
        let doc = Document::parse("www: !!str on\n").unwrap();
        let entries = doc.entries(0).unwrap();
        assert!(matches!(
            doc.value(entries[0].1).unwrap(),
            Value::Text("on")
        ));
    }

    #[test]
    fn a_second_document_is_refused() {
        let e = Document::parse("a: 1\n---\nb: 2\n").err().unwrap();
        assert!(e.message.contains("second YAML document"), "{}", e.message);
    }
}
