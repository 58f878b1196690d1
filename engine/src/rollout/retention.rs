//! Which old versions a successful deployment deletes (`retain_versions`), once the new version
//! serves 100%.

use crate::ports::AliasRouting;

/// Which older versions a successful deployment deletes, once the new version serves 100%.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retention {
    /// Only the version it replaced, without listing anything: Lambda refuses to delete a version
    /// any alias routes to (by weight too), and that refusal keeps it.
    Replaced,
    /// Every version below the serving one but the `n` highest and those an alias routes to,
    /// found by listing versions and aliases.
    KeepNewest(u32),
    /// None.
    KeepAll,
}

/// The version a deployment from `from` to `to` replaced, when there is one to delete: an older
/// numbered version than the one now serving.
pub fn replaced(from: Option<&str>, to: Option<&str>) -> Option<String> {
    let (from, to) = (from?, to?);
    let older = from.parse::<u64>().ok()? < to.parse::<u64>().ok()?;
    older.then(|| from.to_string())
}

/// Versions to delete once `serving` serves 100%. Kept: `serving`, every version any alias routes
/// to (by weight too), versions newer than `serving`, and the `retain` highest versions below it.
/// Anything that is not a plain number is never touched.
pub fn versions_to_delete(
    versions: &[String],
    aliases: &[(String, AliasRouting)],
    serving: &str,
    retain: u32,
) -> Vec<String> {
    let Ok(serving) = serving.parse::<u64>() else {
        return Vec::new();
    };
    let mut older: Vec<u64> = versions
        .iter()
        .filter_map(|v| v.parse::<u64>().ok())
        .filter(|v| *v < serving)
        .collect();
    older.sort_unstable_by(|a, b| b.cmp(a));
    older.dedup();
    let pinned = |v: &u64| {
        let v = v.to_string();
        aliases.iter().any(|(_, routing)| routing.routes_to(&v))
    };
    let mut doomed: Vec<u64> = older
        .into_iter()
        .skip(retain as usize)
        .filter(|v| !pinned(v))
        .collect();
    doomed.sort_unstable();
    doomed.into_iter().map(|v| v.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(version: &str, extra: Option<(&str, f64)>) -> AliasRouting {
        AliasRouting {
            version: version.into(),
            extra: extra.map(|(v, w)| (v.into(), w)),
            revision_id: "r".into(),
        }
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_what_the_rules_protect() {
        let versions = strings(&["1", "2", "3", "4", "5", "6", "7"]);
        let live = ("live".to_string(), routing("5", None));
        let dev = ("dev".to_string(), routing("2", None));
        let weighted = ("qa".to_string(), routing("7", Some(("1", 0.1))));
        // (aliases, serving, retain) -> deleted
        type Row<'a> = (Vec<(String, AliasRouting)>, &'a str, u32, &'a [&'a str]);
        let rows: Vec<Row> = vec![
            (vec![live.clone()], "5", 0, &["1", "2", "3", "4"]),
            (vec![live.clone()], "5", 1, &["1", "2", "3"]),
            (vec![live.clone()], "5", 2, &["1", "2"]),
            (vec![live.clone()], "5", 10, &[]),
            (vec![live.clone(), dev.clone()], "5", 0, &["1", "3", "4"]),
            (vec![live.clone(), dev.clone()], "5", 2, &["1"]),
            (
                vec![live.clone(), weighted.clone()],
                "5",
                0,
                &["2", "3", "4"],
            ),
            (vec![live.clone()], "1", 0, &[]),
            (vec![], "7", 0, &["1", "2", "3", "4", "5", "6"]),
            (vec![live.clone()], "$LATEST", 0, &[]),
        ];
        for (aliases, serving, retain, expected) in rows {
            assert_eq!(
                versions_to_delete(&versions, &aliases, serving, retain),
                strings(expected),
                "serving {serving} retain {retain} aliases {aliases:?}"
            );
        }
    }

    #[test]
    fn the_replaced_version_is_an_older_number() {
        assert_eq!(replaced(Some("6"), Some("7")), Some("6".to_string()));
        assert_eq!(replaced(Some("7"), Some("7")), None, "nothing replaced");
        assert_eq!(replaced(Some("8"), Some("7")), None, "a newer one stays");
        assert_eq!(replaced(None, Some("1")), None, "a first release");
        assert_eq!(replaced(Some("$LATEST"), Some("2")), None);
    }

    #[test]
    fn ignores_what_is_not_a_number() {
        let versions = strings(&["$LATEST", "x", "3", "10"]);
        assert_eq!(
            versions_to_delete(&versions, &[], "11", 0),
            strings(&["3", "10"])
        );
    }
}
