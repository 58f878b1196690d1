//! What a provider plugs into the protocol layer: its configuration, resources and functions.
//!
//! The protocol layer decodes and encodes values with the schemas declared here and turns
//! diagnostics into Terraform's; resources see typed [`Value`]s and never protobuf.

use std::sync::Arc;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use super::diagnostics::{AttrPath, Diagnostic, Diagnostics};
use super::schema::{FunctionSignature, IdentitySchema, Schema};
use super::value::Value;

/// Per-request context handed to resources.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// Fired by Terraform's StopProvider (Ctrl-C): long operations must notice it and wind down.
    pub stop: CancellationToken,
}

pub struct PlanRequest {
    /// Null when the resource is being created.
    pub prior_state: Value,
    /// Null when the resource is being destroyed.
    pub proposed_new_state: Value,
    pub config: Value,
    pub prior_private: Vec<u8>,
}

#[derive(Default)]
pub struct PlanResponse {
    pub planned_state: Value,
    pub requires_replace: Vec<AttrPath>,
    pub planned_private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

pub struct ApplyRequest {
    pub prior_state: Value,
    /// Null when the resource is being destroyed.
    pub planned_state: Value,
    pub config: Value,
    pub planned_private: Vec<u8>,
}

#[derive(Default)]
pub struct ApplyResponse {
    /// Null when the resource no longer exists (destroyed, or a create undone).
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
pub struct ReadResponse {
    /// Null when the remote object is gone: Terraform drops it from state.
    pub new_state: Value,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[derive(Default)]
pub struct ImportResponse {
    pub state: Option<Value>,
    pub private: Vec<u8>,
    pub diagnostics: Diagnostics,
}

#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Checks what can be checked without calling AWS (values may be unknown).
    async fn validate(&self, config: &Value) -> Diagnostics;
    async fn plan(&self, ctx: &RequestContext, req: PlanRequest) -> PlanResponse;
    async fn apply(&self, ctx: &RequestContext, req: ApplyRequest) -> ApplyResponse;
    async fn read(&self, ctx: &RequestContext, state: Value, private: Vec<u8>) -> ReadResponse;
    async fn import(&self, ctx: &RequestContext, id: &str) -> ImportResponse;
    /// Turns stored state of `version` into a value of the current schema.
    fn upgrade(&self, version: i64, state: Value) -> Result<Value, Diagnostics> {
        let _ = version;
        Ok(state)
    }
    /// The identity Terraform (1.12 and later) keeps beside the state; None for none.
    fn identity_schema(&self) -> Option<&IdentitySchema> {
        None
    }
    /// The identity of the object `state` describes: None for a null state, or one whose
    /// identifying values are not known yet.
    fn identity(&self, state: &Value) -> Option<Value> {
        let _ = state;
        None
    }
    /// The import id an `import` block's identity names, so both kinds of import take one path.
    fn import_id(&self, identity: &Value) -> Result<String, Diagnostics> {
        let _ = identity;
        Err(Diagnostic::error(
            "Import by identity is not supported",
            format!("Import {} by its id instead.", self.type_name()),
        )
        .into())
    }
}

/// Error of a provider function call, optionally blaming one argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    pub text: String,
    pub argument: Option<i64>,
}

#[async_trait]
pub trait Function: Send + Sync {
    fn name(&self) -> &'static str;
    fn signature(&self) -> &FunctionSignature;
    async fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError>;
}

/// Shows one line of an action's progress in Terraform's output.
pub type Progress<'a> = &'a (dyn Fn(String) + Send + Sync);

/// An action (Terraform 1.14 and later): run once by `terraform apply -invoke=action.TYPE.NAME`
/// or by a resource's `action_trigger`, reporting progress while it runs.
#[async_trait]
pub trait Action: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// Checks what can be checked without calling AWS (values may be unknown).
    async fn validate(&self, config: &Value) -> Diagnostics;
    /// Runs the action with its configuration, all known; errors say what is left as it was.
    async fn invoke(
        &self,
        ctx: &RequestContext,
        config: Value,
        progress: Progress<'_>,
    ) -> Diagnostics;
}

/// One object a list resource found: its identity (of the managed resource type of the same
/// name), a name for people, and, when asked for, the object as that resource's state.
pub struct Listed {
    pub identity: Value,
    pub display_name: String,
    pub resource_object: Option<Value>,
}

/// Hands one found object to Terraform; false once Terraform wants no more.
pub type Found<'a> = &'a (dyn Fn(Result<Listed, Diagnostics>) -> bool + Send + Sync);

/// A list resource (Terraform 1.14 and later): finds existing objects of the managed resource
/// type of the same name for `terraform query`, which can turn them into configuration.
#[async_trait]
pub trait ListResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    /// The schema of the list block's `config` body.
    fn schema(&self) -> &Schema;
    /// Checks what can be checked without calling AWS.
    async fn validate(&self, config: &Value) -> Diagnostics;
    /// Finds objects, handing each to `found` as soon as it is known, until there are no more,
    /// `found` returns false, or `limit` were handed.
    async fn list(
        &self,
        ctx: &RequestContext,
        config: Value,
        include_object: bool,
        limit: usize,
        found: Found<'_>,
    );
}

#[async_trait]
pub trait Provider: Send + Sync + 'static {
    fn schema(&self) -> &Schema;
    async fn validate(&self, config: &Value) -> Diagnostics;
    async fn configure(&self, terraform_version: &str, config: &Value) -> Diagnostics;
    fn resources(&self) -> Vec<Arc<dyn Resource>>;
    fn functions(&self) -> Vec<Arc<dyn Function>> {
        Vec::new()
    }
    fn actions(&self) -> Vec<Arc<dyn Action>> {
        Vec::new()
    }
    fn list_resources(&self) -> Vec<Arc<dyn ListResource>> {
        Vec::new()
    }
}
