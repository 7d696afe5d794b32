//! Problems in the user's own files: each names the file, the line and column, shows the
//! offending text, and says what to do. Rendered with miette for people and as plain
//! positions for JSON and GitHub annotations.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

/// Readers stop collecting problems in one file after this many: a wrong file would otherwise
/// print a million.
pub const MAX_PROBLEMS: usize = 50;

/// A file the user wrote, kept in memory so that problems can quote it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the current directory where possible).
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// Where each line starts, found once, the first time a position is asked for.
    line_starts: Arc<OnceLock<Vec<usize>>>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            line_starts: Arc::default(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset: a binary search, so that
    /// many problems in a big file cost no more than the file.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&start| start <= offset);
        let line_start = starts[line - 1];
        (line, self.text[line_start..offset].chars().count() + 1)
    }
}

/// A place in a file.
#[derive(Clone, Debug)]
pub struct Location {
    pub file: SourceFile,
    pub span: Range<usize>,
}

impl Location {
    pub fn new(file: &SourceFile, span: Range<usize>) -> Self {
        Self {
            file: file.clone(),
            span,
        }
    }

    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.span.start)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.line_col();
        write!(f, "{}:{line}:{col}", self.file.name)
    }
}

/// One problem in a user's file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// A stable kebab-case code from SPEC.md (`ticket-invalid`, `policy-invalid`, ...).
    pub code: &'static str,
    pub message: String,
    /// Where; `None` when the problem is the file itself (e.g. it cannot be read).
    pub location: Option<Location>,
    /// Text shown under the offending span.
    pub label: String,
    pub help: Option<String>,
    /// Further places that explain the problem, e.g. the policy line that demanded a field.
    pub related: Vec<(Location, String)>,
    /// A warning: worth saying, but it does not make the input invalid.
    pub warning: bool,
}

impl Diagnostic {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            location: None,
            label: String::new(),
            help: None,
            related: Vec::new(),
            warning: false,
        }
    }

    pub fn at(mut self, file: &SourceFile, span: Range<usize>, label: impl Into<String>) -> Self {
        self.location = Some(Location::new(file, span));
        self.label = label.into();
        self
    }

    /// Marks this as a warning, not an error.
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, location: Location, label: impl Into<String>) -> Self {
        self.related.push((location, label.into()));
        self
    }

    /// Renders for a terminal, with the quoted source and a caret under the problem.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let mut out = String::new();
        match handler.render_report(&mut out, &Rendered::new(self)) {
            Ok(()) => out,
            Err(_) => format!("{}: {}\n", self.code, self.message),
        }
    }
}

/// Adapter from our diagnostics to miette's trait.
#[derive(Debug)]
struct Rendered<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<miette::NamedSource<Arc<str>>>,
    related: Vec<Rendered<'a>>,
    message: &'a str,
    label: &'a str,
    span: Option<Range<usize>>,
    code: Option<&'static str>,
    help: Option<&'a str>,
}

impl<'a> Rendered<'a> {
    fn new(diagnostic: &'a Diagnostic) -> Self {
        // miette appends the line and column of the primary label itself.
        let source = |location: &Location| {
            miette::NamedSource::new(&location.file.name, location.file.text.clone())
                .with_language("toml")
        };
        let related = diagnostic
            .related
            .iter()
            .map(|(location, label)| Rendered {
                diagnostic,
                source: Some(source(location)),
                related: Vec::new(),
                message: label,
                label,
                span: Some(location.span.clone()),
                code: None,
                help: None,
            })
            .collect();
        Rendered {
            diagnostic,
            source: diagnostic.location.as_ref().map(source),
            related,
            message: &diagnostic.message,
            label: &diagnostic.label,
            span: diagnostic.location.as_ref().map(|l| l.span.clone()),
            code: Some(diagnostic.code),
            help: diagnostic.help.as_deref(),
        }
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.code.map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.code.is_some() && self.diagnostic.warning {
            miette::Severity::Warning
        } else if self.code.is_some() {
            miette::Severity::Error
        } else {
            miette::Severity::Advice
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        let label = (!self.label.is_empty()).then(|| self.label.to_string());
        let _ = self.diagnostic;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(label, span),
        )))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

/// Edit distance, for "did you mean" hints on misspelt keys and names.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let file = SourceFile::new("t.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(6), (2, 1));
        assert_eq!(file.line_col(12), (2, 6));
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(closest("rollbak", ["rollback", "intent"]), Some("rollback"));
        assert_eq!(closest("xyz", ["rollback", "intent"]), None);
    }
}
