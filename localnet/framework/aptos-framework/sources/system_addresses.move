/// Checks on the reserved addresses of the chain.
module aptos_framework::system_addresses {
    use std::error;
    use std::signer;

    /// The address is not the core resources account.
    const ENOT_CORE_RESOURCE_ADDRESS: u64 = 1;
    /// The operation can only be performed by the VM.
    const EVM: u64 = 2;
    /// The address is not the framework account (0x1).
    const ENOT_APTOS_FRAMEWORK_ADDRESS: u64 = 3;
    /// The address is not one of the framework-reserved addresses 0x1..0xa.
    const ENOT_FRAMEWORK_RESERVED_ADDRESS: u64 = 4;

    public fun assert_core_resource(account: &signer) {
        assert_core_resource_address(signer::address_of(account))
    }

    public fun assert_core_resource_address(addr: address) {
        assert!(is_core_resource_address(addr), error::permission_denied(ENOT_CORE_RESOURCE_ADDRESS))
    }

    public fun is_core_resource_address(addr: address): bool {
        addr == @core_resources
    }

    public fun assert_aptos_framework(account: &signer) {
        assert!(
            is_aptos_framework_address(signer::address_of(account)),
            error::permission_denied(ENOT_APTOS_FRAMEWORK_ADDRESS),
        )
    }

    public fun assert_framework_reserved_address(account: &signer) {
        assert_framework_reserved(signer::address_of(account));
    }

    public fun assert_framework_reserved(addr: address) {
        assert!(is_framework_reserved_address(addr), error::permission_denied(ENOT_FRAMEWORK_RESERVED_ADDRESS))
    }

    /// 0x1 through 0xa.
    public fun is_framework_reserved_address(addr: address): bool {
        addr == @0x1 || addr == @0x2 || addr == @0x3 || addr == @0x4 || addr == @0x5 ||
            addr == @0x6 || addr == @0x7 || addr == @0x8 || addr == @0x9 || addr == @0xa
    }

    public fun is_aptos_framework_address(addr: address): bool {
        addr == @aptos_framework
    }

    public fun assert_vm(account: &signer) {
        assert!(is_vm(account), error::permission_denied(EVM))
    }

    public fun is_vm(account: &signer): bool {
        is_vm_address(signer::address_of(account))
    }

    public fun is_vm_address(addr: address): bool {
        addr == @vm_reserved
    }

    public fun is_reserved_address(addr: address): bool {
        is_aptos_framework_address(addr) || is_vm_address(addr)
    }
}
