//! The `event_sources` argument: Gitmoxi's `_lambdaeventsourcedef.json`.
//!
//! Pure: no AWS SDK here (`crate::aws::event_source_mapping` maps pull sources onto
//! aws-sdk-lambda).
//! - `pull`: the CreateEventSourceMapping request, typed, unknown keys refused;
//! - `validate`: limits and enum values of pull sources checked at plan time;
//! - `mapping`: a mapping's identity, what AWS cannot update, and the AWS defaults;
//! - `push`: services invoking the alias (API Gateway, load balancers, function URLs, others);
//! - `destinations`: asynchronous-invocation destinations of the alias.
//!
//! The document in canonical JSON (what the state stores) has keys sorted, pull entries in the
//! plain form (not wrapped in `EventSourceMapping`) sorted by their key, push entries sorted by
//! statement id, and the sets inside an entry (topics, queues, filters, …) sorted.

mod destinations;
mod errors;
mod gateway;
mod mapping;
pub mod pull;
mod push;
mod timestamp;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
pub(crate) use tests::every_pull_key as tests_every_pull_key;

use serde_json::{Map, Value};

pub use destinations::Destinations;
pub use errors::{EventSourceError, EventSourceWarning};
pub use mapping::{aws_default, MappingKey, SourceKind};
pub use pull::PullSource;
pub use push::{PushSource, API_GATEWAY, DEFAULT_STAGE, FUNCTION_URL, LOAD_BALANCER};
pub use timestamp::{parse_rfc3339, Timestamp};
pub use validate::{
    CONSUMPTION_MODES, ENDPOINT_TYPES, EVENT_RECORD_FORMATS, FULL_DOCUMENT,
    FUNCTION_RESPONSE_TYPES, METRICS, SCHEMA_REGISTRY_AUTH_TYPES, SCHEMA_VALIDATION_ATTRIBUTES,
    SOURCE_ACCESS_TYPES, STARTING_POSITIONS, SYSTEM_LOG_LEVELS,
};

use errors::{from_serde, objects_where_expected, wrong_type};

/// Validated event sources. Equality ignores key order, spacing and the order of entries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventSources {
    /// Sorted by `key()`.
    pub pull: Vec<PullSource>,
    /// Sorted by `statement_id()`.
    pub push: Vec<PushSource>,
    pub destinations: Option<Destinations>,
}

impl EventSources {
    /// The normal form: what the state stores and what parses back to the same value.
    pub fn canonical_json(&self) -> String {
        let mut doc = Map::new();
        if let Some(d) = &self.destinations {
            doc.insert(
                "Destinations".into(),
                serde_json::to_value(d).unwrap_or(Value::Null),
            );
        }
        if !self.pull.is_empty() {
            let pull = self
                .pull
                .iter()
                .map(|p| serde_json::to_value(p).unwrap_or(Value::Null));
            doc.insert("PullEventSources".into(), Value::Array(pull.collect()));
        }
        if !self.push.is_empty() {
            let push = self.push.iter().map(PushSource::canonical_value);
            doc.insert("PushEventSources".into(), Value::Array(push.collect()));
        }
        sort_keys(Value::Object(doc)).to_string()
    }

    pub fn is_empty(&self) -> bool {
        self.pull.is_empty() && self.push.is_empty() && self.destinations.is_none()
    }
}

const TOP_LEVEL_KEYS: &[&str] = &["PullEventSources", "PushEventSources", "Destinations"];

/// A parsed `event_sources` document.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    pub sources: EventSources,
    /// Input accepted but worth fixing.
    pub warnings: Vec<EventSourceWarning>,
    /// `FunctionName`s written inside pull entries (Gitmoxi's files carry them), with where:
    /// the mapping always targets the alias, so only the resource can tell whether each names
    /// its own function (ignored) or another one (an error).
    pub function_names: Vec<(String, String)>,
}

/// Parses and validates `event_sources`. Warnings are for input accepted but worth fixing.
pub fn parse(json: &str) -> Result<(EventSources, Vec<EventSourceWarning>), EventSourceError> {
    parse_document(json).map(|d| (d.sources, d.warnings))
}

/// Parses and validates `event_sources`, keeping the `FunctionName`s of pull entries.
pub fn parse_document(json: &str) -> Result<Document, EventSourceError> {
    let doc: Value = serde_json::from_str(json).map_err(|e| errors::syntax(&e))?;
    let Value::Object(doc) = doc else {
        return Err(EventSourceError {
            summary: "event_sources must be a JSON object".into(),
            detail: format!(
                "Found {}. Write it as jsonencode({{ PullEventSources = [...], \
                 PushEventSources = [...], Destinations = {{...}} }}).",
                errors::type_name(&doc)
            ),
            key_path: None,
        });
    };
    if let Some(key) = doc.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) {
        return Err(EventSourceError::at(
            key,
            format!("Unknown key `{key}` in event_sources"),
            format!(
                "event_sources takes {}. Check the spelling of `{key}`.",
                TOP_LEVEL_KEYS.join(", ")
            ),
        ));
    }
    let mut warnings = Vec::new();
    let mut sources = EventSources::default();
    let mut function_names = Vec::new();
    for (p, entry) in pull_entries(&doc)? {
        let (source, function) = pull_entry(&p, entry)?;
        sources.pull.push(source);
        function_names.extend(function);
    }
    for (i, entry) in list(&doc, "PushEventSources")?.iter().enumerate() {
        let p = format!("PushEventSources[{i}]");
        if !entry.is_object() {
            return Err(wrong_type(&p, "an object", entry));
        }
        sources
            .push
            .push(push::parse_entry(&p, entry, &mut warnings)?);
    }
    if let Some(d) = doc.get("Destinations").filter(|v| !v.is_null()) {
        sources.destinations = destinations::parse(d)?;
    }
    no_duplicates(&sources)?;
    sources.pull.sort_by_key(PullSource::key);
    sources.push.sort_by_key(PushSource::statement_id);
    Ok(Document {
        sources,
        warnings,
        function_names,
    })
}

/// The pull entries with their paths: a list, or (as Gitmoxi publishes its files) one object.
fn pull_entries(doc: &Map<String, Value>) -> Result<Vec<(String, &Value)>, EventSourceError> {
    let key = "PullEventSources";
    Ok(match doc.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let paths = (0..items.len()).map(|i| format!("{key}[{i}]"));
            paths.zip(items.iter()).collect()
        }
        Some(one @ Value::Object(_)) => vec![(key.to_string(), one)],
        Some(other) => return Err(wrong_type(key, "a list (JSON array) or one object", other)),
    })
}

fn list<'a>(doc: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], EventSourceError> {
    match doc.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(wrong_type(key, "a list (JSON array)", other)),
    }
}

/// One pull entry, plain or in Gitmoxi's `{"EventSourceMapping": {...}}` wrapper, and the
/// `FunctionName` it carries (with its path), if any.
fn pull_entry(
    p: &str,
    entry: &Value,
) -> Result<(PullSource, Option<(String, String)>), EventSourceError> {
    let Value::Object(map) = entry else {
        return Err(wrong_type(p, "an object", entry));
    };
    let (p, entry) = match map.get("EventSourceMapping") {
        Some(inner) if map.len() == 1 => {
            let p = format!("{p}.EventSourceMapping");
            if !inner.is_object() {
                return Err(wrong_type(&p, "an object", inner));
            }
            (p, inner)
        }
        Some(_) => {
            return Err(EventSourceError::at(
                &format!("{p}.EventSourceMapping"),
                "EventSourceMapping must be the entry's only key",
                "Either wrap every parameter in EventSourceMapping = { ... }, or write the \
                 parameters directly in the entry, not both.",
            ))
        }
        None => (p.to_string(), entry),
    };
    let mut entry = entry.clone();
    let function = match entry.as_object_mut().and_then(|m| m.remove("FunctionName")) {
        Some(Value::String(name)) => Some((format!("{p}.FunctionName"), name)),
        Some(other) => return Err(wrong_type(&format!("{p}.FunctionName"), "a string", &other)),
        None => None,
    };
    let entry = &entry;
    let mut source: PullSource = serde_path_to_error::deserialize(entry)
        .map_err(|e| from_serde(&p, "CreateEventSourceMapping", e))?;
    let typed = serde_json::to_value(&source).unwrap_or(Value::Null);
    objects_where_expected(entry, &typed, &p)?;
    validate::pull(&p, &source)?;
    normalize(&mut source);
    Ok((source, function))
}

/// Sorts what AWS treats as sets and rewrites filter patterns in normal form.
fn normalize(s: &mut PullSource) {
    fn sort<T: Ord>(v: &mut Option<Vec<T>>) {
        if let Some(v) = v {
            v.sort();
            v.dedup();
        }
    }
    sort(&mut s.topics);
    sort(&mut s.queues);
    sort(&mut s.function_response_types);
    sort(&mut s.source_access_configurations);
    if let Some(m) = &mut s.metrics_config {
        sort(&mut m.metrics);
    }
    if let Some(filters) = s.filter_criteria.as_mut().and_then(|c| c.filters.as_mut()) {
        for f in filters.iter_mut() {
            f.pattern = f.pattern.as_deref().map(normal_pattern);
        }
        filters.sort_by(|a, b| a.pattern.cmp(&b.pattern));
    }
    if let Some(endpoints) = s
        .self_managed_event_source
        .as_mut()
        .and_then(|e| e.endpoints.as_mut())
    {
        endpoints.values_mut().for_each(|servers| servers.sort());
    }
}

/// A filter pattern with sorted keys and no spacing; text that is not JSON stays as it is.
pub(crate) fn normal_pattern(pattern: &str) -> String {
    serde_json::from_str::<Value>(pattern)
        .map(|v| sort_keys(v).to_string())
        .unwrap_or_else(|_| pattern.to_string())
}

fn no_duplicates(sources: &EventSources) -> Result<(), EventSourceError> {
    for (i, a) in sources.pull.iter().enumerate() {
        if let Some(j) = sources.pull[..i].iter().position(|b| b.key() == a.key()) {
            return Err(EventSourceError::at(
                &format!("PullEventSources[{i}]"),
                format!("Two pull event sources read from {}", a.key()),
                format!(
                    "PullEventSources[{j}] and PullEventSources[{i}] have the same source (and \
                     Topics/Queues); a mapping is identified by them. Merge the two entries."
                ),
            ));
        }
    }
    let urls = sources
        .push
        .iter()
        .filter(|p| matches!(p, PushSource::FunctionUrl { .. }));
    if urls.count() > 1 {
        return Err(EventSourceError::at(
            "PushEventSources",
            "More than one lambda.url push source",
            "An alias has at most one function URL: keep one lambda.url entry.",
        ));
    }
    for (i, a) in sources.push.iter().enumerate() {
        if let Some(j) = sources.push[..i].iter().position(|b| b == a) {
            return Err(EventSourceError::at(
                &format!("PushEventSources[{i}]"),
                "The same push event source appears twice",
                format!("PushEventSources[{j}] and PushEventSources[{i}] are equal: remove one."),
            ));
        }
    }
    Ok(())
}

/// Sorts object keys at every level (serde_json keeps insertion order in this crate).
pub(crate) fn sort_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort_keys).collect()),
        other => other,
    }
}
