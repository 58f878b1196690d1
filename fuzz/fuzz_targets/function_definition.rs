//! `function_definition` parsing: any text gives a definition or an error, never a panic; a
//! definition's canonical form parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_gitmoxi::model::definition;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((parsed, _)) = definition::parse(text) {
        let canonical = parsed.canonical_json();
        let (again, _) = definition::parse(&canonical).expect("the canonical form parses");
        assert_eq!(again.canonical_json(), canonical);
    }
});
