#[test_only]
/// Abort codes of the table natives (the reference VM's table natives use
/// other codes, so these run on our interpreter only).
module aptos_std::table_native_tests {
    use aptos_std::table;

    #[test]
    #[expected_failure(abort_code = 25607, location = aptos_std::table)]
    fun add_twice() {
        let t = table::new<u64, u64>();
        table::add(&mut t, 1, 1);
        table::add(&mut t, 1, 2);
        table::drop_unchecked(t);
    }

    #[test]
    #[expected_failure(abort_code = 25863, location = aptos_std::table)]
    fun borrow_missing() {
        let t = table::new<u64, u64>();
        table::borrow(&t, 1);
        table::drop_unchecked(t);
    }

    #[test]
    #[expected_failure(abort_code = 25863, location = aptos_std::table)]
    fun remove_missing() {
        let t = table::new<u64, u64>();
        table::remove(&mut t, 1);
        table::drop_unchecked(t);
    }

    #[test]
    #[expected_failure(abort_code = 25863, location = aptos_std::table)]
    fun borrow_mut_missing() {
        let t = table::new<u64, u64>();
        table::borrow_mut(&mut t, 1);
        table::drop_unchecked(t);
    }
}
