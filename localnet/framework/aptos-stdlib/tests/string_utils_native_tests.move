#[test_only]
module aptos_std::string_utils_native_tests {
    use aptos_std::string_utils;
    use std::string::{Self, String};
    use std::option;

    struct Point has copy, drop { x: u64, y: vector<u8> }
    struct Named has drop { s: String, a: address, o: option::Option<bool> }
    struct Foo has drop {}
    struct Bar has drop { x: u64, y: Foo, z: bool }
    struct Box<T> has drop { x: T }
    enum Shape has drop { Empty, Circle { r: u8 }, Rect(u64, bool) }

    #[test]
    fun formatting() {
        assert!(string_utils::to_string(&42u64) == string::utf8(b"42"), 0);
        assert!(string_utils::to_string(&true) == string::utf8(b"true"), 1);
        assert!(string_utils::to_string(&@0xcafe) == string::utf8(b"@0xcafe"), 2);
        assert!(string_utils::to_string_with_canonical_addresses(&@0x1) == string::utf8(b"@0000000000000000000000000000000000000000000000000000000000000001"), 3);
        assert!(string_utils::to_string(&string::utf8(b"hi")) == string::utf8(b"\"hi\""), 4);
        assert!(string_utils::to_string(&vector[1u8, 2u8]) == string::utf8(b"0x0102"), 5);
        assert!(string_utils::to_string(&vector[1u64, 2u64]) == string::utf8(b"[ 1, 2 ]"), 6);
        assert!(string_utils::to_string(&Point { x: 1, y: b"" }) == string::utf8(b"Point { x: 1, y: 0x }"), 7);
        assert!(string_utils::to_string(&option::some(5u8)) == string::utf8(b"Some(5)"), 8);
        assert!(string_utils::to_string(&option::none<u8>()) == string::utf8(b"None"), 9);
        assert!(string_utils::format2(&b"a = {} b = {}", 1u8, false) == string::utf8(b"a = 1 b = false"), 10);
        assert!(string_utils::format1(&b"{{}} {}", 7u64) == string::utf8(b"{} 7"), 11);
        assert!(string_utils::format3(&b"{}{}{}", 1u8, 2u16, 3u32) == string::utf8(b"123"), 12);
        assert!(string_utils::format4(&b"{} {} {} {}", 1u8, 2u16, 3u32, 4u64) == string::utf8(b"1 2 3 4"), 13);
        // format lists print structs with their full type.
        assert!(string_utils::format1(&b"{}", Point { x: 2, y: b"" }) == string::utf8(b"0x1::string_utils_native_tests::Point { x: 2, y: 0x }"), 14);
        assert!(string_utils::to_string(&vector[Point { x: 1, y: b"" }]) == string::utf8(b"[ Point { x: 1, y: 0x } ]"), 15);
    }

    // The layouts of the Aptos framework's own string_utils and debug tests.
    #[test]
    fun layouts_of_aptos_tests() {
        assert!(string_utils::debug_string(&42) == string::utf8(b"42"), 0);
        assert!(string_utils::debug_string(&vector[100, 200, 300]) == string::utf8(b"[ 100, 200, 300 ]"), 1);
        // A struct without fields has the compiler's dummy_field.
        assert!(string_utils::debug_string(&Foo {}) == string::utf8(b"0x1::string_utils_native_tests::Foo {\n  dummy_field: false\n}"), 2);
        assert!(string_utils::debug_string(&Bar { x: 404, y: Foo {}, z: true }) == string::utf8(b"0x1::string_utils_native_tests::Bar {\n  x: 404,\n  y: 0x1::string_utils_native_tests::Foo {\n    dummy_field: false\n  },\n  z: true\n}"), 3);
        assert!(string_utils::debug_string(&Box { x: Foo {} }) == string::utf8(b"0x1::string_utils_native_tests::Box<0x1::string_utils_native_tests::Foo> {\n  x: 0x1::string_utils_native_tests::Foo {\n    dummy_field: false\n  }\n}"), 4);
        assert!(string_utils::to_string(&Foo {}) == string::utf8(b"Foo { dummy_field: false }"), 5);
        assert!(string_utils::to_string(&1u256) == string::utf8(b"1"), 6);
        assert!(string_utils::format3(&b"a = {} b = {} c = {}", 1, 2, string::utf8(b"My string")) == string::utf8(b"a = 1 b = 2 c = \"My string\""), 7);
        assert!(string_utils::to_string(&string::utf8(b"a\\b\"c")) == string::utf8(b"\"a\\\\b\\\"c\""), 8);
    }

    #[test]
    fun enums_and_signed_integers() {
        // Variants print as Name{ fields }, positional fields named 0, 1...
        assert!(string_utils::to_string(&Shape::Empty) == string::utf8(b"Empty{}"), 0);
        assert!(string_utils::to_string(&Shape::Circle { r: 3 }) == string::utf8(b"Circle{ r: 3 }"), 1);
        assert!(string_utils::to_string(&Shape::Rect(3, true)) == string::utf8(b"Rect{ 0: 3, 1: true }"), 2);
        assert!(string_utils::to_string(&vector[1i8, -2i8]) == string::utf8(b"[ 1, -2 ]"), 3);
        assert!(string_utils::to_string(&(-170141183460469231731687303715884105728i128)) == string::utf8(b"-170141183460469231731687303715884105728"), 4);
    }

    #[test]
    #[expected_failure(abort_code = 1, location = aptos_std::string_utils)]
    fun too_few_placeholders() {
        string_utils::format2(&b"{}", 1u8, 2u8);
    }

    #[test]
    #[expected_failure(abort_code = 2, location = aptos_std::string_utils)]
    fun bad_format() {
        string_utils::format1(&b"{", 1u8);
    }
}
