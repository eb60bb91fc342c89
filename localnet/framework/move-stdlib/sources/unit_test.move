#[test_only]
/// Helpers that exist only when tests are compiled.
module std::unit_test {
    /// `num_signers` distinct signers for deterministic test addresses.
    native public fun create_signers_for_testing(num_signers: u64): vector<signer>;
}
