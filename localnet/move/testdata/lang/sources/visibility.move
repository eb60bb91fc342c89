/// Friend, package and public visibility across modules.
module lang::provider {
    friend lang::consumer;

    public fun open(): u64 { 1 }
    public(friend) fun for_friends(): u64 { 2 }
    friend fun also_for_friends(): u64 { 3 }
    fun private_helper(): u64 { 6 }
    public fun via_private(): u64 { private_helper() }
}

module lang::packaged {
    public(package) fun for_package(): u64 { 4 }
    package fun also_for_package(): u64 { 5 }
}

module lang::consumer {
    use lang::provider::{Self, open as o};
    use lang::packaged;

    public fun total(): u64 {
        o() + provider::for_friends() + provider::also_for_friends() + packaged::for_package()
            + lang::packaged::also_for_package() + Self::local() + provider::via_private()
    }

    fun local(): u64 { 0 }

    #[test]
    fun calls() {
        assert!(total() == 21, 0);
    }
}
