//! hclog-style JSON log lines on stderr.
//!
//! go-plugin reads a plugin's stderr and re-logs every JSON line with an `@level` at that level,
//! so `TF_LOG=debug terraform apply` shows ours next to Terraform's. stdout is reserved for the
//! handshake line. The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`; unset means silent.
//! Callers pass only non-secret fields: nothing here inspects values, so credentials and
//! `sensitive_environment` values must never be handed to these functions.

use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Off = 5,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Level {
        match s.trim().to_ascii_lowercase().as_str() {
            "trace" | "json" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" => Level::Warn,
            "error" => Level::Error,
            "" | "off" => Level::Off,
            // Terraform treats any other non-empty value as TRACE.
            _ => Level::Trace,
        }
    }
}

fn threshold() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let provider = std::env::var("TF_LOG_PROVIDER")
            .ok()
            .filter(|s| !s.is_empty());
        let global = std::env::var("TF_LOG").ok();
        Level::parse(provider.as_deref().or(global.as_deref()).unwrap_or(""))
    })
}

pub fn enabled(level: Level) -> bool {
    level >= threshold() && threshold() != Level::Off
}

/// Formats one hclog JSON line.
pub fn format_line(level: Level, message: &str, fields: &[(&str, &str)]) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("@level".into(), level.name().into());
    obj.insert("@message".into(), message.into());
    obj.insert("@module".into(), "provider.gitmoxi".into());
    obj.insert(
        "@timestamp".into(),
        humantime::format_rfc3339_micros(std::time::SystemTime::now())
            .to_string()
            .into(),
    );
    for (k, v) in fields {
        obj.insert((*k).into(), (*v).into());
    }
    serde_json::Value::Object(obj).to_string()
}

pub fn log(level: Level, message: &str, fields: &[(&str, &str)]) {
    if !enabled(level) {
        return;
    }
    let line = format_line(level, message, fields);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

pub fn trace(message: &str, fields: &[(&str, &str)]) {
    log(Level::Trace, message, fields)
}
pub fn debug(message: &str, fields: &[(&str, &str)]) {
    log(Level::Debug, message, fields)
}
pub fn info(message: &str, fields: &[(&str, &str)]) {
    log(Level::Info, message, fields)
}
pub fn warn(message: &str, fields: &[(&str, &str)]) {
    log(Level::Warn, message, fields)
}
pub fn error(message: &str, fields: &[(&str, &str)]) {
    log(Level::Error, message, fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_hclog_json() {
        let line = format_line(Level::Info, "shifted", &[("alias", "live")]);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["@level"], "info");
        assert_eq!(v["@message"], "shifted");
        assert_eq!(v["alias"], "live");
        assert!(v["@timestamp"].as_str().unwrap().ends_with('Z'));
    }

    #[test]
    fn levels_parse_like_terraform() {
        assert_eq!(Level::parse("DEBUG"), Level::Debug);
        assert_eq!(Level::parse(""), Level::Off);
        assert_eq!(Level::parse("1"), Level::Trace);
    }
}
