/// Formatting Move values as text, as the chain's tools print them.
module aptos_std::string_utils {
    use std::string::String;

    /// The format string has a different number of `{}` than values given.
    const EARGS_MISMATCH: u64 = 1;
    /// The format string is malformed (an unmatched `{` or `}`).
    const EINVALID_FORMAT: u64 = 2;
    /// Aggregator-backed values cannot be formatted.
    const EUNABLE_TO_FORMAT_DELAYED_FIELD: u64 = 3;

    /// Integers plain, addresses as `@0x..` (short form), strings quoted,
    /// vectors as `[a, b]`, structs as `Name { field: value }`.
    public fun to_string<T>(s: &T): String {
        native_format(s, false, false, true, false)
    }

    /// Like to_string, with addresses in full 64-hex-digit form.
    public fun to_string_with_canonical_addresses<T>(s: &T): String {
        native_format(s, false, true, true, false)
    }

    /// Like to_string_with_canonical_addresses, with integer type suffixes (`5u64`).
    public fun to_string_with_integer_types<T>(s: &T): String {
        native_format(s, false, true, true, false)
    }

    /// Multi-line form with struct type names, for debugging.
    public fun debug_string<T>(s: &T): String {
        native_format(s, true, false, false, false)
    }

    /// Replaces each `{}` in `fmt` by the next value (`{{` and `}}` escape braces).
    public fun format1<T0: drop>(fmt: &vector<u8>, a: T0): String {
        native_format_list(fmt, &cons(a, nil()))
    }

    public fun format2<T0: drop, T1: drop>(fmt: &vector<u8>, a: T0, b: T1): String {
        native_format_list(fmt, &cons(a, cons(b, nil())))
    }

    public fun format3<T0: drop, T1: drop, T2: drop>(fmt: &vector<u8>, a: T0, b: T1, c: T2): String {
        native_format_list(fmt, &cons(a, cons(b, cons(c, nil()))))
    }

    public fun format4<T0: drop, T1: drop, T2: drop, T3: drop>(fmt: &vector<u8>, a: T0, b: T1, c: T2, d: T3): String {
        native_format_list(fmt, &cons(a, cons(b, cons(c, cons(d, nil())))))
    }

    /// A heterogeneous list cell, so format_list natives see a typed list.
    struct Cons<T, N> has copy, drop, store {
        car: T,
        cdr: N,
    }

    struct NIL has copy, drop, store {}

    fun cons<T, N>(car: T, cdr: N): Cons<T, N> { Cons { car, cdr } }

    fun nil(): NIL { NIL {} }

    native fun native_format<T>(s: &T, type_tag: bool, canonicalize: bool, single_line: bool, include_int_types: bool): String;
    native fun native_format_list<T>(fmt: &vector<u8>, val: &T): String;
}
