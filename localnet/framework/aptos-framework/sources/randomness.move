/// On-chain randomness (AIP-41): draws derived from a per-block seed, the
/// transaction's hash and a per-transaction counter. Only an unbiasable
/// caller may draw: a private or friend entry function marked
/// `#[randomness]` as the transaction's payload (so no other module can
/// look at a draw and abort), or a unit test.
///
/// On the localnet the seed of each block is derived from the block's
/// hash: the draws are uniform but anyone can compute them in advance. A
/// real network's seed comes from its validators' distributed key.
module aptos_framework::randomness {
    use std::hash;
    use std::option::{Self, Option};
    use aptos_framework::event;
    use aptos_framework::system_addresses;
    use aptos_framework::transaction_context;

    friend aptos_framework::genesis;

    /// Domain separation of the draws' hash.
    const DST: vector<u8> = b"APTOS_RANDOMNESS";

    /// Randomness may only be drawn from a private or friend entry function
    /// marked #[randomness].
    const E_API_USE_IS_BIASIBLE: u64 = 1;

    /// The seed of the current block, set by every block prologue.
    struct PerBlockRandomness has drop, key {
        epoch: u64,
        round: u64,
        seed: Option<vector<u8>>
    }

    #[event]
    /// Emitted by every public draw.
    struct RandomnessGeneratedEvent has store, drop {}

    /// Publishes the seed resource (genesis; tests).
    public fun initialize(framework: &signer) {
        system_addresses::assert_aptos_framework(framework);
        if (!exists<PerBlockRandomness>(@aptos_framework)) {
            move_to(framework, PerBlockRandomness { epoch: 0, round: 0, seed: option::none() });
        }
    }

    #[test_only]
    public fun initialize_for_testing(framework: &signer) acquires PerBlockRandomness {
        initialize(framework);
        set_seed(x"0000000000000000000000000000000000000000000000000000000000000000");
    }

    /// The block prologue's update of the seed.
    public(friend) fun on_new_block(vm: &signer, epoch: u64, round: u64, seed_for_new_block: Option<vector<u8>>) acquires PerBlockRandomness {
        system_addresses::assert_vm(vm);
        if (exists<PerBlockRandomness>(@aptos_framework)) {
            let r = borrow_global_mut<PerBlockRandomness>(@aptos_framework);
            r.epoch = epoch;
            r.round = round;
            r.seed = seed_for_new_block;
        }
    }

    /// 32 fresh bytes: sha3-256(DST ++ seed ++ transaction hash ++ counter).
    fun next_32_bytes(): vector<u8> acquires PerBlockRandomness {
        assert!(is_unbiasable(), E_API_USE_IS_BIASIBLE);
        let input = DST;
        input.append(*borrow_global<PerBlockRandomness>(@aptos_framework).seed.borrow());
        input.append(transaction_context::get_transaction_hash());
        input.append(fetch_and_increment_txn_counter());
        hash::sha3_256(input)
    }

    /// `n` uniformly random bytes.
    public fun bytes(n: u64): vector<u8> acquires PerBlockRandomness {
        let v = vector[];
        let c = 0;
        while (c < n) {
            v.reverse_append(next_32_bytes());
            c += 32;
        };
        if (c > n) {
            v.trim(n);
        };
        event::emit(RandomnessGeneratedEvent {});
        v
    }

    /// The integer made of the last `n` bytes of a draw, the last byte the
    /// most significant.
    fun integer_of_bytes(n: u64): u256 acquires PerBlockRandomness {
        let raw = next_32_bytes();
        let x: u256 = 0;
        let i = 0;
        while (i < n) {
            x = x * 256 + (raw.pop_back() as u256);
            i += 1;
        };
        x
    }

    public fun u8_integer(): u8 acquires PerBlockRandomness {
        let x = (integer_of_bytes(1) as u8);
        event::emit(RandomnessGeneratedEvent {});
        x
    }

    public fun u16_integer(): u16 acquires PerBlockRandomness {
        let x = (integer_of_bytes(2) as u16);
        event::emit(RandomnessGeneratedEvent {});
        x
    }

    public fun u32_integer(): u32 acquires PerBlockRandomness {
        let x = (integer_of_bytes(4) as u32);
        event::emit(RandomnessGeneratedEvent {});
        x
    }

    public fun u64_integer(): u64 acquires PerBlockRandomness {
        let x = (integer_of_bytes(8) as u64);
        event::emit(RandomnessGeneratedEvent {});
        x
    }

    public fun u128_integer(): u128 acquires PerBlockRandomness {
        let x = (integer_of_bytes(16) as u128);
        event::emit(RandomnessGeneratedEvent {});
        x
    }

    public fun u256_integer(): u256 acquires PerBlockRandomness {
        event::emit(RandomnessGeneratedEvent {});
        integer_of_bytes(32)
    }

    /// A number in [min_incl, max_excl): a 256-bit draw reduced modulo the
    /// range (a negligible bias).
    public fun u8_range(min_incl: u8, max_excl: u8): u8 acquires PerBlockRandomness {
        let sample = (integer_of_bytes(32) % ((max_excl - min_incl) as u256) as u8);
        event::emit(RandomnessGeneratedEvent {});
        min_incl + sample
    }

    public fun u16_range(min_incl: u16, max_excl: u16): u16 acquires PerBlockRandomness {
        let sample = (integer_of_bytes(32) % ((max_excl - min_incl) as u256) as u16);
        event::emit(RandomnessGeneratedEvent {});
        min_incl + sample
    }

    public fun u32_range(min_incl: u32, max_excl: u32): u32 acquires PerBlockRandomness {
        let sample = (integer_of_bytes(32) % ((max_excl - min_incl) as u256) as u32);
        event::emit(RandomnessGeneratedEvent {});
        min_incl + sample
    }

    public fun u64_range(min_incl: u64, max_excl: u64): u64 acquires PerBlockRandomness {
        event::emit(RandomnessGeneratedEvent {});
        u64_range_internal(min_incl, max_excl)
    }

    public fun u64_range_internal(min_incl: u64, max_excl: u64): u64 acquires PerBlockRandomness {
        min_incl + (integer_of_bytes(32) % ((max_excl - min_incl) as u256) as u64)
    }

    public fun u128_range(min_incl: u128, max_excl: u128): u128 acquires PerBlockRandomness {
        let sample = (integer_of_bytes(32) % ((max_excl - min_incl) as u256) as u128);
        event::emit(RandomnessGeneratedEvent {});
        min_incl + sample
    }

    /// A number in [min_incl, max_excl): (r0 + r1 * 2^256) mod range for two
    /// 256-bit draws r0 and r1, computed without overflow.
    public fun u256_range(min_incl: u256, max_excl: u256): u256 acquires PerBlockRandomness {
        let range = max_excl - min_incl;
        let r0 = integer_of_bytes(32);
        let r1 = integer_of_bytes(32);
        let sample = r1 % range;
        let i = 0;
        while (i < 256) {
            sample = safe_add_mod(sample, sample, range);
            i += 1;
        };
        sample = safe_add_mod(sample, r0 % range, range);
        event::emit(RandomnessGeneratedEvent {});
        min_incl + sample
    }

    /// A uniformly random permutation of [0, n) (Fisher-Yates from the end).
    public fun permutation(n: u64): vector<u64> acquires PerBlockRandomness {
        event::emit(RandomnessGeneratedEvent {});
        let values = vector[];
        let i = 0;
        while (i < n) {
            values.push_back(i);
            i += 1;
        };
        if (n == 0) return values;
        let tail = n - 1;
        while (tail > 0) {
            values.swap(u64_range_internal(0, tail + 1), tail);
            tail -= 1;
        };
        values
    }

    #[test_only]
    public fun set_seed(seed: vector<u8>) acquires PerBlockRandomness {
        assert!(seed.length() == 32, 0);
        borrow_global_mut<PerBlockRandomness>(@aptos_framework).seed = option::some(seed);
    }

    /// (a + b) mod m for a, b < m, without overflowing.
    fun safe_add_mod(a: u256, b: u256, m: u256): u256 {
        let room = m - b;
        if (a < room) a + b else a - room
    }

    native fun fetch_and_increment_txn_counter(): vector<u8>;

    native fun is_unbiasable(): bool;
}
