//! The user's config file (`<config dir>/config.toml`): default theme,
//! key rebindings and where exports go.
//!
//! ```toml
//! theme = "light"
//! export_dir = "~/incidents"
//!
//! [keys]
//! quit = ["q"]
//! find = ["ctrl-p", "f"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub theme: Option<String>,
    pub export_dir: Option<PathBuf>,
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
}

/// skyhound's folder in the platform's config directory
/// (`~/.config/skyhound` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "skyhound").map(|d| d.config_dir().to_path_buf())
}

/// Read `config.toml` from `dir`; no file is the default config.
pub fn load(dir: Option<&Path>) -> Result<Config, String> {
    let Some(path) = dir.map(|d| d.join("config.toml")).filter(|p| p.is_file()) else {
        return Ok(Config::default());
    };
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_config_and_names_errors() {
        let dir = std::env::temp_dir().join(format!("skyhound-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        assert!(load(Some(&dir)).expect("no file").theme.is_none());
        std::fs::write(
            dir.join("config.toml"),
            "theme = \"light\"\n[keys]\nquit = [\"x\"]\n",
        )
        .expect("write");
        let c = load(Some(&dir)).expect("reads");
        assert_eq!(c.theme.as_deref(), Some("light"));
        assert_eq!(c.keys["quit"], ["x"]);
        std::fs::write(dir.join("config.toml"), "colour = 3\n").expect("write");
        assert!(
            load(Some(&dir))
                .expect_err("unknown field")
                .contains("config.toml")
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
