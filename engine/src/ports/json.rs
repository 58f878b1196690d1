//! Just enough JSON writing for hook payloads and notifications: flat objects of strings and
//! nulls. The engine has no serde; these two messages do not need it.

/// Writes `{"key":"value",...}` with `None` as `null`, keys in the order given.
pub(super) fn object(fields: &[(&str, Option<&str>)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, key);
        out.push(':');
        match value {
            Some(v) => string(&mut out, v),
            None => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_requires() {
        let got = object(&[("a", Some("say \"hi\"\\\n\t\u{1}é")), ("b", None)]);
        assert_eq!(got, r#"{"a":"say \"hi\"\\\n\t\u0001é","b":null}"#);
        assert_eq!(object(&[]), "{}");
    }
}
