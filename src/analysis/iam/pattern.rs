//! IAM's wildcard matching: `*` any run of characters, `?` exactly one;
//! actions without regard to case, resources and ARNs with it; and policy
//! variables, replaced from what the request knows.

use super::condition::Context;

/// Whether `text` matches `pattern` (`*` and `?`), comparing characters
/// exactly or, for actions, case-insensitively.
pub fn wildcard(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern == "*" {
        return true;
    }
    if !pattern.contains(['*', '?']) {
        return if ignore_case {
            pattern.eq_ignore_ascii_case(text)
        } else {
            pattern == text
        };
    }
    if pattern.is_ascii() && text.is_ascii() {
        return matches(pattern.as_bytes(), text.as_bytes(), ignore_case);
    }
    // `?` is one character, not one byte.
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches(&p, &t, ignore_case)
}

/// A character of a pattern or a text, as bytes of ASCII or as chars.
trait Letter: Copy + PartialEq {
    const STAR: Self;
    const ONE: Self;
    fn same(self, other: Self, ignore_case: bool) -> bool;
}

impl Letter for u8 {
    const STAR: u8 = b'*';
    const ONE: u8 = b'?';
    fn same(self, other: u8, ignore_case: bool) -> bool {
        self == other || (ignore_case && self.eq_ignore_ascii_case(&other))
    }
}

impl Letter for char {
    const STAR: char = '*';
    const ONE: char = '?';
    fn same(self, other: char, ignore_case: bool) -> bool {
        self == other || (ignore_case && self.eq_ignore_ascii_case(&other))
    }
}

/// Iterative matching with backtracking to the last `*`.
fn matches<L: Letter>(p: &[L], t: &[L], ignore_case: bool) -> bool {
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == L::ONE || (p[i] != L::STAR && p[i].same(t[j], ignore_case))) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == L::STAR {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == L::STAR {
        i += 1;
    }
    i == p.len()
}

/// A pattern with its policy variables replaced, or `None` when one names a
/// key the request does not have (then the pattern matches nothing, as AWS
/// does), or `Err` with the key when the request's value is unknown.
pub fn substitute(pattern: &str, ctx: &Context) -> Result<Option<String>, String> {
    if !pattern.contains("${") {
        return Ok(Some(pattern.to_string()));
    }
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(Some(out));
        };
        let inner = &after[..end];
        rest = &after[end + 1..];
        match inner {
            // Literal characters a policy cannot otherwise write.
            "*" => out.push_str("\u{0}STAR\u{0}"),
            "?" => out.push_str("\u{0}QMARK\u{0}"),
            "$" => out.push('$'),
            _ => {
                let (key, default) = match inner.split_once(',') {
                    Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\'').to_string())),
                    None => (inner.trim(), None),
                };
                match ctx.value(key) {
                    super::condition::Known::Present(values) => match values.first() {
                        Some(v) => out.push_str(v),
                        None => return Ok(None),
                    },
                    super::condition::Known::Absent => match default {
                        Some(d) => out.push_str(&d),
                        None => return Ok(None),
                    },
                    super::condition::Known::Unknown => return Err(key.to_string()),
                }
            }
        }
    }
    out.push_str(rest);
    Ok(Some(out))
}

/// Match after substitution: the literal `${*}` and `${?}` stay literal.
pub fn matches_substituted(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if !pattern.contains('\u{0}') {
        return wildcard(pattern, text, ignore_case);
    }
    // Split on the literal markers and match each piece in turn.
    let literal = pattern
        .replace("\u{0}STAR\u{0}", "\u{1}")
        .replace("\u{0}QMARK\u{0}", "\u{2}");
    let p: Vec<char> = literal.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char], ic: bool) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|k| go(&p[1..], &t[k..], ic)),
            Some('?') => !t.is_empty() && go(&p[1..], &t[1..], ic),
            Some(c) => {
                let want = match c {
                    '\u{1}' => '*',
                    '\u{2}' => '?',
                    other => *other,
                };
                t.first().is_some_and(|x| {
                    if ic {
                        x.eq_ignore_ascii_case(&want)
                    } else {
                        *x == want
                    }
                }) && go(&p[1..], &t[1..], ic)
            }
        }
    }
    go(&p, &t, ignore_case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_and_question_marks() {
        assert!(wildcard("s3:Get*", "s3:GetObject", false));
        assert!(wildcard("S3:get*", "s3:GetObject", true));
        assert!(!wildcard("S3:get*", "s3:GetObject", false));
        assert!(wildcard("*", "", false));
        assert!(wildcard("a?c", "abc", false));
        assert!(!wildcard("a?c", "ac", false), "? is exactly one character");
        assert!(wildcard(
            "arn:aws:s3:::b/*/x",
            "arn:aws:s3:::b/1/2/x",
            false
        ));
        assert!(!wildcard("arn:aws:s3:::b/*", "arn:aws:s3:::c/1", false));
        // Regex metacharacters are plain characters.
        assert!(wildcard("a.b(c)+", "a.b(c)+", false));
        assert!(!wildcard("a.b", "axb", false));
        assert!(
            wildcard("tag/caf?", "tag/café", false),
            "? is a character, not a byte"
        );
        assert!(!wildcard("tag/caf??", "tag/café", false));
        assert!(wildcard("S3:GETOBJECT", "s3:GetObject", true));
    }
}
