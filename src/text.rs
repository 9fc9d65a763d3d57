//! Making text that came from AWS inert before it reaches a terminal or a
//! Markdown file. Names, tags and descriptions are set by anyone with write
//! access to an account; printed raw, `\x1b]0;…\x07` retitles the
//! terminal, `\x1b[2J` clears it, `\x1b]52;c;…` writes the clipboard, and
//! U+202E reverses what follows. Every such character is shown as a visible
//! escape instead (`\x1b`, `\u{202e}`); JSON output stays exact.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that change how a terminal or a text renderer behaves rather
/// than print: C0 and C1 controls, DEL, and the bidirectional controls.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

fn escape(c: char, out: &mut String) {
    let n = u32::from(c);
    if n < 0x100 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// One line of text from AWS, inert: every unsafe character (line breaks
/// and tabs too) becomes a visible escape.
pub fn inert(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A whole report or document, inert: its own line breaks stay, every
/// other unsafe character becomes a visible escape.
pub fn inert_text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c != '\n' && is_unsafe(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c != '\n' && is_unsafe(c) {
            escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Break text into pieces of at most `width` characters, at spaces where
/// it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if candidate.chars().count() <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        // A word longer than the line (an ARN) is cut.
        let mut rest: Vec<char> = word.chars().collect();
        while rest.len() > width {
            out.push(rest.drain(..width).collect());
        }
        line = rest.into_iter().collect();
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible_and_plain_text_is_untouched() {
        let hostile = "web\x1b]0;PWNED\x07\x1b[2J\x1b]52;c;aGk=\x07";
        let shown = inert(hostile);
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert_eq!(shown, "web\\x1b]0;PWNED\\x07\\x1b[2J\\x1b]52;c;aGk=\\x07");
        assert_eq!(inert("evil\u{202e}gpj.exe"), "evil\\u{202e}gpj.exe");
        assert_eq!(inert("c1\u{9b}31m"), "c1\\x9b31m");
        assert_eq!(inert("two\nlines"), "two\\x0alines");
        assert!(matches!(inert("bill-web-server"), Cow::Borrowed(_)));
        assert_eq!(inert("Café ✓ 日本"), "Café ✓ 日本");
        assert_eq!(inert_text("a\nb\x1bc\n"), "a\nb\\x1bc\n");
    }
}
