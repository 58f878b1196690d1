//! Moving an alias's event sources from what it had (as this resource last reconciled them) to
//! what is declared. Only sources this resource made are touched: a mapping someone else
//! created on the alias is refused unless its entry says `"adopt": true`, and a permission or
//! stage variable someone else set is left alone.
//!
//! `mod.rs` reconciles and owns the pull sources (mappings), `push.rs` the push sources, and
//! `gateway.rs` what API Gateway sources need (permission scopes, stage variables).

mod gateway;
mod push;

use std::collections::BTreeMap;

use crate::model::event_sources::{EventSources, PullSource};
use crate::model::ports::{
    AwsError, AwsErrorKind, Cloud, ServedMapping, SourceTarget, MAPPING_OWNER_TAG,
};

/// Stage variable values API Gateway sources replaced, by `api/stage/name`, so removing the
/// source can put them back (None: the variable did not exist). Kept in the private state.
pub type Replaced = BTreeMap<String, Option<String>>;

/// Makes the alias's event sources go from `had` to `want`. Returns warnings worth showing.
pub async fn reconcile<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &EventSources,
    want: &EventSources,
    replaced: &mut Replaced,
) -> Result<Vec<String>, AwsError> {
    let mut warnings = Vec::new();
    reconcile_pull(cloud, target, &had.pull, &want.pull, &mut warnings).await?;
    push::reconcile_push(cloud, target, &had.push, &want.push, replaced).await?;
    if had.destinations != want.destinations {
        match &want.destinations {
            Some(d) => cloud.put_destinations(target, d).await?,
            None => cloud.delete_destinations(target).await?,
        }
    }
    Ok(warnings)
}

async fn reconcile_pull<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    had: &[PullSource],
    want: &[PullSource],
    warnings: &mut Vec<String>,
) -> Result<(), AwsError> {
    // Nothing to create, update or delete: listing the alias's mappings would be a wasted call
    // on every deployment of a function without pull sources.
    if had.is_empty() && want.is_empty() {
        return Ok(());
    }
    let existing = cloud.list_mappings(target).await?;
    let find = |source: &PullSource| existing.iter().find(|m| m.source.key() == source.key());
    for source in want {
        let previous = had.iter().find(|h| h.key() == source.key());
        let Some(m) = find(source) else {
            cloud.create_mapping(target, &owned(source, target)).await?;
            continue;
        };
        if previous.is_none() {
            claim(cloud, target, source, m).await?;
        }
        match previous {
            Some(p) if p.needs_recreate(source) => {
                if source.is_stream() {
                    warnings.push(format!(
                        "event source mapping {} was recreated: a stream mapping restarts from its \
                         starting position",
                        source.key()
                    ));
                }
                cloud.delete_mapping(&m.uuid).await?;
                cloud.create_mapping(target, &owned(source, target)).await?;
                continue;
            }
            _ if source.is_served_by(&m.source) => {}
            _ => cloud.update_mapping(&m.uuid, target, source).await?,
        }
        if previous.is_none_or(|p| p.tags != source.tags) {
            sync_mapping_tags(cloud, target, source, m).await?;
        }
    }
    for gone in had
        .iter()
        .filter(|h| !want.iter().any(|w| w.key() == h.key()))
    {
        if let Some(m) = find(gone) {
            cloud.delete_mapping(&m.uuid).await?;
        }
    }
    Ok(())
}

/// The entry as created: its tags plus the tag that marks the mapping as this alias's.
fn owned(source: &PullSource, target: &SourceTarget) -> PullSource {
    let mut tags = source.tags.clone().unwrap_or_default();
    tags.insert(MAPPING_OWNER_TAG.into(), target.alias_arn.clone());
    PullSource {
        tags: Some(tags),
        ..source.clone()
    }
}

/// A mapping of a newly declared entry already exists: it is this resource's when it carries
/// the owner tag (made by an apply that did not finish), or when the entry adopts it; otherwise
/// it belongs to someone else and is left alone.
async fn claim<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    source: &PullSource,
    m: &ServedMapping,
) -> Result<(), AwsError> {
    if source.adopt == Some(true) {
        return Ok(());
    }
    if let Some(arn) = &m.arn {
        let tags = cloud.mapping_tags(arn).await?;
        if tags.get(MAPPING_OWNER_TAG) == Some(&target.alias_arn) {
            return Ok(());
        }
    }
    Err(AwsError::new(
        AwsErrorKind::Invalid,
        format!(
            "event source mapping {} for {} already exists on alias {} and was not created by \
             this resource, so it was left as it is. To take it over (its settings then follow \
             the entry, and it is deleted with it), add \"adopt\": true to the entry; otherwise \
             remove the entry",
            m.uuid,
            source.key(),
            target.alias
        ),
    ))
}

/// The mapping's tags become the entry's (and the owner tag); tags AWS manages stay.
async fn sync_mapping_tags<C: Cloud>(
    cloud: &C,
    target: &SourceTarget,
    source: &PullSource,
    m: &ServedMapping,
) -> Result<(), AwsError> {
    let Some(arn) = &m.arn else {
        return Ok(());
    };
    let want = owned(source, target).tags.unwrap_or_default();
    let have = cloud.mapping_tags(arn).await?;
    let stale: Vec<String> = have
        .keys()
        .filter(|k| !want.contains_key(*k) && !k.starts_with("aws:"))
        .cloned()
        .collect();
    if !stale.is_empty() {
        cloud.untag_mapping(arn, &stale).await?;
    }
    let missing: BTreeMap<String, String> = want
        .into_iter()
        .filter(|(k, v)| have.get(k) != Some(v))
        .collect();
    if !missing.is_empty() {
        cloud.tag_mapping(arn, &missing).await?;
    }
    Ok(())
}
