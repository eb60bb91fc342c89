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

module bad::borrow_through {
    struct S has drop { f: u64 }

    fun through_let(s: S): &u64 {
        let r = &s.f;
        r
    }

    fun through_let_mut(): &mut u64 {
        let x = 0;
        let r = &mut x;
        *r = 1;
        r
    }

    // accepted: a reassigned variable ends up pointing at the parameter
    fun ok_reassigned(p: &u64): &u64 {
        let x = 0;
        let r = &x;
        r = p;
        r
    }
}
