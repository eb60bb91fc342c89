/// A coin whose capabilities are kept by the account that created it, with
/// entry functions to mint and burn.
module aptos_framework::managed_coin {
    use std::error;
    use std::signer;
    use std::string;
    use aptos_framework::coin::{Self, BurnCapability, FreezeCapability, MintCapability};

    /// The account holds no capabilities for this coin.
    const ENO_CAPABILITIES: u64 = 1;

    struct Capabilities<phantom CoinType> has key {
        burn_cap: BurnCapability<CoinType>,
        freeze_cap: FreezeCapability<CoinType>,
        mint_cap: MintCapability<CoinType>,
    }

    /// Withdraws `amount` from the signer and burns it (signer must hold the capabilities).
    public entry fun burn<CoinType>(account: &signer, amount: u64) acquires Capabilities {
        let addr = signer::address_of(account);
        assert!(exists<Capabilities<CoinType>>(addr), error::not_found(ENO_CAPABILITIES));
        let caps = borrow_global<Capabilities<CoinType>>(addr);
        coin::burn(coin::withdraw<CoinType>(account, amount), &caps.burn_cap);
    }

    /// Creates the coin (see coin::initialize) and keeps its capabilities at the signer.
    public entry fun initialize<CoinType>(
        account: &signer,
        name: vector<u8>,
        symbol: vector<u8>,
        decimals: u8,
        monitor_supply: bool,
    ) {
        let (burn_cap, freeze_cap, mint_cap) = coin::initialize<CoinType>(
            account, string::utf8(name), string::utf8(symbol), decimals, monitor_supply,
        );
        move_to(account, Capabilities<CoinType> { burn_cap, freeze_cap, mint_cap });
    }

    public entry fun mint<CoinType>(account: &signer, dst_addr: address, amount: u64) acquires Capabilities {
        let addr = signer::address_of(account);
        assert!(exists<Capabilities<CoinType>>(addr), error::not_found(ENO_CAPABILITIES));
        let caps = borrow_global<Capabilities<CoinType>>(addr);
        coin::deposit(dst_addr, coin::mint(amount, &caps.mint_cap));
    }

    public entry fun register<CoinType>(account: &signer) {
        coin::register<CoinType>(account);
    }

    public entry fun destroy_caps<CoinType>(account: &signer) acquires Capabilities {
        let (burn_cap, freeze_cap, mint_cap) = remove_caps<CoinType>(account);
        coin::destroy_burn_cap(burn_cap);
        coin::destroy_freeze_cap(freeze_cap);
        coin::destroy_mint_cap(mint_cap);
    }

    public fun remove_caps<CoinType>(account: &signer): (BurnCapability<CoinType>, FreezeCapability<CoinType>, MintCapability<CoinType>)
    acquires Capabilities {
        let addr = signer::address_of(account);
        assert!(exists<Capabilities<CoinType>>(addr), error::not_found(ENO_CAPABILITIES));
        let Capabilities<CoinType> { burn_cap, freeze_cap, mint_cap } = move_from<Capabilities<CoinType>>(addr);
        (burn_cap, freeze_cap, mint_cap)
    }
}
