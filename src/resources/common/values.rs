//! Reading typed values out of Terraform values, with a diagnostic for each invalid one.

use std::time::Duration;

use crate::protocol::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use crate::protocol::value::Value;

/// The longest duration any argument takes: long enough for a week-long canary, short enough that
/// every sum and deadline computed from durations stays far from overflowing.
pub const MAX_DURATION: Duration = Duration::from_secs(30 * 24 * 3600);

/// A Go-style duration (`"90s"`, `"5m"`, `"1h30m"`), at most [`MAX_DURATION`]; None when null,
/// unknown or invalid.
pub fn duration(v: &Value, path: AttrPath, diags: &mut Diagnostics) -> Option<Duration> {
    let s = v.as_str()?;
    match humantime::parse_duration(s.trim()) {
        Ok(d) if d <= MAX_DURATION => Some(d),
        Ok(_) => {
            diags.push(
                Diagnostic::error(
                    format!("Duration {s:?} is too long"),
                    "Durations are at most 30 days (\"720h\"); use a shorter one.",
                )
                .at(path),
            );
            None
        }
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    format!("Invalid duration {s:?}"),
                    "Write a duration such as \"90s\", \"5m\" or \"1h30m\".",
                )
                .at(path),
            );
            None
        }
    }
}

/// A whole number in `min..=max`; None when null, unknown or invalid.
pub fn whole_number(
    v: &Value,
    path: AttrPath,
    (min, max): (f64, f64),
    diags: &mut Diagnostics,
) -> Option<u32> {
    let n = v.as_f64()?;
    if n.fract() != 0.0 || n < min || n > max {
        diags.push(
            Diagnostic::error(
                format!("Invalid {path} {n}"),
                format!(
                    "`{}` must be a whole number from {min} to {max}.",
                    path.last_name()
                ),
            )
            .at(path),
        );
        return None;
    }
    Some(n as u32)
}

/// A published version number given as argument `name` (not `$LATEST`, an alias or `0`).
pub fn check_version(name: &str, v: &str, diags: &mut Diagnostics) {
    if v.is_empty() || !v.chars().all(|c| c.is_ascii_digit()) || v.starts_with('0') {
        diags.push(
            Diagnostic::error(
                format!("Invalid {name} {v:?}"),
                format!(
                    "Set `{name}` to a published version number such as \"3\" (not $LATEST, not \
                     an alias)."
                ),
            )
            .at(AttrPath::root(name)),
        );
    }
}

/// A function's name, as Lambda takes it in `function_name`: not an ARN, not qualified.
pub fn check_function_name(f: &str, diags: &mut Diagnostics) {
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if f.is_empty() || f.len() > 64 || !f.chars().all(allowed) {
        diags.push(
            Diagnostic::error(
                format!("Invalid function name {f:?}"),
                "Set `function_name` to the function's name (1 to 64 letters, digits, - or _), \
                 not an ARN.",
            )
            .at(AttrPath::root("function_name")),
        );
    }
}

pub fn string(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// An argument as the configuration gives it: absent (null), not known until apply, or known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input<T> {
    Absent,
    Unknown,
    Known(T),
}

impl<T> Input<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Input::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self, Input::Absent)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Input::Unknown)
    }
}

/// A string argument.
pub fn input_string(v: &Value) -> Input<String> {
    match v {
        Value::Null => Input::Absent,
        Value::Unknown => Input::Unknown,
        other => other
            .as_str()
            .map_or(Input::Unknown, |s| Input::Known(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_beyond_30_days_are_refused_with_their_path() {
        let mut diags = Diagnostics::default();
        let path = || AttrPath::root("timeouts").index(0).attr("update");
        assert_eq!(
            duration(&Value::string("720h"), path(), &mut diags),
            Some(MAX_DURATION)
        );
        for huge in ["721h", "18446744073709551615s", "500000000y"] {
            assert_eq!(
                duration(&Value::string(huge), path(), &mut diags),
                None,
                "{huge}"
            );
        }
        assert_eq!(diags.0.len(), 3, "{diags:?}");
        assert!(diags.0.iter().all(|d| d.path == Some(path())));
    }
}
