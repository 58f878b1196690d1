//! Event source mappings: one per source and function, found by UUID.

use std::collections::BTreeMap;

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::{Mapping, World};
use crate::{error, Call, FakeAws, ACCOUNT, REGION};

impl World {
    /// `function_arn` is qualified: `…:function:NAME:ALIAS`.
    fn mapping_target(&self, function_arn: &str) -> Result<(), AwsError> {
        let mut parts = function_arn.rsplitn(2, ':');
        let (qualifier, base) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let function = base.rsplit(':').next().unwrap_or_default();
        self.qualifier(function, qualifier).map(|_| ())
    }
}

impl FakeAws {
    /// ListEventSourceMappings of one qualified function ARN.
    pub fn list_mappings(&self, function_arn: &str) -> Result<Vec<Mapping>, AwsError> {
        self.call(Call::ListMappings, |w, _| {
            Ok(w.sources
                .mappings
                .values()
                .filter(|m| m.function_arn == function_arn)
                .cloned()
                .collect())
        })
    }

    /// CreateEventSourceMapping; `uuid` of the mapping given is ignored (AWS picks it).
    pub fn create_mapping(&self, mut mapping: Mapping) -> Result<Mapping, AwsError> {
        let call = Call::CreateMapping(mapping.source_key.clone());
        self.call(call, |w, _| {
            w.mapping_target(&mapping.function_arn)?;
            let taken = w.sources.mappings.values().any(|m| {
                m.function_arn == mapping.function_arn && m.source_key == mapping.source_key
            });
            if taken {
                return Err(error(
                    AwsErrorKind::InUse,
                    format!(
                        "An event source mapping with event source ({}) and function ({}) already exists.",
                        mapping.source_key, mapping.function_arn
                    ),
                ));
            }
            w.sources.next_uuid += 1;
            mapping.uuid = format!("uuid-{}", w.sources.next_uuid);
            w.sources.mappings.insert(mapping.uuid.clone(), mapping.clone());
            Ok(mapping)
        })
    }

    pub fn update_mapping(&self, uuid: &str, settings: String) -> Result<(), AwsError> {
        self.call(Call::UpdateMapping(uuid.into()), |w, _| {
            let m = w
                .sources
                .mappings
                .get_mut(uuid)
                .ok_or_else(|| mapping_not_found(uuid))?;
            m.settings = settings;
            Ok(())
        })
    }

    pub fn delete_mapping(&self, uuid: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteMapping(uuid.into()), |w, _| {
            w.sources
                .mappings
                .remove(uuid)
                .map(|_| ())
                .ok_or_else(|| mapping_not_found(uuid))
        })
    }
}

impl FakeAws {
    /// The ARN of mapping `uuid` (`EventSourceMappingArn`).
    pub fn mapping_arn(uuid: &str) -> String {
        format!("arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{uuid}")
    }

    /// ListTags of a mapping, by its ARN.
    pub fn mapping_tags(&self, arn: &str) -> Result<BTreeMap<String, String>, AwsError> {
        let uuid = uuid_of(arn).to_string();
        self.call(Call::ListMappingTags(uuid.clone()), |w, _| {
            let m = w
                .sources
                .mappings
                .get(&uuid)
                .ok_or_else(|| mapping_not_found(&uuid))?;
            Ok(m.tags.clone())
        })
    }

    pub fn tag_mapping(&self, arn: &str, tags: &BTreeMap<String, String>) -> Result<(), AwsError> {
        let uuid = uuid_of(arn).to_string();
        self.call(Call::TagMapping(uuid.clone()), |w, _| {
            let m = w
                .sources
                .mappings
                .get_mut(&uuid)
                .ok_or_else(|| mapping_not_found(&uuid))?;
            m.tags.extend(tags.clone());
            Ok(())
        })
    }

    pub fn untag_mapping(&self, arn: &str, keys: &[String]) -> Result<(), AwsError> {
        let uuid = uuid_of(arn).to_string();
        self.call(Call::UntagMapping(uuid.clone()), |w, _| {
            let m = w
                .sources
                .mappings
                .get_mut(&uuid)
                .ok_or_else(|| mapping_not_found(&uuid))?;
            m.tags.retain(|k, _| !keys.contains(k));
            Ok(())
        })
    }
}

fn uuid_of(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn mapping_not_found(uuid: &str) -> AwsError {
    error(
        AwsErrorKind::NotFound,
        format!("The resource you requested does not exist. (Service: Lambda, uuid {uuid})"),
    )
}
