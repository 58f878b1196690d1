//! What every rollout resource shares: the rollout settings blocks and their parsing, and the
//! state shapes (`last_deployment`, ARNs, drift seen by refresh).

pub mod blocks;
pub mod rollout;
pub mod settings;
pub mod state;
