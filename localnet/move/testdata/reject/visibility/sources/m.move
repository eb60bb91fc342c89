module bad::owner {
    struct Secret has key, drop { v: u64 }
    public fun make(): Secret { Secret { v: 1 } }
    fun hidden() {}
    public(friend) fun friends_only() {}
}

module bad::intruder {
    use bad::owner::{Self, Secret};
    fun call_private() { owner::hidden(); }
    fun call_friend() { owner::friends_only(); }
    fun pack(): Secret { Secret { v: 2 } }
    fun read(s: &Secret): u64 { s.v }
    fun unpack(s: Secret) { let Secret { v: _ } = s; }
    fun global(a: address): bool { exists<Secret>(a) }
}
