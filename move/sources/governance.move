/// The package's administrator: the account allowed to tune the market's
/// parameters within their bounds, pause new business and spend the treasury.
/// It starts as the publishing account and moves by a two-step handover
/// (propose, then accept by the new account), so a typo cannot lose it.
module agi_nostr::governance {
    use std::error;
    use std::option::{Self, Option};
    use std::signer;
    use aptos_framework::event;

    /// The signer is not the administrator.
    const ENOT_ADMIN: u64 = 1;
    /// The signer is not the proposed administrator, or none is proposed.
    const ENOT_PROPOSED: u64 = 2;

    struct Governance has key {
        admin: address,
        proposed: Option<address>,
    }

    #[event]
    /// The administrator proposed a successor (none: a proposal was withdrawn).
    struct AdminProposed has drop, store {
        admin: address,
        proposed: Option<address>,
    }

    #[event]
    struct AdminChanged has drop, store {
        old_admin: address,
        new_admin: address,
    }

    fun init_module(publisher: &signer) {
        let admin = signer::address_of(publisher);
        move_to(publisher, Governance { admin, proposed: option::none() });
        // The first administrator, from nobody (0x0), so that events alone tell who it is.
        event::emit(AdminChanged { old_admin: @0x0, new_admin: admin });
    }

    /// Aborts unless s is the administrator.
    public fun assert_admin(s: &signer) acquires Governance {
        assert!(signer::address_of(s) == borrow_global<Governance>(@agi_nostr).admin, error::permission_denied(ENOT_ADMIN));
    }

    /// Proposes a successor; it takes over when it calls accept_admin.
    public entry fun propose_admin(admin: &signer, proposed: address) acquires Governance {
        assert_admin(admin);
        let g = borrow_global_mut<Governance>(@agi_nostr);
        g.proposed = option::some(proposed);
        event::emit(AdminProposed { admin: g.admin, proposed: g.proposed });
    }

    /// Withdraws a pending proposal.
    public entry fun cancel_proposal(admin: &signer) acquires Governance {
        assert_admin(admin);
        let g = borrow_global_mut<Governance>(@agi_nostr);
        g.proposed = option::none();
        event::emit(AdminProposed { admin: g.admin, proposed: option::none() });
    }

    public entry fun accept_admin(new_admin: &signer) acquires Governance {
        let g = borrow_global_mut<Governance>(@agi_nostr);
        let who = signer::address_of(new_admin);
        assert!(g.proposed == option::some(who), error::permission_denied(ENOT_PROPOSED));
        let old_admin = g.admin;
        g.admin = who;
        g.proposed = option::none();
        event::emit(AdminChanged { old_admin, new_admin: who });
    }

    #[view]
    public fun admin(): address acquires Governance { borrow_global<Governance>(@agi_nostr).admin }

    #[view]
    public fun proposed_admin(): Option<address> acquires Governance { borrow_global<Governance>(@agi_nostr).proposed }

    #[test_only]
    public fun init_for_test(publisher: &signer) { init_module(publisher) }

    #[test_only]
    public fun admin_changed_event(old_admin: address, new_admin: address): AdminChanged {
        AdminChanged { old_admin, new_admin }
    }
}
