/// A map kept as a vector of (key, value) pairs: linear lookups, insertion
/// order kept except that remove moves the last pair into the removed slot.
module aptos_std::simple_map {
    use std::error;
    use std::option::{Self, Option};
    use std::vector;

    /// The key is already in the map.
    const EKEY_ALREADY_EXISTS: u64 = 1;
    /// The key is not in the map.
    const EKEY_NOT_FOUND: u64 = 2;

    struct SimpleMap<Key, Value> has copy, drop, store {
        data: vector<Element<Key, Value>>,
    }

    struct Element<Key, Value> has copy, drop, store {
        key: Key,
        value: Value,
    }

    public fun length<Key: store, Value: store>(self: &SimpleMap<Key, Value>): u64 {
        vector::length(&self.data)
    }

    public fun new<Key: store, Value: store>(): SimpleMap<Key, Value> {
        SimpleMap { data: vector::empty() }
    }

    public fun new_from<Key: store, Value: store>(keys: vector<Key>, values: vector<Value>): SimpleMap<Key, Value> {
        let m = new();
        add_all(&mut m, keys, values);
        m
    }

    #[deprecated]
    public fun create<Key: store, Value: store>(): SimpleMap<Key, Value> {
        new()
    }

    public fun borrow<Key: store, Value: store>(self: &SimpleMap<Key, Value>, key: &Key): &Value {
        let (found, i) = find(self, key);
        assert!(found, error::invalid_argument(EKEY_NOT_FOUND));
        &vector::borrow(&self.data, i).value
    }

    public fun borrow_mut<Key: store, Value: store>(self: &mut SimpleMap<Key, Value>, key: &Key): &mut Value {
        let (found, i) = find(self, key);
        assert!(found, error::invalid_argument(EKEY_NOT_FOUND));
        &mut vector::borrow_mut(&mut self.data, i).value
    }

    public fun contains_key<Key: store, Value: store>(self: &SimpleMap<Key, Value>, key: &Key): bool {
        let (found, _) = find(self, key);
        found
    }

    public fun destroy_empty<Key: store, Value: store>(self: SimpleMap<Key, Value>) {
        let SimpleMap { data } = self;
        vector::destroy_empty(data);
    }

    public fun add<Key: store, Value: store>(self: &mut SimpleMap<Key, Value>, key: Key, value: Value) {
        let (found, _) = find(self, &key);
        assert!(!found, error::invalid_argument(EKEY_ALREADY_EXISTS));
        vector::push_back(&mut self.data, Element { key, value });
    }

    /// Adds every pair; the vectors must have the same length (abort 0x20002).
    public fun add_all<Key: store, Value: store>(self: &mut SimpleMap<Key, Value>, keys: vector<Key>, values: vector<Value>) {
        vector::zip(keys, values, |k, v| add(self, k, v));
    }

    /// Inserts or replaces in place; returns the replaced key and value, if any.
    public fun upsert<Key: store, Value: store>(
        self: &mut SimpleMap<Key, Value>,
        key: Key,
        value: Value
    ): (Option<Key>, Option<Value>) {
        let (found, i) = find(self, &key);
        vector::push_back(&mut self.data, Element { key, value });
        if (!found) return (option::none(), option::none());
        let last = vector::length(&self.data) - 1;
        vector::swap(&mut self.data, i, last);
        let Element { key: old_key, value: old_value } = vector::pop_back(&mut self.data);
        (option::some(old_key), option::some(old_value))
    }

    public fun keys<Key: copy, Value>(self: &SimpleMap<Key, Value>): vector<Key> {
        vector::map_ref(&self.data, |e| { let el: &Element<Key, Value> = e; el.key })
    }

    public fun values<Key, Value: copy>(self: &SimpleMap<Key, Value>): vector<Value> {
        vector::map_ref(&self.data, |e| { let el: &Element<Key, Value> = e; el.value })
    }

    public fun to_vec_pair<Key: store, Value: store>(self: SimpleMap<Key, Value>): (vector<Key>, vector<Value>) {
        let keys = vector::empty<Key>();
        let values = vector::empty<Value>();
        let SimpleMap { data } = self;
        vector::for_each(data, |e| {
            let Element { key, value } = e;
            vector::push_back(&mut keys, key);
            vector::push_back(&mut values, value);
        });
        (keys, values)
    }

    public inline fun destroy<Key: store, Value: store>(self: SimpleMap<Key, Value>, dk: |Key|, dv: |Value|) {
        let (keys, values) = to_vec_pair(self);
        vector::destroy(keys, |k| dk(k));
        vector::destroy(values, |v| dv(v));
    }

    /// Removes `key`, moving the last pair into its slot.
    public fun remove<Key: store, Value: store>(self: &mut SimpleMap<Key, Value>, key: &Key): (Key, Value) {
        let (found, i) = find(self, key);
        assert!(found, error::invalid_argument(EKEY_NOT_FOUND));
        let Element { key, value } = vector::swap_remove(&mut self.data, i);
        (key, value)
    }

    fun find<Key: store, Value: store>(self: &SimpleMap<Key, Value>, key: &Key): (bool, u64) {
        let n = vector::length(&self.data);
        let i = 0;
        while (i < n) {
            if (&vector::borrow(&self.data, i).key == key) return (true, i);
            i = i + 1;
        };
        (false, 0)
    }
}
