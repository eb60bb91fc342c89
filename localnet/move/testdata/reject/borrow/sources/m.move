module bad::borrow {
    struct S has drop { f: u64, v: vector<u64> }

    fun local_ref(): &u64 {
        let x = 1;
        &x
    }

    fun param_value_ref(s: S): &u64 {
        &s.f
    }

    fun element_ref(s: S, i: u64): &mut u64 {
        if (i > 0) return &mut s.v[i];
        &mut s.v[0]
    }

    fun in_tuple(x: u64, r: &u64): (&u64, &u64) {
        (r, { &x })
    }

    // accepted: borrows through references the caller owns
    fun ok_field(s: &S): &u64 { &s.f }
    fun ok_element(s: &mut S, i: u64): &mut u64 { &mut s.v[i] }
    fun ok_param(r: &u64): &u64 { r }
}
