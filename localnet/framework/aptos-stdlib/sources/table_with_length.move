/// A table that also counts its entries, so it can be destroyed when empty.
module aptos_std::table_with_length {
    use std::error;
    use aptos_std::table::{Self, Table};

    const EALREADY_EXISTS: u64 = 100;
    const ENOT_FOUND: u64 = 101;
    /// The table still has entries.
    const ENOT_EMPTY: u64 = 102;

    struct TableWithLength<phantom K: copy + drop, phantom V> has store {
        inner: Table<K, V>,
        length: u64,
    }

    public fun new<K: copy + drop, V: store>(): TableWithLength<K, V> {
        TableWithLength { inner: table::new<K, V>(), length: 0 }
    }

    public fun destroy_empty<K: copy + drop, V>(self: TableWithLength<K, V>) {
        assert!(self.length == 0, error::invalid_state(ENOT_EMPTY));
        let TableWithLength { inner, length: _ } = self;
        table::destroy_known_empty_unsafe(inner)
    }

    public fun add<K: copy + drop, V>(self: &mut TableWithLength<K, V>, key: K, val: V) {
        table::add(&mut self.inner, key, val);
        self.length = self.length + 1;
    }

    public fun borrow<K: copy + drop, V>(self: &TableWithLength<K, V>, key: K): &V {
        table::borrow(&self.inner, key)
    }

    public fun borrow_mut<K: copy + drop, V>(self: &mut TableWithLength<K, V>, key: K): &mut V {
        table::borrow_mut(&mut self.inner, key)
    }

    public fun length<K: copy + drop, V>(self: &TableWithLength<K, V>): u64 {
        self.length
    }

    public fun empty<K: copy + drop, V>(self: &TableWithLength<K, V>): bool {
        self.length == 0
    }

    public fun borrow_mut_with_default<K: copy + drop, V: drop>(self: &mut TableWithLength<K, V>, key: K, default: V): &mut V {
        if (!table::contains(&self.inner, key)) {
            table::add(&mut self.inner, key, default);
            self.length = self.length + 1;
        };
        table::borrow_mut(&mut self.inner, key)
    }

    public fun upsert<K: copy + drop, V: drop>(self: &mut TableWithLength<K, V>, key: K, value: V) {
        if (table::contains(&self.inner, key)) {
            *table::borrow_mut(&mut self.inner, key) = value
        } else {
            add(self, key, value)
        }
    }

    public fun remove<K: copy + drop, V>(self: &mut TableWithLength<K, V>, key: K): V {
        let v = table::remove(&mut self.inner, key);
        self.length = self.length - 1;
        v
    }

    public fun contains<K: copy + drop, V>(self: &TableWithLength<K, V>, key: K): bool {
        table::contains(&self.inner, key)
    }

    #[test_only]
    public fun drop_unchecked<K: copy + drop, V>(self: TableWithLength<K, V>) {
        let TableWithLength { inner, length: _ } = self;
        table::drop_unchecked(inner)
    }
}
