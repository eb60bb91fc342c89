module bad::abilities {
    struct NoDrop { a: u64 }
    struct NoCopy has drop { a: u64 }
    struct Bad has copy { inner: NoCopy }
    struct Res has key { v: vector<NoDrop> }
    fun discard() { NoDrop { a: 1 }; }
    fun copy_it(x: NoCopy): (NoCopy, NoCopy) { (copy x, x) }
    fun deref(r: &NoCopy): NoCopy { *r }
    fun wild() { let _ = NoDrop { a: 1 }; }
    fun generic<T: copy>(x: T): T { x }
    fun call_generic() { generic(NoCopy { a: 1 }); }
    fun eq(a: NoDrop, b: NoDrop): bool { a == b }
}
