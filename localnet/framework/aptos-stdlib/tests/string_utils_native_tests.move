#[test_only]
module aptos_std::string_utils_native_tests {
    use aptos_std::string_utils;
    use std::string::{Self, String};
    use std::option;

    struct Point has copy, drop { x: u64, y: vector<u8> }
    struct Named has drop { s: String, a: address, o: option::Option<bool> }

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
