//! `StartingPositionTimestamp`: the API carries epoch seconds; boto3 (and so Gitmoxi's files)
//! also takes an ISO 8601 / RFC 3339 date. Both are read, the number is what is kept.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Seconds since the Unix epoch (fractions allowed).
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Timestamp(pub f64);

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Whole seconds stay integers, so the canonical JSON reads as written.
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "epoch seconds or an RFC 3339 date like 2024-05-01T12:00:00Z, from 1970 to 9999",
                )
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timestamp, E> {
                self.visit_f64(v as f64)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timestamp, E> {
                self.visit_f64(v as f64)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timestamp, E> {
                match in_range(v) {
                    true => Ok(Timestamp(v)),
                    false => Err(E::invalid_value(de::Unexpected::Float(v), &self)),
                }
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Timestamp, E> {
                parse_rfc3339(v)
                    .filter(|t| in_range(*t))
                    .map(Timestamp)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`, also with a space for `T`, as epoch seconds; None
/// for anything else, however malformed (no slicing of the text here).
pub fn parse_rfc3339(s: &str) -> Option<f64> {
    let with_t;
    let text = match s.as_bytes().get(10) {
        Some(b' ') => {
            with_t = format!("{}T{}", s.get(..10)?, s.get(11..)?);
            &with_t
        }
        _ => s,
    };
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let nanos = parsed.unix_timestamp_nanos();
    Some(nanos as f64 / 1e9)
}

/// The latest time a timestamp may name: the end of year 9999, as RFC 3339 can write it.
const LATEST: f64 = 253_402_300_799.0;

/// Epoch seconds a date can be: from 1970 to the end of 9999.
fn in_range(t: f64) -> bool {
    (0.0..=LATEST).contains(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rfc3339_dates_as_epoch_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_rfc3339("2024-05-01T12:00:00Z"), Some(1_714_564_800.0));
        assert_eq!(
            parse_rfc3339("2024-05-01T14:00:00+02:00"),
            Some(1_714_564_800.0)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01T12:00:00.5Z"),
            Some(1_714_564_800.5)
        );
        assert_eq!(parse_rfc3339("2024-05-01"), None);
        assert_eq!(parse_rfc3339("2024-13-01T12:00:00Z"), None);
        assert_eq!(parse_rfc3339("2024-05-01T12:00:00"), None);
        assert_eq!(parse_rfc3339("2024-05-01 12:00:00Z"), Some(1_714_564_800.0));
    }

    #[test]
    fn malformed_dates_are_refused_never_a_panic() {
        for bad in [
            "2024-05-01T12:00:00+1\u{e9}00",
            "2024-05-01T12:00:00+\u{e9}\u{e9}",
            "2024-05-01\u{e9}12:00:00Z",
            "\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            "2024-05-01 ",
            "2024-02-30T00:00:00Z",
            "2024-05-01T25:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timestamps_outside_1970_to_9999_are_refused() {
        for bad in ["-1", "1e300", "253402300800", "\"1969-12-31T23:59:59Z\""] {
            assert!(serde_json::from_str::<Timestamp>(bad).is_err(), "{bad}");
        }
        let last: Timestamp = serde_json::from_str("\"9999-12-31T23:59:59Z\"").unwrap();
        assert_eq!(last, Timestamp(LATEST));
    }

    #[test]
    fn reads_numbers_and_writes_whole_seconds_as_integers() {
        let t: Timestamp = serde_json::from_str("1714564800").unwrap();
        assert_eq!(serde_json::to_string(&t).unwrap(), "1714564800");
        let t: Timestamp = serde_json::from_str("\"2024-05-01T12:00:00Z\"").unwrap();
        assert_eq!(t, Timestamp(1_714_564_800.0));
        assert!(serde_json::from_str::<Timestamp>("\"yesterday\"").is_err());
    }
}
