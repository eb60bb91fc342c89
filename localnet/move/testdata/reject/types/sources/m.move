module bad::types {
    struct S has drop { a: u64 }
    fun f(x: u64): u64 { x }
    fun mismatch(): bool { 1 }
    fun args() { f(1, 2); }
    fun unbound() { let _ = y; }
    fun field() { let s = S { a: 1 }; let _ = s.b; }
    fun ops() { let _ = 1 + true; }
    fun literal() { let _x: u8 = 256; }
    fun unknown_fn() { g(); }
    fun if_branches(c: bool): u64 { if (c) 1 else false }
    fun deref_value() { let x = 1; let _ = *x; }
    fun assign_ref() { let r = &1; *r = 2; }
}
