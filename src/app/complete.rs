//! Tab completion in command mode: command names, then each command's
//! argument (accounts by id, name or alias; regions; themes; resources by
//! name or id), cycling through the choices on repeated Tab.

use super::COMMANDS;
use super::data::Data;

/// Every way to complete `text`, as whole command lines, in order.
pub fn candidates(d: Option<&Data>, text: &str) -> Vec<String> {
    let Some((cmd, arg)) = text.split_once(' ') else {
        return COMMANDS
            .iter()
            .map(|(c, _)| *c)
            .filter(|c| c.starts_with(text))
            .map(|c| format!("{c} "))
            .collect();
    };
    let arg = arg.trim_start();
    let lower = arg.to_lowercase();
    let starts = |choice: &str| choice.to_lowercase().starts_with(&lower);
    let choices: Vec<String> = match (cmd, d) {
        ("account" | "ctx", Some(d)) => {
            let mut out: Vec<String> = Vec::new();
            for a in &d.graph.collection().accounts {
                if starts(a) {
                    out.push(a.clone());
                }
                out.extend(
                    d.graph
                        .account_names(a)
                        .filter(|n| starts(n))
                        .map(str::to_string),
                );
            }
            out.push("all".into());
            out.retain(|c| starts(c));
            out
        }
        ("region", Some(d)) => d
            .graph
            .collection()
            .regions
            .iter()
            .cloned()
            .chain(std::iter::once("all".to_string()))
            .filter(|r| starts(r))
            .collect(),
        ("check" | "checks", _) => crate::analysis::checks::ALL
            .iter()
            .map(|c| c.id.to_string())
            .filter(|c| starts(c))
            .collect(),
        ("theme", _) => crate::theme::BUILT_IN
            .iter()
            .map(|(name, _)| name.to_string())
            .filter(|t| starts(t))
            .collect(),
        ("why", Some(d)) if !arg.is_empty() => {
            // Names first, then ids; a bounded few.
            let mut out: Vec<String> = d
                .graph
                .nodes()
                .filter_map(|(_, n)| n.name.as_deref().filter(|x| starts(x)))
                .map(str::to_string)
                .collect();
            out.sort();
            out.dedup();
            let ids = d
                .graph
                .nodes()
                .map(|(_, n)| n.id.as_str())
                .filter(|x| starts(x))
                .map(str::to_string);
            out.extend(ids);
            out.truncate(50);
            out
        }
        _ => Vec::new(),
    };
    let mut seen = std::collections::HashSet::new();
    choices
        .into_iter()
        .filter(|c| seen.insert(c.clone()))
        .map(|c| format!("{cmd} {c}"))
        .collect()
}

/// The longest start the candidates share.
pub fn common_prefix(candidates: &[String]) -> String {
    let Some(first) = candidates.first() else {
        return String::new();
    };
    let mut len = first.len();
    for c in &candidates[1..] {
        len = len.min(
            first
                .char_indices()
                .zip(c.chars())
                .take_while(|((_, a), b)| a == b)
                .last()
                .map(|((i, a), _)| i + a.len_utf8())
                .unwrap_or(0),
        );
    }
    first[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_complete_from_the_data() {
        let d = Data::build(crate::source::demo::graph(), Vec::new());
        assert_eq!(candidates(Some(&d), "exp"), vec!["exposed ".to_string()]);
        assert!(candidates(Some(&d), "account bill").contains(&"account bill-company".to_string()));
        assert!(candidates(Some(&d), "account 5").contains(&"account 555555555555".to_string()));
        assert_eq!(
            candidates(Some(&d), "region us-w"),
            vec!["region us-west-2".to_string()]
        );
        assert_eq!(
            candidates(Some(&d), "theme h"),
            vec!["theme high-contrast".to_string()]
        );
        assert!(candidates(Some(&d), "why bill-d").contains(&"why bill-database".to_string()));
        assert_eq!(
            common_prefix(&["region us-east-1".into(), "region us-west-2".into()]),
            "region us-"
        );
    }
}
