//! What every rollout resource shares: the schema of the rollout settings and their parsing, the
//! rollout itself around the engine, event sources on the alias, and the state shapes
//! (`last_deployment`, drift seen by refresh).

pub mod blocks;
pub mod capacity;
pub mod failure;
pub mod guards;
pub mod identity;
pub mod orchestrator;
pub mod reconcile;
pub mod redacting;
pub mod rollout;
pub mod settings;
pub mod sources;
pub mod state;
pub mod values;
