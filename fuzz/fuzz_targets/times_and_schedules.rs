//! Dates, durations and traffic shifting names: any text gives a value within its bounds or an
//! error, never a panic or an overflow.
#![no_main]

use gitmoxi_engine::{parse_traffic_shifting, RolloutPlan};
use libfuzzer_sys::fuzz_target;
use terraform_provider_gitmoxi::model::event_sources;
use terraform_provider_gitmoxi::protocol::diagnostics::{AttrPath, Diagnostics};
use terraform_provider_gitmoxi::protocol::value::Value;
use terraform_provider_gitmoxi::resources::common::values::{duration, MAX_DURATION};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(t) = event_sources::parse_rfc3339(text) {
        assert!(t.is_finite());
    }
    let mut diags = Diagnostics::default();
    if let Some(d) = duration(&Value::string(text), AttrPath::root("d"), &mut diags) {
        assert!(d <= MAX_DURATION);
    }
    if let Ok(shifting) = parse_traffic_shifting(Some(text), None, None, None) {
        let plan = RolloutPlan::new(&shifting);
        assert!(plan.configured_waits() <= MAX_DURATION * 101);
    }
});
