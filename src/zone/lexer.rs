//! The master-file lexer: splits text into entries (one logical line, parentheses joining
//! physical lines) of zero-copy tokens. Comments run from `;` to the end of the line; quoted
//! strings keep their escapes for the record-data canonicaliser; `\` escapes the next
//! character in bare words.

/// A token: its text (inside the quotes, for quoted strings) and byte offset.
#[derive(Clone, Copy, Debug)]
pub struct Token<'a> {
    pub text: &'a str,
    pub quoted: bool,
    pub start: usize,
}

/// An entry: whether it began with white space (a blank owner), its tokens, and its line.
pub struct Entry<'a, 't> {
    pub blank_owner: bool,
    pub tokens: &'t [Token<'a>],
    pub line: u32,
    pub start: usize,
}

pub struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    tokens: Vec<Token<'a>>,
}

/// A lexing error: message and byte offset.
pub type LexError = (String, usize);

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        // A byte-order mark is not part of the zone.
        let pos = if text.starts_with('\u{feff}') { 3 } else { 0 };
        Self {
            text,
            pos,
            line: 1,
            tokens: Vec::with_capacity(16),
        }
    }

    /// The next entry with at least one token, or `None` at the end.
    pub fn next_entry(&mut self) -> Result<Option<Entry<'a, '_>>, LexError> {
        let bytes = self.text.as_bytes();
        loop {
            self.tokens.clear();
            if self.pos >= bytes.len() {
                return Ok(None);
            }
            let line = self.line;
            let start = self.pos;
            let blank_owner = matches!(bytes[self.pos], b' ' | b'\t');
            let mut depth = 0u32;
            let mut paren_start = 0;
            loop {
                let Some(&b) = bytes.get(self.pos) else {
                    if depth > 0 {
                        return Err(("an opening `(` is never closed".into(), paren_start));
                    }
                    break;
                };
                match b {
                    b' ' | b'\t' | b'\r' => self.pos += 1,
                    b'\n' => {
                        self.pos += 1;
                        self.line += 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    b';' => {
                        while self.pos < bytes.len() && bytes[self.pos] != b'\n' {
                            self.pos += 1;
                        }
                    }
                    b'(' => {
                        if depth == 0 {
                            paren_start = self.pos;
                        }
                        depth += 1;
                        self.pos += 1;
                    }
                    b')' => {
                        if depth == 0 {
                            return Err(("a `)` without an opening `(`".into(), self.pos));
                        }
                        depth -= 1;
                        self.pos += 1;
                    }
                    b'"' => {
                        let open = self.pos;
                        self.pos += 1;
                        let from = self.pos;
                        loop {
                            match bytes.get(self.pos) {
                                None => {
                                    return Err(("a quoted string is never closed".into(), open));
                                }
                                Some(b'\\') => self.pos += 2,
                                Some(b'"') => break,
                                Some(b'\n') => {
                                    self.line += 1;
                                    self.pos += 1;
                                }
                                Some(_) => self.pos += 1,
                            }
                        }
                        let text = &self.text[from..self.pos.min(bytes.len())];
                        self.pos += 1;
                        self.tokens.push(Token {
                            text,
                            quoted: true,
                            start: open,
                        });
                    }
                    _ => {
                        let from = self.pos;
                        while let Some(&c) = bytes.get(self.pos) {
                            match c {
                                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                                b'\\' => self.pos = (self.pos + 2).min(bytes.len()),
                                _ => self.pos += 1,
                            }
                        }
                        self.tokens.push(Token {
                            text: &self.text[from..self.pos],
                            quoted: false,
                            start: from,
                        });
                    }
                }
            }
            if !self.tokens.is_empty() {
                return Ok(Some(Entry {
                    blank_owner,
                    tokens: &self.tokens,
                    line,
                    start,
                }));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(bool, Vec<String>, u32)> {
        let mut lexer = Lexer::new(text);
        let mut out = Vec::new();
        while let Some(e) = lexer.next_entry().unwrap() {
            out.push((
                e.blank_owner,
                e.tokens.iter().map(|t| t.text.to_string()).collect(),
                e.line,
            ));
        }
        out
    }

    #[test]
    fn joins_parentheses_and_skips_comments() {
        let text = "@ IN SOA ns1 host ( 1 ; serial\n  2 3\n 4 5 )\n\n  A 192.0.2.1 ; blank owner\nwww\tTXT \"a;b \\\" c\" x\\ y\n";
        let got = entries(text);
        assert_eq!(
            got[0].1,
            ["@", "IN", "SOA", "ns1", "host", "1", "2", "3", "4", "5"]
        );
        assert_eq!((got[1].0, got[1].2), (true, 5));
        assert_eq!(got[2].1, ["www", "TXT", "a;b \\\" c", "x\\ y"]);
    }

    #[test]
    fn reports_unbalanced_input() {
        assert!(Lexer::new("a ( b\n").next_entry().is_err());
        assert!(Lexer::new("a ) b\n").next_entry().is_err());
        assert!(Lexer::new("a \"b\n").next_entry().is_err());
    }
}
