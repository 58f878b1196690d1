//! Moving a deployment to another alias: the new alias starts on the version the old one serves
//! (so a rollout on it shifts from there as configured), takes the event sources once it serves
//! what it should, and the old alias, with what it owned, goes last.

use crate::model::event_sources::EventSources;
use crate::model::ports::{AwsError, Cloud, SourceTarget};
use crate::protocol::diagnostics::{AttrPath, Diagnostic};
use crate::resources::common::failure::{aws_failure, NOTHING_CHANGED};
use crate::resources::common::reconcile::{reconcile, Replaced};

/// One alias rename of one function.
pub struct AliasMove {
    pub old: SourceTarget,
    pub new: SourceTarget,
    /// The version the old alias serves, where the new one starts.
    pub version: String,
}

impl AliasMove {
    pub fn new(function: &str, function_arn: &str, old: &str, new: &str, version: &str) -> Self {
        AliasMove {
            old: SourceTarget::new(function, old, function_arn),
            new: SourceTarget::new(function, new, function_arn),
            version: version.to_string(),
        }
    }

    fn function(&self) -> &str {
        &self.old.function
    }

    /// Creates the new alias on the serving version. An alias of that name already serving
    /// exactly that version is taken over (an earlier apply stopped half-way); any other is an
    /// error, and nothing was changed.
    pub async fn open<C: Cloud>(&self, cloud: &C) -> Result<(), Diagnostic> {
        let (function, alias) = (self.function(), &self.new.alias);
        let existing = cloud
            .find_alias(function, alias)
            .await
            .map_err(|e| aws_failure("reading Lambda alias", function, &e, NOTHING_CHANGED))?;
        match existing {
            Some(r) if r.serves_fully(&self.version) => Ok(()),
            Some(_) => Err(Diagnostic::error(
                format!("Alias {alias} already exists on {function}"),
                format!(
                    "Another alias of that name exists and does not serve version {} alone: choose \
                     another name, or delete that alias first. Nothing was changed.",
                    self.version
                ),
            )
            .at(AttrPath::root("alias"))),
            None => match cloud.create_alias(function, alias, &self.version).await {
                Ok(_) => Ok(()),
                Err(e) => Err(aws_failure(
                    "creating Lambda alias",
                    function,
                    &e,
                    NOTHING_CHANGED,
                )),
            },
        }
    }

    /// The sources move from the old alias to the new one (added first, so nothing stops being
    /// invoked), then the old alias is deleted. Returns warnings worth showing.
    pub async fn complete<C: Cloud>(
        &self,
        cloud: &C,
        (had, want): (&EventSources, &EventSources),
        replaced: &mut Replaced,
    ) -> Result<Vec<String>, AwsError> {
        let none = EventSources::default();
        let mut warnings = reconcile(cloud, &self.new, &none, want, replaced).await?;
        warnings.extend(reconcile(cloud, &self.old, had, &none, replaced).await?);
        cloud.delete_alias(self.function(), &self.old.alias).await?;
        Ok(warnings)
    }

    /// After a failure: the sources back on the old alias, the new alias gone, as far as AWS
    /// allows. The old alias serves as before throughout.
    pub async fn undo<C: Cloud>(
        &self,
        cloud: &C,
        (had, want): (&EventSources, &EventSources),
        replaced: &mut Replaced,
    ) {
        let none = EventSources::default();
        let _ = reconcile(cloud, &self.new, want, &none, replaced).await;
        let _ = cloud.delete_alias(self.function(), &self.new.alias).await;
        let _ = reconcile(cloud, &self.old, &none, had, replaced).await;
    }
}
