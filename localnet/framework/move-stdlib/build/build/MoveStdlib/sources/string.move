/// UTF-8 strings. Lengths and indices count bytes; operations that split a
/// string check that they cut on character boundaries.
module std::string {
    use std::option::{Self, Option};
    use std::vector;

    /// The bytes are not valid UTF-8.
    const EINVALID_UTF8: u64 = 1;
    /// The index is past the end or inside a multi-byte character.
    const EINVALID_INDEX: u64 = 2;

    struct String has copy, drop, store {
        bytes: vector<u8>,
    }

    /// A string from UTF-8 bytes; aborts with EINVALID_UTF8 otherwise.
    public fun utf8(bytes: vector<u8>): String {
        assert!(internal_check_utf8(&bytes), EINVALID_UTF8);
        String { bytes }
    }

    /// A string from UTF-8 bytes, or none if they are not valid UTF-8.
    public fun try_utf8(bytes: vector<u8>): Option<String> {
        if (!internal_check_utf8(&bytes)) return option::none();
        option::some(String { bytes })
    }

    public fun bytes(self: &String): &vector<u8> {
        &self.bytes
    }

    public fun into_bytes(self: String): vector<u8> {
        let String { bytes } = self;
        bytes
    }

    public fun is_empty(self: &String): bool {
        vector::is_empty(&self.bytes)
    }

    /// The length in bytes.
    public fun length(self: &String): u64 {
        vector::length(&self.bytes)
    }

    public fun append(self: &mut String, r: String) {
        let String { bytes } = r;
        vector::append(&mut self.bytes, bytes)
    }

    public fun append_utf8(self: &mut String, bytes: vector<u8>) {
        append(self, utf8(bytes))
    }

    /// Inserts `o` at byte index `at`, which must be a character boundary.
    public fun insert(self: &mut String, at: u64, o: String) {
        let n = vector::length(&self.bytes);
        assert!(at <= n && internal_is_char_boundary(&self.bytes, at), EINVALID_INDEX);
        let head = sub_string(self, 0, at);
        let tail = sub_string(self, at, n);
        append(&mut head, o);
        append(&mut head, tail);
        *self = head;
    }

    /// The bytes in [i, j); both ends must be character boundaries.
    public fun sub_string(self: &String, i: u64, j: u64): String {
        let b = &self.bytes;
        let n = vector::length(b);
        assert!(
            j <= n && i <= j && internal_is_char_boundary(b, i) && internal_is_char_boundary(b, j),
            EINVALID_INDEX
        );
        String { bytes: internal_sub_string(b, i, j) }
    }

    /// The byte index of the first occurrence of `r`, or the length if absent.
    public fun index_of(self: &String, r: &String): u64 {
        internal_index_of(&self.bytes, &r.bytes)
    }

    public native fun internal_check_utf8(v: &vector<u8>): bool;
    native fun internal_is_char_boundary(v: &vector<u8>, i: u64): bool;
    native fun internal_sub_string(v: &vector<u8>, i: u64, j: u64): vector<u8>;
    native fun internal_index_of(v: &vector<u8>, r: &vector<u8>): u64;
}
