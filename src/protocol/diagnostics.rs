//! Diagnostics and attribute paths: the one place where errors become what Terraform shows.
//!
//! Every diagnostic has a summary (what is wrong), a detail (how to fix it) and, when it comes
//! from configuration, the path of the offending argument so Terraform underlines it.

use std::fmt;

use super::tfplugin6 as pb;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    Attr(String),
    Key(String),
    Index(i64),
}

/// Path to an attribute, e.g. `traffic_shifting[0].percent`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn root(name: &str) -> Self {
        AttrPath(vec![PathStep::Attr(name.to_string())])
    }
    pub fn attr(mut self, name: &str) -> Self {
        self.0.push(PathStep::Attr(name.to_string()));
        self
    }
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(PathStep::Key(key.to_string()));
        self
    }
    pub fn index(mut self, i: i64) -> Self {
        self.0.push(PathStep::Index(i));
        self
    }

    /// The name of the last attribute on the path: `percent` for `traffic_shifting[0].percent`.
    pub fn last_name(&self) -> &str {
        let mut names = self.0.iter().rev().filter_map(|s| match s {
            PathStep::Attr(a) => Some(a.as_str()),
            _ => None,
        });
        names.next().unwrap_or_default()
    }

    pub fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::{step::Selector, Step};
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| Step {
                    selector: Some(match s {
                        PathStep::Attr(a) => Selector::AttributeName(a.clone()),
                        PathStep::Key(k) => Selector::ElementKeyString(k.clone()),
                        PathStep::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                PathStep::Attr(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attr(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }
    pub fn at(mut self, path: AttrPath) -> Self {
        self.path = Some(path);
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::diagnostic::Severity::Error as i32,
                Severity::Warning => pb::diagnostic::Severity::Warning as i32,
            },
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.path.as_ref().map(AttrPath::to_proto),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary)?;
        if let Some(p) = &self.path {
            write!(f, " (at {p})")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// A list of diagnostics collected while handling one request.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Diagnostics(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_encode_each_step_kind() {
        let p = AttrPath::root("traffic_shifting").index(0).attr("percent");
        assert_eq!(p.to_string(), "traffic_shifting[0].percent");
        let proto = p.to_proto();
        assert_eq!(proto.steps.len(), 3);
        let d = Diagnostic::error("bad", "fix it").at(AttrPath::root("tags").key("k"));
        let pd = d.to_proto();
        assert_eq!(pd.severity, pb::diagnostic::Severity::Error as i32);
        assert_eq!(pd.attribute.unwrap().steps.len(), 2);
    }
}
