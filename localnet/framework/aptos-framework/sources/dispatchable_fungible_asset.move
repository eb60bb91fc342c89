/// Entry points that Aptos routes through an asset's custom withdraw/deposit
/// hooks when it has them. Assets with hooks are not supported here (they
/// cannot be registered), so these are the plain fungible_asset operations.
module aptos_framework::dispatchable_fungible_asset {
    use std::error;
    use std::option::Option;
    use aptos_framework::fungible_asset::{Self, FungibleAsset};
    use aptos_framework::object::{Self, Object};

    const ESTORE_NOT_FOUND: u64 = 1;
    /// The recipient received less than the expected amount.
    const EAMOUNT_MISMATCH: u64 = 2;
    const ENOT_LOADED: u64 = 4;

    public fun withdraw<T: key>(owner: &signer, store: Object<T>, amount: u64): FungibleAsset {
        fungible_asset::withdraw_sanity_check(owner, store, false);
        fungible_asset::unchecked_withdraw(object::object_address(&store), amount)
    }

    public fun deposit<T: key>(store: Object<T>, fa: FungibleAsset) {
        fungible_asset::deposit_sanity_check(store, false);
        fungible_asset::unchecked_deposit(object::object_address(&store), fa)
    }

    public entry fun transfer<T: key>(sender: &signer, from: Object<T>, to: Object<T>, amount: u64) {
        let fa = withdraw(sender, from, amount);
        deposit(to, fa);
    }

    /// Transfers and checks that `to` grew by at least `expected`.
    public entry fun transfer_assert_minimum_deposit<T: key>(
        sender: &signer,
        from: Object<T>,
        to: Object<T>,
        amount: u64,
        expected: u64
    ) {
        let start = fungible_asset::balance(to);
        let fa = withdraw(sender, from, amount);
        deposit(to, fa);
        let end = fungible_asset::balance(to);
        assert!(end - start >= expected, error::aborted(EAMOUNT_MISMATCH));
    }

    #[view]
    public fun derived_balance<T: key>(store: Object<T>): u64 {
        fungible_asset::balance(store)
    }

    #[view]
    public fun is_derived_balance_at_least<T: key>(store: Object<T>, amount: u64): bool {
        fungible_asset::is_balance_at_least(store, amount)
    }

    #[view]
    public fun derived_supply<T: key>(metadata: Object<T>): Option<u128> {
        fungible_asset::supply(metadata)
    }
}
