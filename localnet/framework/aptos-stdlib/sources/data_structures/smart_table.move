/// A hash table on top of table_with_length using linear hashing: entries sit
/// in buckets (vectors) chosen by the SipHash of the key's BCS bytes, and one
/// bucket splits whenever the load factor reaches the threshold, so lookups
/// stay short without rehashing everything. The bucket layout (and so the
/// iteration order) is the same as on Aptos for the same operations.
module aptos_std::smart_table {
    use std::error;
    use std::option::{Self, Option};
    use std::vector;
    use aptos_std::aptos_hash::sip_hash_from_value;
    use aptos_std::math64::max;
    use aptos_std::simple_map::{Self, SimpleMap};
    use aptos_std::table_with_length::{Self, TableWithLength};
    use aptos_std::type_info::size_of_val;

    const ENOT_FOUND: u64 = 1;
    const EZERO_CAPACITY: u64 = 2;
    const ENOT_EMPTY: u64 = 3;
    const EALREADY_EXIST: u64 = 4;
    const EINVALID_LOAD_THRESHOLD_PERCENT: u64 = 5;
    const EINVALID_TARGET_BUCKET_SIZE: u64 = 6;
    const EEXCEED_MAX_BUCKET_SIZE: u64 = 7;
    const EINVALID_BUCKET_INDEX: u64 = 8;
    const EINVALID_VECTOR_INDEX: u64 = 9;

    struct Entry<K, V> has copy, drop, store {
        hash: u64,
        key: K,
        value: V,
    }

    struct SmartTable<K, V> has store {
        buckets: TableWithLength<u64, vector<Entry<K, V>>>,
        num_buckets: u64,
        /// Buckets are addressed with level + 1 bits of the hash.
        level: u8,
        size: u64,
        /// Split when size * 100 / (num_buckets * target_bucket_size) reaches this.
        split_load_threshold: u8,
        /// Entries per bucket aimed at; derived from the first entry's size when 0.
        target_bucket_size: u64,
    }

    public fun new<K: copy + drop + store, V: store>(): SmartTable<K, V> {
        new_with_config<K, V>(0, 0, 0)
    }

    /// Zero for any parameter picks the default (2 buckets, 75%, size-derived target).
    public fun new_with_config<K: copy + drop + store, V: store>(
        num_initial_buckets: u64,
        split_load_threshold: u8,
        target_bucket_size: u64
    ): SmartTable<K, V> {
        assert!(split_load_threshold <= 100, error::invalid_argument(EINVALID_LOAD_THRESHOLD_PERCENT));
        let buckets = table_with_length::new();
        table_with_length::add(&mut buckets, 0, vector::empty());
        let t = SmartTable {
            buckets,
            num_buckets: 1,
            level: 0,
            size: 0,
            split_load_threshold: if (split_load_threshold == 0) 75 else split_load_threshold,
            target_bucket_size,
        };
        let wanted = if (num_initial_buckets == 0) 2 else num_initial_buckets;
        while (t.num_buckets < wanted) split_one_bucket(&mut t);
        t
    }

    public fun destroy_empty<K, V>(self: SmartTable<K, V>) {
        assert!(self.size == 0, error::invalid_argument(ENOT_EMPTY));
        let i = 0;
        while (i < self.num_buckets) {
            vector::destroy_empty(table_with_length::remove(&mut self.buckets, i));
            i = i + 1;
        };
        let SmartTable { buckets, num_buckets: _, level: _, size: _, split_load_threshold: _, target_bucket_size: _ } = self;
        table_with_length::destroy_empty(buckets);
    }

    public fun destroy<K: drop, V: drop>(self: SmartTable<K, V>) {
        clear(&mut self);
        destroy_empty(self);
    }

    /// Removes every entry and goes back to one bucket.
    public fun clear<K: drop, V: drop>(self: &mut SmartTable<K, V>) {
        *table_with_length::borrow_mut(&mut self.buckets, 0) = vector::empty();
        let i = 1;
        while (i < self.num_buckets) {
            table_with_length::remove(&mut self.buckets, i);
            i = i + 1;
        };
        self.num_buckets = 1;
        self.level = 0;
        self.size = 0;
    }

    public fun add<K, V>(self: &mut SmartTable<K, V>, key: K, value: V) {
        let hash = sip_hash_from_value(&key);
        let index = bucket_index(self.level, self.num_buckets, hash);
        let bucket = table_with_length::borrow_mut(&mut self.buckets, index);
        assert!(vector::length(bucket) <= 10000, error::permission_denied(EEXCEED_MAX_BUCKET_SIZE));
        let n = vector::length(bucket);
        let i = 0;
        while (i < n) {
            assert!(&vector::borrow(bucket, i).key != &key, error::invalid_argument(EALREADY_EXIST));
            i = i + 1;
        };
        let e = Entry { hash, key, value };
        if (self.target_bucket_size == 0) {
            // Aim at about 1 KiB of entries per bucket.
            let entry_size = max(size_of_val(&e), 1);
            self.target_bucket_size = max(1024 / entry_size, 1);
        };
        vector::push_back(bucket, e);
        self.size = self.size + 1;
        if (load_factor(self) >= (self.split_load_threshold as u64)) split_one_bucket(self);
    }

    /// Adds the pairs in order; the vectors must have the same length (abort 0x20002).
    public fun add_all<K, V>(self: &mut SmartTable<K, V>, keys: vector<K>, values: vector<V>) {
        vector::zip(keys, values, |k, v| add(self, k, v));
    }

    public fun to_simple_map<K: store + copy + drop, V: store + copy>(self: &SmartTable<K, V>): SimpleMap<K, V> {
        let m = simple_map::new<K, V>();
        let b = 0;
        while (b < self.num_buckets) {
            let bucket = table_with_length::borrow(&self.buckets, b);
            let keys = vector[];
            let values = vector[];
            let i = 0;
            while (i < vector::length(bucket)) {
                let e = vector::borrow(bucket, i);
                vector::push_back(&mut keys, e.key);
                vector::push_back(&mut values, e.value);
                i = i + 1;
            };
            simple_map::add_all(&mut m, keys, values);
            b = b + 1;
        };
        m
    }

    public fun keys<K: store + copy + drop, V: store + copy>(self: &SmartTable<K, V>): vector<K> {
        let (keys, _, _) = keys_paginated(self, 0, 0, self.size);
        keys
    }

    /// Up to `num_keys_to_get` keys starting at a bucket and position, and where
    /// the next page starts (none when the table is exhausted).
    public fun keys_paginated<K: store + copy + drop, V: store + copy>(
        self: &SmartTable<K, V>,
        starting_bucket_index: u64,
        starting_vector_index: u64,
        num_keys_to_get: u64,
    ): (vector<K>, Option<u64>, Option<u64>) {
        let num_buckets = self.num_buckets;
        assert!(starting_bucket_index < num_buckets, EINVALID_BUCKET_INDEX);
        let first = table_with_length::borrow(&self.buckets, starting_bucket_index);
        assert!(
            starting_vector_index < vector::length(first) || starting_vector_index == 0,
            EINVALID_VECTOR_INDEX
        );
        let keys = vector[];
        if (num_keys_to_get == 0) {
            return (keys, option::some(starting_bucket_index), option::some(starting_vector_index))
        };
        let remaining = num_keys_to_get;
        let b = starting_bucket_index;
        let pos = starting_vector_index;
        while (b < num_buckets) {
            let bucket = table_with_length::borrow(&self.buckets, b);
            let n = vector::length(bucket);
            while (pos < n) {
                vector::push_back(&mut keys, vector::borrow(bucket, pos).key);
                pos = pos + 1;
                remaining = remaining - 1;
                if (remaining == 0) {
                    if (pos < n) return (keys, option::some(b), option::some(pos));
                    if (b + 1 < num_buckets) return (keys, option::some(b + 1), option::some(0));
                    return (keys, option::none(), option::none())
                };
            };
            pos = 0;
            b = b + 1;
        };
        (keys, option::none(), option::none())
    }

    /// Adds bucket number num_buckets by moving into it the entries of its
    /// sibling that now hash to it.
    fun split_one_bucket<K, V>(self: &mut SmartTable<K, V>) {
        let new_index = self.num_buckets;
        let sibling = new_index ^ (1 << self.level);
        self.num_buckets = new_index + 1;
        if (sibling + 1 == 1 << self.level) self.level = self.level + 1;
        let level = self.level;
        let num_buckets = self.num_buckets;
        let old = table_with_length::borrow_mut(&mut self.buckets, sibling);
        let stay = vector::partition(old, |e| {
            let entry: &Entry<K, V> = e;
            bucket_index(level, num_buckets, entry.hash) != new_index
        });
        let moved = vector::trim_reverse(old, stay);
        table_with_length::add(&mut self.buckets, new_index, moved);
    }

    fun bucket_index(level: u8, num_buckets: u64, hash: u64): u64 {
        let index = hash % (1 << (level + 1));
        if (index < num_buckets) index else index % (1 << level)
    }

    public fun borrow<K: drop, V>(self: &SmartTable<K, V>, key: K): &V {
        let index = bucket_index(self.level, self.num_buckets, sip_hash_from_value(&key));
        let bucket = table_with_length::borrow(&self.buckets, index);
        let i = 0;
        let n = vector::length(bucket);
        while (i < n) {
            let e = vector::borrow(bucket, i);
            if (&e.key == &key) return &e.value;
            i = i + 1;
        };
        abort error::invalid_argument(ENOT_FOUND)
    }

    public fun borrow_with_default<K: copy + drop, V>(self: &SmartTable<K, V>, key: K, default: &V): &V {
        if (contains(self, copy key)) borrow(self, key) else default
    }

    public fun borrow_mut<K: drop, V>(self: &mut SmartTable<K, V>, key: K): &mut V {
        let index = bucket_index(self.level, self.num_buckets, sip_hash_from_value(&key));
        let bucket = table_with_length::borrow_mut(&mut self.buckets, index);
        let i = 0;
        let n = vector::length(bucket);
        while (i < n) {
            if (&vector::borrow(bucket, i).key == &key) return &mut vector::borrow_mut(bucket, i).value;
            i = i + 1;
        };
        abort error::invalid_argument(ENOT_FOUND)
    }

    public fun borrow_mut_with_default<K: copy + drop, V: drop>(self: &mut SmartTable<K, V>, key: K, default: V): &mut V {
        if (!contains(self, copy key)) add(self, copy key, default);
        borrow_mut(self, key)
    }

    public fun contains<K: drop, V>(self: &SmartTable<K, V>, key: K): bool {
        let hash = sip_hash_from_value(&key);
        let bucket = table_with_length::borrow(&self.buckets, bucket_index(self.level, self.num_buckets, hash));
        let i = 0;
        let n = vector::length(bucket);
        while (i < n) {
            let e = vector::borrow(bucket, i);
            if (e.hash == hash && &e.key == &key) return true;
            i = i + 1;
        };
        false
    }

    /// Removes `key` (the bucket's last entry takes its place).
    public fun remove<K: copy + drop, V>(self: &mut SmartTable<K, V>, key: K): V {
        let index = bucket_index(self.level, self.num_buckets, sip_hash_from_value(&key));
        let bucket = table_with_length::borrow_mut(&mut self.buckets, index);
        let i = 0;
        let n = vector::length(bucket);
        while (i < n) {
            if (&vector::borrow(bucket, i).key == &key) {
                let Entry { hash: _, key: _, value } = vector::swap_remove(bucket, i);
                self.size = self.size - 1;
                return value
            };
            i = i + 1;
        };
        abort error::invalid_argument(ENOT_FOUND)
    }

    public fun upsert<K: copy + drop, V: drop>(self: &mut SmartTable<K, V>, key: K, value: V) {
        if (contains(self, copy key)) {
            *borrow_mut(self, key) = value
        } else {
            add(self, key, value)
        }
    }

    public fun length<K, V>(self: &SmartTable<K, V>): u64 {
        self.size
    }

    /// Percent of the target capacity in use.
    public fun load_factor<K, V>(self: &SmartTable<K, V>): u64 {
        self.size * 100 / self.num_buckets / self.target_bucket_size
    }

    public fun update_split_load_threshold<K, V>(self: &mut SmartTable<K, V>, split_load_threshold: u8) {
        assert!(
            split_load_threshold <= 100 && split_load_threshold > 0,
            error::invalid_argument(EINVALID_LOAD_THRESHOLD_PERCENT)
        );
        self.split_load_threshold = split_load_threshold;
    }

    public fun update_target_bucket_size<K, V>(self: &mut SmartTable<K, V>, target_bucket_size: u64) {
        assert!(target_bucket_size > 0, error::invalid_argument(EINVALID_TARGET_BUCKET_SIZE));
        self.target_bucket_size = target_bucket_size;
    }

    public inline fun for_each_ref<K, V>(self: &SmartTable<K, V>, f: |&K, &V|) {
        let b = 0;
        while (b < num_buckets(self)) {
            vector::for_each_ref(table_with_length::borrow(borrow_buckets(self), b), |e| {
                let (k, v) = borrow_kv(e);
                f(k, v)
            });
            b = b + 1;
        }
    }

    public inline fun for_each_mut<K, V>(self: &mut SmartTable<K, V>, f: |&K, &mut V|) {
        let b = 0;
        while (b < num_buckets(self)) {
            vector::for_each_mut(table_with_length::borrow_mut(borrow_buckets_mut(self), b), |e| {
                let (k, v) = borrow_kv_mut(e);
                f(k, v)
            });
            b = b + 1;
        };
    }

    public inline fun map_ref<K: copy + drop + store, V1, V2: store>(self: &SmartTable<K, V1>, f: |&V1|V2): SmartTable<K, V2> {
        let out = new<K, V2>();
        for_each_ref(self, |k, v| add(&mut out, *k, f(v)));
        out
    }

    public inline fun any<K, V>(self: &SmartTable<K, V>, p: |&K, &V|bool): bool {
        let found = false;
        let b = 0;
        while (b < num_buckets(self)) {
            found = vector::any(table_with_length::borrow(borrow_buckets(self), b), |e| {
                let (k, v) = borrow_kv(e);
                p(k, v)
            });
            if (found) break;
            b = b + 1;
        };
        found
    }

    public fun borrow_kv<K, V>(self: &Entry<K, V>): (&K, &V) {
        (&self.key, &self.value)
    }

    public fun borrow_kv_mut<K, V>(self: &mut Entry<K, V>): (&mut K, &mut V) {
        (&mut self.key, &mut self.value)
    }

    public fun num_buckets<K, V>(self: &SmartTable<K, V>): u64 {
        self.num_buckets
    }

    public fun borrow_buckets<K, V>(self: &SmartTable<K, V>): &TableWithLength<u64, vector<Entry<K, V>>> {
        &self.buckets
    }

    public fun borrow_buckets_mut<K, V>(self: &mut SmartTable<K, V>): &mut TableWithLength<u64, vector<Entry<K, V>>> {
        &mut self.buckets
    }
}
