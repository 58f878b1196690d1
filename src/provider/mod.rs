//! The gitmoxi provider: its configuration block and the resources and functions it offers.

pub mod config;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::aws::{connect, Aws};
use crate::protocol::diagnostics::{Diagnostic, Diagnostics};
use crate::protocol::registry::{Provider, Resource};
use crate::protocol::schema::Schema;
use crate::protocol::value::Value;
use crate::resources::lambda_alias_deployment::LambdaAliasDeployment;
use crate::resources::lambda_deployment::list::LambdaDeploymentList;
use crate::resources::lambda_deployment::LambdaDeployment;

/// Set once by ConfigureProvider; resources reach AWS through it.
pub struct Configured<C>(Arc<OnceLock<C>>);

impl<C> Clone for Configured<C> {
    fn clone(&self) -> Self {
        Configured(self.0.clone())
    }
}

impl<C> Default for Configured<C> {
    fn default() -> Self {
        Configured(Arc::new(OnceLock::new()))
    }
}

impl<C> Configured<C> {
    /// Already configured with `cloud` (tests, which need no provider block).
    pub fn ready(cloud: C) -> Self {
        let c = Configured::default();
        let _ = c.0.set(cloud);
        c
    }

    pub fn cloud(&self) -> Result<&C, Diagnostic> {
        self.0.get().ok_or_else(|| {
            Diagnostic::error(
                "Provider not configured",
                "The gitmoxi provider was used before Terraform configured it. This is a bug; please report it.",
            )
        })
    }
}

pub struct GitmoxiProvider {
    schema: Schema,
    configured: Configured<Aws>,
}

impl GitmoxiProvider {
    pub fn new() -> Self {
        GitmoxiProvider {
            schema: config::schema(),
            configured: Configured::default(),
        }
    }
}

impl Default for GitmoxiProvider {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Provider for GitmoxiProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn validate(&self, config: &Value) -> Diagnostics {
        match config::parse(config) {
            Ok(_) => Diagnostics::default(),
            Err(d) => d,
        }
    }

    async fn configure(&self, _terraform_version: &str, config: &Value) -> Diagnostics {
        let cfg = match config::parse(config) {
            Ok(c) => c,
            Err(d) => return d,
        };
        match connect(&cfg).await {
            Ok(aws) => {
                let _ = self.configured.0.set(aws);
                Diagnostics::default()
            }
            Err(e) => Diagnostic::error(
                "Could not configure AWS access",
                format!("{e}. Check the provider block and the AWS environment (credentials, profile, region)."),
            )
            .into(),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn Resource>> {
        vec![
            Arc::new(LambdaDeployment::new(self.configured.clone())),
            Arc::new(LambdaAliasDeployment::new(self.configured.clone())),
        ]
    }

    fn functions(&self) -> Vec<Arc<dyn crate::protocol::registry::Function>> {
        crate::functions::all()
    }

    fn actions(&self) -> Vec<Arc<dyn crate::protocol::registry::Action>> {
        crate::actions::all(&self.configured)
    }

    fn list_resources(&self) -> Vec<Arc<dyn crate::protocol::registry::ListResource>> {
        vec![Arc::new(LambdaDeploymentList::new(self.configured.clone()))]
    }
}
