#[test_only]
module std::string_tests {
    use std::string;
    use std::option;

    #[test]
    fun basics() {
        let s = string::utf8(b"hello");
        assert!(string::length(&s) == 5, 0);
        assert!(!string::is_empty(&s), 1);
        assert!(string::is_empty(&string::utf8(b"")), 2);
        assert!(*string::bytes(&s) == b"hello", 3);
        string::append(&mut s, string::utf8(b" world"));
        string::append_utf8(&mut s, b"!");
        assert!(s == string::utf8(b"hello world!"), 4);
        assert!(string::sub_string(&s, 6, 11) == string::utf8(b"world"), 5);
        assert!(string::index_of(&s, &string::utf8(b"o")) == 4, 6);
        assert!(string::index_of(&s, &string::utf8(b"xyz")) == 12, 7);
        assert!(string::index_of(&s, &string::utf8(b"")) == 0, 8);
        string::insert(&mut s, 5, string::utf8(b","));
        assert!(*string::bytes(&s) == b"hello, world!", 9);
        assert!(option::is_none(&string::try_utf8(x"ff")), 10);
        assert!(string::try_utf8(b"ok") == option::some(string::utf8(b"ok")), 11);
        assert!(string::internal_check_utf8(&b"abc"), 12);
    }

    #[test]
    fun multibyte() {
        // "a", n-tilde (2 bytes: c3 b1), "b"
        let s = string::utf8(x"61c3b162");
        assert!(string::length(&s) == 4, 0);
        assert!(string::sub_string(&s, 1, 3) == string::utf8(x"c3b1"), 1);
        string::insert(&mut s, 3, string::utf8(b"-"));
        assert!(s == string::utf8(x"61c3b12d62"), 2);
        // 4-byte character
        let e = string::utf8(x"f09f9880");
        assert!(string::length(&e) == 4, 3);
    }

    #[test]
    #[expected_failure(abort_code = 1, location = std::string)]
    fun invalid_utf8() {
        string::utf8(x"c3");
    }

    #[test]
    #[expected_failure(abort_code = 1, location = std::string)]
    fun invalid_surrogate() {
        string::utf8(x"eda080");
    }

    #[test]
    #[expected_failure(abort_code = 1, location = std::string)]
    fun append_invalid() {
        let s = string::utf8(b"a");
        string::append_utf8(&mut s, x"80");
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun sub_string_inside_char() {
        string::sub_string(&string::utf8(x"61c3b162"), 0, 2);
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun sub_string_past_end() {
        string::sub_string(&string::utf8(b"abc"), 1, 4);
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun sub_string_inverted() {
        string::sub_string(&string::utf8(b"abc"), 2, 1);
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun insert_past_end() {
        let s = string::utf8(b"abc");
        string::insert(&mut s, 4, string::utf8(b"x"));
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun insert_inside_char() {
        let s = string::utf8(x"c3b1");
        string::insert(&mut s, 1, string::utf8(b"x"));
    }
}
