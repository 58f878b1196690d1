//! The msgpack value decoder: the first byte picks a Terraform type (nested from a small table),
//! the rest is decoded with it. Never a panic; a decoded value encodes and decodes to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_gitmoxi::protocol::value::{Type, Value};

fn pick_type(selector: &mut impl Iterator<Item = u8>, depth: u8) -> Type {
    let leaf = |b: u8| match b % 4 {
        0 => Type::Bool,
        1 => Type::Number,
        2 => Type::String,
        _ => Type::Dynamic,
    };
    let b = selector.next().unwrap_or(0);
    if depth == 0 {
        return leaf(b);
    }
    match b % 9 {
        0..=3 => leaf(b >> 2),
        4 => Type::list(pick_type(selector, depth - 1)),
        5 => Type::set(pick_type(selector, depth - 1)),
        6 => Type::map(pick_type(selector, depth - 1)),
        7 => Type::Tuple(vec![
            pick_type(selector, depth - 1),
            pick_type(selector, depth - 1),
        ]),
        _ => Type::object([
            ("a", pick_type(selector, depth - 1)),
            ("b", pick_type(selector, depth - 1)),
        ]),
    }
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let mut selector = data[..3].iter().copied();
    let ty = pick_type(&mut selector, 2);
    if let Ok(value) = Value::from_msgpack(&data[3..], &ty) {
        let again = Value::from_msgpack(&value.to_msgpack(), &ty).expect("re-encoding decodes");
        // NaN never equals itself; everything else must round-trip.
        if format!("{value:?}").contains("NaN") {
            return;
        }
        assert_eq!(again, value);
    }
});
