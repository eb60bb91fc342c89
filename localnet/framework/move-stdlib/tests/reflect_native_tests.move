#[test_only]
/// std::reflect needs the reflection native and the test genesis flags,
/// which the reference VM lacks: our interpreter only.
module std::reflect_native_tests {
    use std::reflect;
    use std::result;
    use std::string::utf8;

    public fun double(x: u64): u64 { 2 * x }
    fun hidden(x: u64): u64 { x }
    public fun pick<T: drop>(_x: T): u64 { 7 }

    #[test]
    fun resolves_a_public_function() {
        let f: |u64| u64 = reflect::resolve(@std, &utf8(b"reflect_native_tests"), &utf8(b"double")).unwrap();
        assert!(f(21) == 42, 0);
    }

    #[test]
    fun reports_why_it_cannot() {
        let m = utf8(b"reflect_native_tests");
        assert!(reflect::resolve<|u64| u64>(@std, &m, &utf8(b"no such")).unwrap_err().error_code() == 0, 0);
        assert!(reflect::resolve<|u64| u64>(@std, &m, &utf8(b"missing")).unwrap_err().error_code() == 1, 1);
        assert!(reflect::resolve<|u64| u64>(@std, &utf8(b"nowhere"), &utf8(b"double")).unwrap_err().error_code() == 1, 2);
        assert!(reflect::resolve<|u64| u64>(@std, &m, &utf8(b"hidden")).unwrap_err().error_code() == 2, 3);
        assert!(reflect::resolve<|u8| u64>(@std, &m, &utf8(b"double")).unwrap_err().error_code() == 3, 4);
        let r = reflect::resolve<|u64| u64 has drop>(@std, &m, &utf8(b"double"));
        assert!(r.is_ok() && !r.is_err(), 5);
        r.unwrap();
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = std::result)]
    fun unwrap_err_of_a_value() {
        reflect::resolve<|u64| u64 has drop>(@std, &utf8(b"reflect_native_tests"), &utf8(b"double")).unwrap_err();
    }

    #[test]
    #[expected_failure(abort_code = 0x10000, location = std::result)]
    fun unwrap_of_an_error() {
        let r = reflect::resolve<|u64| u64 has drop>(@std, &utf8(b"reflect_native_tests"), &utf8(b"missing"));
        result::unwrap(r);
    }
}
