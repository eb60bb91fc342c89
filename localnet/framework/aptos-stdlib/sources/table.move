/// A key-value map whose entries live in global storage one by one, so it can
/// grow without bound. Entries are addressed by the BCS bytes of the key;
/// there is no iteration and no length (see table_with_length).
module aptos_std::table {
    friend aptos_std::table_with_length;

    struct Table<phantom K: copy + drop, phantom V> has store {
        handle: address,
    }

    /// Storage wrapper for one entry.
    struct Box<V> has key, drop, store {
        val: V
    }

    public fun new<K: copy + drop, V: store>(): Table<K, V> {
        Table { handle: new_table_handle<K, V>() }
    }

    /// Adds an entry; aborts (code 0x6407, from the native) if the key exists.
    public fun add<K: copy + drop, V>(self: &mut Table<K, V>, key: K, val: V) {
        add_box<K, V, Box<V>>(self, key, Box { val })
    }

    /// The value of `key`; aborts (0x6507) if absent.
    public fun borrow<K: copy + drop, V>(self: &Table<K, V>, key: K): &V {
        &borrow_box<K, V, Box<V>>(self, key).val
    }

    public fun borrow_with_default<K: copy + drop, V>(self: &Table<K, V>, key: K, default: &V): &V {
        if (contains(self, copy key)) borrow(self, key) else default
    }

    public fun borrow_mut<K: copy + drop, V>(self: &mut Table<K, V>, key: K): &mut V {
        &mut borrow_box_mut<K, V, Box<V>>(self, key).val
    }

    /// The value of `key`, inserting `default` first if absent.
    public fun borrow_mut_with_default<K: copy + drop, V: drop>(self: &mut Table<K, V>, key: K, default: V): &mut V {
        if (!contains(self, copy key)) add(self, copy key, default);
        borrow_mut(self, key)
    }

    /// Inserts or overwrites.
    public fun upsert<K: copy + drop, V: drop>(self: &mut Table<K, V>, key: K, value: V) {
        if (contains(self, copy key)) {
            *borrow_mut(self, key) = value
        } else {
            add(self, key, value)
        }
    }

    public fun remove<K: copy + drop, V>(self: &mut Table<K, V>, key: K): V {
        let Box { val } = remove_box<K, V, Box<V>>(self, key);
        val
    }

    public fun contains<K: copy + drop, V>(self: &Table<K, V>, key: K): bool {
        contains_box<K, V, Box<V>>(self, key)
    }

    #[test_only]
    /// Drops a table whatever it holds; tests only.
    public fun drop_unchecked<K: copy + drop, V>(self: Table<K, V>) {
        drop_unchecked_box<K, V, Box<V>>(self)
    }

    /// Destroys a table the caller knows to be empty.
    friend fun destroy_known_empty_unsafe<K: copy + drop, V>(self: Table<K, V>) {
        destroy_empty_box<K, V, Box<V>>(&self);
        drop_unchecked_box<K, V, Box<V>>(self)
    }

    native fun new_table_handle<K, V>(): address;
    native fun add_box<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K, val: Box<V>);
    native fun borrow_box<K: copy + drop, V, B>(table: &Table<K, V>, key: K): &Box<V>;
    native fun borrow_box_mut<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K): &mut Box<V>;
    native fun contains_box<K: copy + drop, V, B>(table: &Table<K, V>, key: K): bool;
    native fun remove_box<K: copy + drop, V, B>(table: &mut Table<K, V>, key: K): Box<V>;
    native fun destroy_empty_box<K: copy + drop, V, B>(table: &Table<K, V>);
    native fun drop_unchecked_box<K: copy + drop, V, B>(table: Table<K, V>);
}
