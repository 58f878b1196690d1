//! Durations printed the way Go (and so Terraform users) write them.

use std::time::Duration;

/// Formats like Go's `time.Duration.String`: `1h30m0s`, `5m0s`, `45s`, `1.5s`, `500ms`, `0s`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    if nanos == 0 {
        return "0s".into();
    }
    if nanos < 1_000 {
        return format!("{nanos}ns");
    }
    if nanos < 1_000_000 {
        return with_fraction(nanos / 1_000, nanos % 1_000, 3, "µs");
    }
    if nanos < 1_000_000_000 {
        return with_fraction(nanos / 1_000_000, nanos % 1_000_000, 6, "ms");
    }
    let secs = d.as_secs();
    let (hours, minutes, seconds) = (secs / 3600, secs / 60 % 60, secs % 60);
    let seconds = with_fraction(u128::from(seconds), u128::from(d.subsec_nanos()), 9, "s");
    match (hours, minutes) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

/// `whole.fraction` with the fraction's trailing zeros dropped, as Go does.
fn with_fraction(whole: u128, fraction: u128, digits: usize, unit: &str) -> String {
    if fraction == 0 {
        return format!("{whole}{unit}");
    }
    let fraction = format!("{fraction:0digits$}");
    format!("{whole}.{}{unit}", fraction.trim_end_matches('0'))
}
