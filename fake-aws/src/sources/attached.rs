//! What hangs on an alias (or version): resource-policy statements, the function URL and the
//! asynchronous-invocation config. Each needs the qualifier to exist.

use gitmoxi_engine::ports::{AwsError, AwsErrorKind};

use super::{Statement, UrlConfig};
use crate::{error, Call, FakeAws};

impl FakeAws {
    pub fn add_permission(
        &self,
        function: &str,
        qualifier: &str,
        s: Statement,
    ) -> Result<(), AwsError> {
        self.call(Call::AddPermission(s.sid.clone()), |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let policy = w.sources.policies.entry(key).or_default();
            if policy.iter().any(|p| p.sid == s.sid) {
                return Err(error(
                    AwsErrorKind::InUse,
                    format!("The statement id ({}) provided already exists.", s.sid),
                ));
            }
            policy.push(s);
            Ok(())
        })
    }

    pub fn remove_permission(
        &self,
        function: &str,
        qualifier: &str,
        sid: &str,
    ) -> Result<(), AwsError> {
        self.call(Call::RemovePermission(sid.into()), |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let policy = w.sources.policies.entry(key).or_default();
            let before = policy.len();
            policy.retain(|p| p.sid != sid);
            if policy.len() == before {
                return Err(error(
                    AwsErrorKind::NotFound,
                    format!("Statement {sid} is not found in resource policy."),
                ));
            }
            Ok(())
        })
    }

    // ---- function URLs and invoke configs ------------------------------------------------

    pub fn create_url(
        &self,
        function: &str,
        qualifier: &str,
        url: UrlConfig,
    ) -> Result<(), AwsError> {
        self.call(Call::CreateUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            if w.sources.urls.contains_key(&key) {
                return Err(error(
                    AwsErrorKind::InUse,
                    "FunctionUrlConfig exists for this Lambda function",
                ));
            }
            w.sources.urls.insert(key, url);
            Ok(())
        })
    }

    pub fn update_url(
        &self,
        function: &str,
        qualifier: &str,
        url: UrlConfig,
    ) -> Result<(), AwsError> {
        self.call(Call::UpdateUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            let slot = w
                .sources
                .urls
                .get_mut(&key)
                .ok_or_else(|| url_not_found(function, qualifier))?;
            *slot = url;
            Ok(())
        })
    }

    pub fn delete_url(&self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteUrl, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources
                .urls
                .remove(&key)
                .map(|_| ())
                .ok_or_else(|| url_not_found(function, qualifier))
        })
    }

    pub fn put_invoke_config(
        &self,
        function: &str,
        qualifier: &str,
        settings: String,
    ) -> Result<(), AwsError> {
        self.call(Call::PutInvokeConfig, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources.invoke_configs.insert(key, settings);
            Ok(())
        })
    }

    pub fn delete_invoke_config(&self, function: &str, qualifier: &str) -> Result<(), AwsError> {
        self.call(Call::DeleteInvokeConfig, |w, _| {
            let key = w.qualifier(function, qualifier)?;
            w.sources
                .invoke_configs
                .remove(&key)
                .map(|_| ())
                .ok_or_else(|| {
                    error(
                        AwsErrorKind::NotFound,
                        format!(
                            "The function {function}:{qualifier} doesn't have an EventInvokeConfig"
                        ),
                    )
                })
        })
    }
}

fn url_not_found(function: &str, qualifier: &str) -> AwsError {
    error(
        AwsErrorKind::NotFound,
        format!("The resource you requested does not exist: URL of {function}:{qualifier}"),
    )
}
