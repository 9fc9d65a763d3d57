//! Reading AWS JSON files: one response per file, or one file per parameter
//! in a folder named after the operation (CloudMapper's layout).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// A file that could not be read, with where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// Files larger than this are refused rather than read into memory.
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Parse one file as `T`, naming the JSON path and line of any error.
pub fn parse_file<T: DeserializeOwned>(path: &Path) -> Result<T, Problem> {
    let problem = |message: String| Problem {
        file: path.to_path_buf(),
        message,
    };
    let size = std::fs::metadata(path)
        .map_err(|e| problem(e.to_string()))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(problem(format!(
            "file is {size} bytes, larger than skyhound reads"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| problem(format!("cannot read: {e}")))?;
    parse_bytes(&bytes).map_err(problem)
}

/// Parse one file as `T` as `parse_file` does; where that fails, parse it
/// again keeping every item of its resource lists that parses, and say
/// which items were skipped (as problems of that file).
pub fn parse_file_keeping<T: DeserializeOwned>(
    path: &Path,
    problems: &mut Vec<Problem>,
) -> Result<T, Problem> {
    match parse_file(path) {
        Ok(v) => Ok(v),
        Err(strict) => match lenient(|| parse_file(path)) {
            (Ok(v), skipped) if !skipped.is_empty() => {
                problems.extend(skipped.into_iter().map(|message| Problem {
                    file: path.to_path_buf(),
                    message,
                }));
                Ok(v)
            }
            _ => Err(strict),
        },
    }
}

thread_local! {
    /// Set while a lenient parse runs on this thread; holds what it skipped.
    static LENIENT: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run a parse with `Items` lists reading item by item; returns its result
/// and the items skipped.
fn lenient<R>(parse: impl FnOnce() -> R) -> (R, Vec<String>) {
    LENIENT.with(|l| *l.borrow_mut() = Some(Vec::new()));
    let r = parse();
    let skipped = LENIENT.with(|l| l.borrow_mut().take()).unwrap_or_default();
    (r, skipped)
}

/// A list of resources in an AWS answer (`SecurityGroups`, `Subnets`, …).
/// Parsed whole as a plain list; when the file does not parse that way, it
/// is parsed again item by item, so that one malformed item loses only
/// itself, not every resource of the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Items<T>(pub Vec<T>);

impl<T> Default for Items<T> {
    fn default() -> Items<T> {
        Items(Vec::new())
    }
}

impl<T> std::ops::Deref for Items<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> IntoIterator for Items<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Items<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Items<T>, D::Error> {
        let lenient = LENIENT.with(|l| l.borrow().is_some());
        if !lenient {
            return Vec::<T>::deserialize(d).map(Items);
        }
        let raw = Vec::<serde_json::Value>::deserialize(d)?;
        let mut items = Vec::with_capacity(raw.len());
        for (i, value) in raw.into_iter().enumerate() {
            match serde_path_to_error::deserialize::<_, T>(&value) {
                Ok(v) => items.push(v),
                Err(e) => {
                    let id = value
                        .as_object()
                        .and_then(|o| {
                            o.iter()
                                .find(|(k, _)| k.ends_with("Id") || k.ends_with("Arn"))
                        })
                        .and_then(|(k, v)| v.as_str().map(|v| format!(" ({k} {v})")))
                        .unwrap_or_default();
                    let message = format!(
                        "item {i}{id} skipped, the rest kept: at {}: {}",
                        e.path(),
                        e.inner()
                    );
                    LENIENT.with(|l| {
                        if let Some(list) = l.borrow_mut().as_mut() {
                            list.push(message);
                        }
                    });
                }
            }
        }
        Ok(Items(items))
    }
}

/// The file's text as UTF-8: a UTF-8 byte order mark is dropped, and UTF-16
/// (what Windows PowerShell's `>` writes) is decoded, by its byte order
/// mark or, without one, by the NULs beside ASCII text.
fn utf8(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, String> {
    use std::borrow::Cow;
    let utf16 = |body: &[u8], little: bool, what: &str| -> Result<Cow<'_, [u8]>, String> {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if little {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        String::from_utf16(&units)
            .map(|s| Cow::Owned(s.into_bytes()))
            .map_err(|_| format!("file is {what} but not valid {what}; save it as UTF-8"))
    };
    match bytes {
        [0xef, 0xbb, 0xbf, rest @ ..] => Ok(Cow::Borrowed(rest)),
        [0xff, 0xfe, rest @ ..] => utf16(rest, true, "UTF-16LE"),
        [0xfe, 0xff, rest @ ..] => utf16(rest, false, "UTF-16BE"),
        [a, 0, b, 0, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => {
            utf16(bytes, true, "UTF-16LE")
        }
        [0, a, 0, b, ..] if a.is_ascii() && b.is_ascii() && *a != 0 => {
            utf16(bytes, false, "UTF-16BE")
        }
        _ => Ok(Cow::Borrowed(bytes)),
    }
}

/// Parse JSON bytes as `T`; the error names the JSON path, line and column.
pub fn parse_bytes<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let decoded = utf8(bytes)?;
    let bytes: &[u8] = &decoded;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("file is empty (expected a JSON document)".to_string());
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." || path.is_empty() {
            format!("malformed JSON: {inner}")
        } else {
            format!("malformed JSON at {path}: {inner}")
        }
    })?;
    de.end().map_err(|e| format!("malformed JSON: {e}"))?;
    Ok(value)
}

/// Responses held in memory (from live collection), by operation name
/// (`ec2-describe-vpcs`), each with the parameter it was called with.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct MemoryFolder {
    pub responses: std::collections::BTreeMap<String, Vec<(Option<String>, serde_json::Value)>>,
}

impl MemoryFolder {
    /// Record one response (one call, all its pages merged).
    pub fn put(
        &mut self,
        op: &crate::source::operations::Operation,
        param: Option<String>,
        value: serde_json::Value,
    ) {
        self.responses
            .entry(op.file())
            .or_default()
            .push((param, value));
    }

    /// Take in what another read of the same account and place gathered
    /// (its operations are other than this one's).
    pub fn absorb(&mut self, other: MemoryFolder) {
        self.responses.extend(other.responses);
    }
}

/// Where to look for one operation's output: a folder on disk, or
/// responses in memory laid out the same way.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder, or a label naming where in-memory responses came from.
    pub path: PathBuf,
    /// In-memory responses, looked up layer by layer (a region's own, then
    /// the account's global ones), shared rather than copied.
    memory: Vec<std::sync::Arc<MemoryFolder>>,
}

/// The outcome of looking for an operation's output.
pub enum Found<T> {
    /// No file: the operation was not collected.
    Missing,
    /// One parsed value per file, with the parameter the file is named after
    /// (`None` for the single `<operation>.json`).
    Files(Vec<(Option<String>, T)>),
}

impl Folder {
    pub fn new(path: impl Into<PathBuf>) -> Folder {
        Folder {
            path: path.into(),
            memory: Vec::new(),
        }
    }

    /// Responses in memory: `layers` are searched in order, so an
    /// operation is answered by the first layer that holds it.
    pub fn in_memory(
        label: impl Into<PathBuf>,
        layers: Vec<std::sync::Arc<MemoryFolder>>,
    ) -> Folder {
        Folder {
            path: label.into(),
            memory: layers,
        }
    }

    /// Why this folder on disk cannot be read, if it cannot (responses
    /// in memory always can).
    pub fn unreadable(&self) -> Option<String> {
        if self.is_memory() {
            return None;
        }
        std::fs::read_dir(&self.path)
            .err()
            .map(|e| format!("cannot read folder {}: {e}", self.path.display()))
    }

    fn is_memory(&self) -> bool {
        !self.memory.is_empty()
    }

    fn in_layers(&self, name: &str) -> Option<&Vec<(Option<String>, serde_json::Value)>> {
        self.memory.iter().find_map(|m| m.responses.get(name))
    }

    /// The path of `<name>.json`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(format!("{name}.json"))
    }

    pub fn has(&self, name: &str) -> bool {
        if self.is_memory() {
            self.in_layers(name).is_some()
        } else {
            self.file(name).is_file() || self.path.join(name).is_dir()
        }
    }

    /// Read `<name>.json` and every file of the folder `<name>/` (named by
    /// the URL-quoted parameter, with or without `.json`). Files that do not
    /// parse are reported in `problems` and skipped.
    pub fn read<T: DeserializeOwned>(&self, name: &str, problems: &mut Vec<Problem>) -> Found<T> {
        if self.is_memory() {
            let Some(list) = self.in_layers(name) else {
                return Found::Missing;
            };
            let mut out = Vec::new();
            for (param, value) in list {
                let strict = serde_path_to_error::deserialize::<_, T>(value);
                let parsed = match strict {
                    Ok(v) => Ok(v),
                    Err(e) => match lenient(|| serde_path_to_error::deserialize::<_, T>(value)) {
                        (Ok(v), skipped) if !skipped.is_empty() => {
                            problems.extend(skipped.into_iter().map(|message| Problem {
                                file: self.file(name),
                                message,
                            }));
                            Ok(v)
                        }
                        _ => Err(e),
                    },
                };
                match parsed {
                    Ok(v) => out.push((param.clone(), v)),
                    Err(e) => problems.push(Problem {
                        file: self.file(name),
                        message: format!("unexpected answer at {}: {}", e.path(), e.inner()),
                    }),
                }
            }
            return Found::Files(out);
        }
        let mut out = Vec::new();
        let mut any = false;
        let single = self.file(name);
        if single.is_file() {
            any = true;
            match parse_file_keeping(&single, problems) {
                Ok(v) => out.push((None, v)),
                Err(p) => problems.push(p),
            }
        }
        let dir = self.path.join(name);
        if dir.is_dir() {
            any = true;
            let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
                Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
                Err(e) => {
                    problems.push(Problem {
                        file: dir.clone(),
                        message: format!("cannot list: {e}"),
                    });
                    Vec::new()
                }
            };
            entries.sort();
            for file in entries.into_iter().filter(|p| p.is_file()) {
                let Some(stem) = file.file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                if stem.starts_with('.') {
                    continue;
                }
                let stem = stem.strip_suffix(".json").unwrap_or(stem);
                match parse_file_keeping(&file, problems) {
                    Ok(v) => out.push((Some(unquote_plus(stem)), v)),
                    Err(p) => problems.push(p),
                }
            }
        }
        if any {
            Found::Files(out)
        } else {
            Found::Missing
        }
    }

    /// The file's modification time, for the collection time of an import.
    pub fn modified(&self, name: &str) -> Option<std::time::SystemTime> {
        if self.is_memory() {
            return None;
        }
        std::fs::metadata(self.file(name))
            .or_else(|_| std::fs::metadata(self.path.join(name)))
            .and_then(|m| m.modified())
            .ok()
    }
}

/// Undo Python's `urllib.parse.quote_plus`, which CloudMapper uses to name
/// the per-parameter files: `+` is a space, `%XX` a byte.
pub fn unquote_plus(text: &str) -> String {
    let spaced = text.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// An AWS timestamp as the CLI, boto3 or the SDKs print it: RFC 3339 text,
/// a space-separated variant, or seconds since the epoch. Text that is none
/// of these (`N/A`, `no_information`) reads as no time at all.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if t.len() > 10 && t.as_bytes()[10] == b' ' {
        let fixed = format!("{}T{}", &t[..10], &t[11..]);
        if let Ok(d) = DateTime::parse_from_rfc3339(&fixed) {
            return Some(d.with_timezone(&Utc));
        }
        if let Ok(n) = NaiveDateTime::parse_from_str(&fixed, "%Y-%m-%dT%H:%M:%S%.f") {
            return Some(n.and_utc());
        }
    }
    if let Ok(n) = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(n.and_utc());
    }
    t.parse::<f64>().ok().and_then(epoch)
}

fn epoch(secs: f64) -> Option<DateTime<Utc>> {
    if !secs.is_finite() || secs.abs() > 1e13 {
        return None;
    }
    let whole = secs.trunc() as i64;
    let nanos = ((secs - secs.trunc()) * 1e9).clamp(0.0, 999_999_999.0) as u32;
    DateTime::from_timestamp(whole, nanos)
}

/// Serde helper for optional timestamps in any of the forms [`parse_time`] accepts.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(f64),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        Some(Raw::Text(t)) => parse_time(&t),
        Some(Raw::Number(n)) => epoch(n),
        None => None,
    })
}

/// EC2's `[{"Key": …, "Value": …}]` tag list.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
}

pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone().unwrap_or_default()))
        .collect()
}

/// The account of an ARN (`arn:aws:service:region:ACCOUNT:…`), if it has one.
pub fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.split(':').nth(4)?;
    crate::graph::is_account_id(account).then_some(account)
}

/// The region of an ARN, if it has one.
pub fn arn_region(arn: &str) -> Option<&str> {
    let region = arn.split(':').nth(3)?;
    (!region.is_empty()).then_some(region)
}

#[cfg(test)]
mod encoding_tests {
    use super::*;

    #[test]
    fn byte_order_marks_and_utf16_are_read() {
        let json = r#"{"Vpcs": []}"#;
        let mut bom = vec![0xef, 0xbb, 0xbf];
        bom.extend_from_slice(json.as_bytes());
        let v: serde_json::Value = parse_bytes(&bom).expect("UTF-8 with a BOM");
        assert!(v["Vpcs"].is_array());
        let mut le = vec![0xff, 0xfe];
        le.extend(json.encode_utf16().flat_map(u16::to_le_bytes));
        let v: serde_json::Value = parse_bytes(&le).expect("UTF-16LE");
        assert!(v["Vpcs"].is_array());
        let be: Vec<u8> = json.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let v: serde_json::Value = parse_bytes(&be).expect("UTF-16BE without a BOM");
        assert!(v["Vpcs"].is_array());
        let broken = [0xff, 0xfe, 0x00, 0xd8];
        let e = parse_bytes::<serde_json::Value>(&broken).expect_err("a lone surrogate");
        assert!(e.contains("UTF-16LE"), "{e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_form() {
        let want = DateTime::parse_from_rfc3339("2024-03-01T12:00:00Z")
            .expect("valid")
            .with_timezone(&Utc);
        assert_eq!(parse_time("2024-03-01T12:00:00Z"), Some(want));
        assert_eq!(parse_time("2024-03-01T12:00:00+00:00"), Some(want));
        assert_eq!(parse_time("2024-03-01 12:00:00+00:00"), Some(want));
        assert_eq!(parse_time("2024-03-01T12:00:00.000Z"), Some(want));
        assert_eq!(parse_time("1709294400"), Some(want));
        assert_eq!(parse_time("N/A"), None);
        assert_eq!(parse_time("1e300"), None);
    }

    #[test]
    fn unquotes_like_python() {
        assert_eq!(
            unquote_plus(
                "arn%3Aaws%3Aelasticloadbalancing%3Aus-east-1%3A1%3Aloadbalancer%2Fapp%2Fa+b%2F1"
            ),
            "arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a b/1"
        );
    }

    #[test]
    fn errors_name_the_json_path() {
        #[derive(Debug, Deserialize)]
        struct Outer {
            #[serde(rename = "Items")]
            _items: Vec<Inner>,
        }
        #[derive(Debug, Deserialize)]
        struct Inner {
            #[serde(rename = "Port")]
            _port: u16,
        }
        let err = parse_bytes::<Outer>(br#"{"Items": [{"Port": 1}, {"Port": "x"}]}"#)
            .expect_err("wrong type");
        assert!(err.contains("Items[1].Port"), "{err}");
        assert!(
            parse_bytes::<Outer>(b"  ")
                .expect_err("empty")
                .contains("empty")
        );
        assert!(
            parse_bytes::<Outer>(br#"{"Items": ["#)
                .expect_err("truncated")
                .contains("line 1")
        );
    }
}

/// A per-item file that may hold the API's error answer instead
/// (`{"Error": {"Code": "NoSuchBucketPolicy", …}}`): asked, and AWS said
/// there is none — unlike an absent file, which is not collected.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum OrError<T> {
    Error {
        #[serde(rename = "Error")]
        error: ErrorBody,
    },
    Answer(T),
}

#[derive(Deserialize)]
pub struct ErrorBody {
    #[serde(rename = "Code")]
    pub code: String,
}

impl<T> OrError<T> {
    /// The answer converted, or the error's code.
    pub fn answer<U>(self, convert: impl FnOnce(T) -> U) -> crate::model::Answer<U> {
        match self {
            OrError::Error { error } => crate::model::Answer::None { code: error.code },
            OrError::Answer(v) => crate::model::Answer::Value(convert(v)),
        }
    }
}
