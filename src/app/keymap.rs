//! Key bindings as data: each action, its keys and what it does. The help
//! screen and the status line are generated from this table, and the
//! config file may rebind any action.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;

/// What a key does in normal mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Quit,
    Back,
    HistoryBack,
    HistoryForward,
    Open,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Command,
    Filter,
    Find,
    Help,
    Copy,
    Export,
    NextTab,
    PrevTab,
    DetailTab,
    RelationsTab,
    WhyTab,
    FourthTab,
    FifthTab,
    Why,
    Blast,
    Respond,
    Toggle,
    SortNext,
    SortReverse,
    ToggleSide,
    Ask,
    NextEvidence,
    PrevEvidence,
    Overview,
    Exposed,
    Findings,
}

/// A key with its modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Key {
        // Shift is part of the character for letters and symbols, and of
        // BackTab (terminals send Shift-Tab as BackTab with SHIFT set).
        let mods = match e.code {
            KeyCode::Char(_) | KeyCode::BackTab => e.modifiers - KeyModifiers::SHIFT,
            _ => e.modifiers,
        };
        Key { code: e.code, mods }
    }

    /// `q`, `ctrl-c`, `enter`, `esc`, `up`, `pgdn`, `tab`, `backtab`, `f1`, `?`.
    pub fn parse(text: &str) -> Result<Key, String> {
        let lower = text.to_ascii_lowercase();
        let (mods, rest) = if let Some(r) = lower.strip_prefix("ctrl-") {
            (KeyModifiers::CONTROL, r.to_string())
        } else if let Some(r) = lower.strip_prefix("alt-") {
            (KeyModifiers::ALT, r.to_string())
        } else {
            (KeyModifiers::NONE, text.to_string())
        };
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" | "pageup" => KeyCode::PageUp,
            "pgdn" | "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "tab" => KeyCode::Tab,
            "backtab" | "shift-tab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(c),
                    _ => return Err(format!("unknown key {text:?}")),
                }
            }
        };
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            _ => f.write_str("?"),
        }
    }
}

/// One binding: an action, its keys, and the words for help.
#[derive(Debug, Clone)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Key>,
    pub description: &'static str,
    /// The word for the status line, for the most used ones.
    pub status: Option<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

const DEFAULTS: &[(Action, &[&str], &str, Option<&str>)] = &[
    (
        Action::Open,
        &["enter", "right"],
        "open the selected item (follow a relationship)",
        Some("open"),
    ),
    (
        Action::Back,
        &["esc", "left"],
        "back to the previous view",
        Some("back"),
    ),
    (Action::HistoryBack, &["["], "history: back", None),
    (Action::HistoryForward, &["]"], "history: forward", None),
    (Action::Up, &["up", "k"], "move up", None),
    (Action::Down, &["down", "j"], "move down", None),
    (Action::PageUp, &["pgup", "ctrl-b"], "page up", None),
    (Action::PageDown, &["pgdn", "ctrl-f"], "page down", None),
    (Action::Top, &["home", "g"], "first row", None),
    (Action::Bottom, &["end", "G"], "last row", None),
    (
        Action::Command,
        &[":"],
        "command mode (:sg, :exposed, :why ID, :account ID, …)",
        Some("command"),
    ),
    (
        Action::Filter,
        &["/"],
        "filter the current list",
        Some("filter"),
    ),
    (
        Action::Find,
        &["f", "ctrl-p"],
        "find any resource by name, id, ARN or tag (sg:web)",
        Some("find"),
    ),
    (
        Action::NextTab,
        &["tab"],
        "next tab (detail, relationships, why or permissions, blast, respond)",
        None,
    ),
    (Action::PrevTab, &["backtab"], "previous tab", None),
    (Action::DetailTab, &["1"], "detail tab", None),
    (Action::RelationsTab, &["2"], "relationships tab", None),
    (
        Action::WhyTab,
        &["3"],
        "third tab: why exposed, permissions or blast radius",
        None,
    ),
    (Action::FourthTab, &["4"], "fourth tab", None),
    (Action::FifthTab, &["5"], "fifth tab", None),
    (
        Action::Why,
        &["w"],
        "why exposed: the path or what blocks it",
        Some("why"),
    ),
    (
        Action::Blast,
        &["b"],
        "blast radius: what an attacker on it reaches",
        Some("blast"),
    ),
    (
        Action::Respond,
        &["R"],
        "respond: what to do now, step by step, commands filled in",
        Some("respond"),
    ),
    (
        Action::Toggle,
        &["space"],
        "blast radius: show or hide the evidence under the cursor",
        None,
    ),
    (
        Action::Ask,
        &["a"],
        "ask about a port (why view), or what a user or role can do",
        None,
    ),
    (
        Action::NextEvidence,
        &["n"],
        "next statement behind a finding (Enter opens its policy)",
        None,
    ),
    (
        Action::PrevEvidence,
        &["N"],
        "previous statement behind a finding",
        None,
    ),
    (Action::SortNext, &["s"], "sort by the next column", None),
    (Action::SortReverse, &["S"], "reverse the sort", None),
    (
        Action::Copy,
        &["y"],
        "copy the id or ARN (OSC 52: works over SSH)",
        Some("copy"),
    ),
    (
        Action::Export,
        &["e"],
        "export the view as Markdown and JSON",
        Some("export"),
    ),
    (
        Action::ToggleSide,
        &["p"],
        "show or hide the side pane",
        None,
    ),
    (Action::Overview, &["o"], "overview", None),
    (Action::Exposed, &["x"], "exposed resources", None),
    (Action::Findings, &["F"], "GuardDuty findings", None),
    (Action::Help, &["?"], "this help", Some("help")),
    (Action::Quit, &["q", "ctrl-c"], "quit", Some("quit")),
];

impl Default for Keymap {
    fn default() -> Keymap {
        let bindings = DEFAULTS
            .iter()
            .map(|(action, keys, description, status)| Binding {
                action: *action,
                keys: keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
                description,
                status: *status,
            })
            .collect();
        Keymap { bindings }
    }
}

impl Keymap {
    /// The defaults with the user's rebindings (`action = ["key", …]`).
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let action: Action = serde_json::from_value(serde_json::Value::String(name.clone()))
                .map_err(|_| format!("unknown action {name:?} in [keys]"))?;
            let parsed: Vec<Key> = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<_, _>>()?;
            // A key now bound here leaves any other action.
            for b in &mut map.bindings {
                b.keys.retain(|k| !parsed.contains(k));
            }
            if let Some(b) = map.bindings.iter_mut().find(|b| b.action == action) {
                b.keys = parsed;
            }
        }
        Ok(map)
    }

    pub fn action(&self, key: &KeyEvent) -> Option<Action> {
        let k = Key::from_event(key);
        self.bindings
            .iter()
            .find(|b| b.keys.contains(&k))
            .map(|b| b.action)
    }

    /// The first key of an action, for the status line.
    pub fn key_of(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(ToString::to_string)
            .unwrap_or_else(|| "-".to_string())
    }

    /// Help lines: keys and what they do, in table order.
    pub fn help(&self) -> Vec<(String, &'static str)> {
        self.bindings
            .iter()
            .map(|b| {
                (
                    b.keys
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" "),
                    b.description,
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print() {
        assert_eq!(
            Key::parse("ctrl-c").expect("ok"),
            Key {
                code: KeyCode::Char('c'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(Key::parse("G").expect("ok").code, KeyCode::Char('G'));
        assert_eq!(Key::parse("pgdn").expect("ok").to_string(), "pgdn");
        assert!(Key::parse("hyper-x").is_err());
    }

    #[test]
    fn overrides_rebind_and_free_the_key() {
        let map = Keymap::with_overrides(&BTreeMap::from([(
            "quit".to_string(),
            vec!["x".to_string()],
        )]))
        .expect("ok");
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(map.action(&x), Some(Action::Quit));
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q), None);
        assert!(Keymap::with_overrides(&BTreeMap::from([("fly".to_string(), vec![])])).is_err());
    }

    #[test]
    fn shift_tab_arrives_as_backtab_with_shift_and_still_matches() {
        let map = Keymap::default();
        let shift_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.action(&shift_tab), Some(Action::PrevTab));
    }

    #[test]
    fn shifted_letters_match_their_character() {
        let map = Keymap::default();
        let big_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&big_g), Some(Action::Bottom));
    }
}
