//! Themes: colours named by what they mean (severity, exposed, blocked,
//! selected, muted, …), from `themes/*.toml` embedded in the binary or from
//! the user's config directory. `NO_COLOR` turns colour off; meaning is
//! always carried by words and badges as well.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The built-in themes, embedded at build time.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("dark", include_str!("../themes/dark.toml")),
    ("light", include_str!("../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.toml"),
    ),
];

/// The roles a theme colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Text,
    Muted,
    Accent,
    Title,
    Border,
    Header,
    Selected,
    Critical,
    High,
    Medium,
    Low,
    Exposed,
    Blocked,
    Ok,
    Warning,
    Error,
    JsonKey,
    JsonString,
    JsonNumber,
    JsonLiteral,
}

impl Role {
    const ALL: &'static [(Role, &'static str)] = &[
        (Role::Text, "text"),
        (Role::Muted, "muted"),
        (Role::Accent, "accent"),
        (Role::Title, "title"),
        (Role::Border, "border"),
        (Role::Header, "header"),
        (Role::Selected, "selected"),
        (Role::Critical, "critical"),
        (Role::High, "high"),
        (Role::Medium, "medium"),
        (Role::Low, "low"),
        (Role::Exposed, "exposed"),
        (Role::Blocked, "blocked"),
        (Role::Ok, "ok"),
        (Role::Warning, "warning"),
        (Role::Error, "error"),
        (Role::JsonKey, "json-key"),
        (Role::JsonString, "json-string"),
        (Role::JsonNumber, "json-number"),
        (Role::JsonLiteral, "json-literal"),
    ];
}

#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    styles: BTreeMap<Role, Style>,
    /// `NO_COLOR`: only bold, reverse and underline.
    pub monochrome: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "no theme named {0:?} (built in: dark, light, high-contrast; or a file in the config folder's themes/)"
    )]
    Unknown(String),
    #[error("theme {name}: {message}")]
    Invalid { name: String, message: String },
}

/// A theme file: `name` (optional, informative) and `[roles]`; anything
/// else (a misspelt `[colours]`) is refused, not silently ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default, rename = "name")]
    _name: Option<String>,
    #[serde(default)]
    roles: BTreeMap<String, String>,
}

/// Parse `"bold black on cyan"`, `"#8a6d00"`, `"light-red"`, `"17"`.
pub fn parse_style(text: &str) -> Result<Style, String> {
    let mut style = Style::default();
    let words = text.split_whitespace();
    let mut on = false;
    for w in words {
        match w.to_ascii_lowercase().as_str() {
            "bold" => style = style.add_modifier(Modifier::BOLD),
            "italic" => style = style.add_modifier(Modifier::ITALIC),
            "underline" | "underlined" => style = style.add_modifier(Modifier::UNDERLINED),
            "reverse" | "reversed" => style = style.add_modifier(Modifier::REVERSED),
            "dim" => style = style.add_modifier(Modifier::DIM),
            "on" => on = true,
            colour => {
                let c = Color::from_str(colour)
                    .map_err(|_| format!("unknown colour {colour:?} in {text:?}"))?;
                style = if on { style.bg(c) } else { style.fg(c) };
            }
        }
    }
    Ok(style)
}

impl Theme {
    /// The theme `name`: a user file `<config>/themes/NAME.toml` first, then
    /// the built-in one. A user file overrides only the roles it sets, over
    /// the built-in theme of the same name or else `dark`.
    pub fn load(
        name: &str,
        config_dir: Option<&Path>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        let built_in = BUILT_IN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
        let user = config_dir
            .map(|d| d.join("themes").join(format!("{name}.toml")))
            .filter(|p| p.is_file())
            .map(|p| {
                std::fs::read_to_string(&p).map_err(|e| ThemeError::Invalid {
                    name: name.into(),
                    message: format!("{}: {e}", p.display()),
                })
            })
            .transpose()?;
        if built_in.is_none() && user.is_none() {
            return Err(ThemeError::Unknown(name.to_string()));
        }
        let base = built_in.unwrap_or(BUILT_IN[0].1);
        let mut theme = Theme::from_toml(name, base)?;
        if let Some(text) = user {
            theme.overlay(name, &text)?;
        }
        theme.monochrome = no_color;
        Ok(theme)
    }

    fn from_toml(name: &str, text: &str) -> Result<Theme, ThemeError> {
        let mut t = Theme {
            name: name.to_string(),
            styles: BTreeMap::new(),
            monochrome: false,
        };
        t.overlay(name, text)?;
        for (role, key) in Role::ALL {
            if !t.styles.contains_key(role) {
                return Err(ThemeError::Invalid {
                    name: name.into(),
                    message: format!("role {key} is not set"),
                });
            }
        }
        Ok(t)
    }

    fn overlay(&mut self, name: &str, text: &str) -> Result<(), ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Invalid {
            name: name.into(),
            message: e.to_string(),
        })?;
        for (key, value) in file.roles {
            let Some((role, _)) = Role::ALL.iter().find(|(_, k)| *k == key) else {
                return Err(ThemeError::Invalid {
                    name: name.into(),
                    message: format!("unknown role {key:?}"),
                });
            };
            let style = parse_style(&value).map_err(|message| ThemeError::Invalid {
                name: name.into(),
                message,
            })?;
            self.styles.insert(*role, style);
        }
        Ok(())
    }

    /// The style of a role.
    pub fn style(&self, role: Role) -> Style {
        let s = self.styles.get(&role).copied().unwrap_or_default();
        if !self.monochrome {
            return s;
        }
        // Without colour, keep emphasis that carries meaning.
        let mono = Style::default().add_modifier(s.add_modifier);
        match role {
            Role::Selected | Role::Header => mono.add_modifier(Modifier::REVERSED),
            Role::Critical | Role::Exposed | Role::Title => mono.add_modifier(Modifier::BOLD),
            _ => mono,
        }
    }

    pub fn severity(&self, s: crate::model::Severity) -> Style {
        use crate::model::Severity;
        self.style(match s {
            Severity::Critical => Role::Critical,
            Severity::High => Role::High,
            Severity::Medium => Role::Medium,
            Severity::Low => Role::Low,
        })
    }

    /// Names of every theme available: built in and in the config folder.
    pub fn available(config_dir: Option<&Path>) -> Vec<String> {
        let mut names: Vec<String> = BUILT_IN.iter().map(|(n, _)| n.to_string()).collect();
        if let Some(rd) = config_dir.and_then(|d| std::fs::read_dir(d.join("themes")).ok()) {
            for e in rd.filter_map(Result::ok) {
                if let Some(stem) = e.path().file_stem().and_then(|s| s.to_str()) {
                    if e.path().extension().is_some_and(|x| x == "toml")
                        && !names.iter().any(|n| n == stem)
                    {
                        names.push(stem.to_string());
                    }
                }
            }
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_table_is_refused() {
        let mut t = Theme::load("dark", None, false).expect("dark");
        let e = t
            .overlay("mine", "[colours]\ntext = \"red\"\n")
            .expect_err("refused");
        assert!(e.to_string().contains("colours"), "{e}");
    }

    /// xterm's default palette, as most terminals ship it.
    fn rgb(c: Color) -> (u8, u8, u8) {
        match c {
            Color::Black => (0, 0, 0),
            Color::Red => (0xcd, 0, 0),
            Color::Green => (0, 0xcd, 0),
            Color::Yellow => (0xcd, 0xcd, 0),
            Color::Blue => (0, 0, 0xee),
            Color::Magenta => (0xcd, 0, 0xcd),
            Color::Cyan => (0, 0xcd, 0xcd),
            Color::Gray => (0xe5, 0xe5, 0xe5),
            Color::DarkGray => (0x7f, 0x7f, 0x7f),
            Color::LightRed => (0xff, 0, 0),
            Color::LightGreen => (0, 0xff, 0),
            Color::LightYellow => (0xff, 0xff, 0),
            Color::LightBlue => (0x5c, 0x5c, 0xff),
            Color::LightMagenta => (0xff, 0, 0xff),
            Color::LightCyan => (0, 0xff, 0xff),
            Color::White => (0xff, 0xff, 0xff),
            Color::Rgb(r, g, b) => (r, g, b),
            Color::Indexed(i) if i < 16 => rgb([
                Color::Black,
                Color::Red,
                Color::Green,
                Color::Yellow,
                Color::Blue,
                Color::Magenta,
                Color::Cyan,
                Color::Gray,
                Color::DarkGray,
                Color::LightRed,
                Color::LightGreen,
                Color::LightYellow,
                Color::LightBlue,
                Color::LightMagenta,
                Color::LightCyan,
                Color::White,
            ][usize::from(i)]),
            Color::Indexed(i) if i >= 232 => {
                let v = 8 + 10 * (i - 232);
                (v, v, v)
            }
            Color::Indexed(i) => {
                let level = |x: u8| if x == 0 { 0 } else { 55 + 40 * x };
                let i = i - 16;
                (level(i / 36), level((i / 6) % 6), level(i % 6))
            }
            Color::Reset => (0x80, 0x80, 0x80),
        }
    }

    /// WCAG 2's relative luminance and contrast ratio.
    fn contrast(a: Color, b: Color) -> f64 {
        let lum = |c: Color| {
            let (r, g, b) = rgb(c);
            let lin = |v: u8| {
                let s = f64::from(v) / 255.0;
                if s <= 0.03928 {
                    s / 12.92
                } else {
                    ((s + 0.055) / 1.055).powf(2.4)
                }
            };
            0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
        };
        let (x, y) = (lum(a), lum(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn every_role_of_every_built_in_theme_is_readable_on_its_background() {
        let mut failures = Vec::new();
        for (name, _) in BUILT_IN {
            let t = Theme::load(name, None, false).expect("theme");
            // The terminal's own colours each theme is made for.
            let (page, ink) = if *name == "light" {
                (Color::White, Color::Black)
            } else {
                (Color::Black, Color::Gray)
            };
            for (role, label) in Role::ALL {
                let style = t.style(*role);
                let fg = style.fg.unwrap_or(ink);
                let bg = style.bg.unwrap_or(page);
                // Text needs 4.5:1; a border is a component: 3:1.
                let needed = if *role == Role::Border { 3.0 } else { 4.5 };
                let ratio = contrast(fg, bg);
                if ratio < needed {
                    failures.push(format!("{name} {label}: {fg:?} on {bg:?} is {ratio:.2}:1"));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn every_built_in_theme_sets_every_role() {
        for (name, _) in BUILT_IN {
            Theme::load(name, None, false).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn styles_parse_and_errors_name_the_problem() {
        let s = parse_style("bold black on cyan").expect("parses");
        assert_eq!(s.fg, Some(Color::Black));
        assert_eq!(s.bg, Some(Color::Cyan));
        assert!(s.add_modifier.contains(Modifier::BOLD));
        assert_eq!(
            parse_style("#8a6d00").expect("hex").fg,
            Some(Color::Rgb(0x8a, 0x6d, 0))
        );
        assert!(
            parse_style("bright-plaid")
                .expect_err("bad")
                .contains("bright-plaid")
        );
        assert!(matches!(
            Theme::load("nope", None, false),
            Err(ThemeError::Unknown(_))
        ));
    }

    #[test]
    fn a_user_theme_overrides_only_what_it_sets() {
        let dir = std::env::temp_dir().join(format!("skyhound-theme-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("themes")).expect("mkdir");
        std::fs::write(
            dir.join("themes/mine.toml"),
            "[roles]\ncritical = \"bold magenta\"\n",
        )
        .expect("write");
        let t = Theme::load("mine", Some(&dir), false).expect("loads");
        assert_eq!(t.style(Role::Critical).fg, Some(Color::Magenta));
        assert_eq!(
            t.style(Role::Text).fg,
            Some(Color::White),
            "the rest comes from dark"
        );
        std::fs::write(dir.join("themes/bad.toml"), "[roles]\nnonsense = \"red\"\n")
            .expect("write");
        assert!(
            Theme::load("bad", Some(&dir), false)
                .expect_err("bad")
                .to_string()
                .contains("nonsense")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn no_color_keeps_only_emphasis() {
        let t = Theme::load("dark", None, true).expect("loads");
        assert_eq!(t.style(Role::Critical).fg, None);
        assert!(
            t.style(Role::Selected)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }
}
