#[test_only]
module aptos_std::comparator_tests {
    use aptos_std::comparator;
    use std::string;

    struct Pair has drop { a: u8, b: u8 }

    #[test]
    fun ordering() {
        assert!(comparator::is_equal(&comparator::compare(&string::utf8(b"abc"), &string::utf8(b"abc"))), 0);
        assert!(comparator::is_smaller_than(&comparator::compare(&string::utf8(b"ab"), &string::utf8(b"abc"))), 1);
        // The BCS length prefix comes first: b"b" (01 62) sorts below b"abc" (03 ..).
        assert!(comparator::is_smaller_than(&comparator::compare(&b"b", &b"abc")), 2);
        assert!(comparator::is_greater_than(&comparator::compare(&b"b", &b"a")), 7);
        assert!(comparator::is_smaller_than(&comparator::compare(&Pair { a: 1, b: 9 }, &Pair { a: 2, b: 0 })), 3);
        // BCS is little-endian: 256u64 (00 01 ..) sorts below 1u64 (01 00 ..).
        assert!(comparator::is_smaller_than(&comparator::compare(&256u64, &1u64)), 4);
        assert!(comparator::is_greater_than(&comparator::compare_u8_vector(x"0102", x"01")), 5);
        assert!(comparator::is_equal(&comparator::compare_u8_vector(x"", x"")), 6);
    }
}
