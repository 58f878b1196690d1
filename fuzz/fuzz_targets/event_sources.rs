//! `event_sources` parsing: any text gives sources or an error, never a panic; the canonical
//! form parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_gitmoxi::model::event_sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((parsed, _)) = event_sources::parse(text) {
        let canonical = parsed.canonical_json();
        let (again, _) = event_sources::parse(&canonical).expect("the canonical form parses");
        assert_eq!(again.canonical_json(), canonical);
    }
});
