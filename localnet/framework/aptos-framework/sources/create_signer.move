/// Making a signer for any address: only trusted framework modules may.
module aptos_framework::create_signer {
    friend aptos_framework::account;
    friend aptos_framework::aptos_account;
    friend aptos_framework::coin;
    friend aptos_framework::fungible_asset;
    friend aptos_framework::genesis;
    friend aptos_framework::object;

    public(friend) native fun create_signer(addr: address): signer;
}
