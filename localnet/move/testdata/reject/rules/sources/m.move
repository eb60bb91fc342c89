module bad::rules {
    struct Thing has drop { v: u64 }
    public entry fun returns(): u64 { 1 }
    public entry fun bad_arg(_t: Thing) {}
    public entry fun mut_signer(_s: &mut signer) {}
    #[view]
    public fun view_nothing() {}
    #[view]
    public fun view_signer(_s: &signer): u64 { 1 }
    public fun init_module(_s: &signer) {}
    inline fun early(): u64 { return 1 }
    #[test(a = @0x1)]
    fun wrong_test_args(b: signer) { let _ = b; }
    #[test]
    #[expected_failure(arithmetic_error)]
    fun missing_location() {}
    #[test, test_only]
    fun both() {}
    fun loops() { 'a: loop { break 'b } }
    // A public struct is a transaction argument only with copy (Move 2.4).
    public struct Open has drop { v: u64 }
    public entry fun no_copy(_o: Open) {}
    // Randomness only from private or friend entry functions.
    #[randomness]
    public entry fun draw_public() {}
}
