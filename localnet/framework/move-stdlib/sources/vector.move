/// Growable arrays. The first eight functions are VM instructions; everything
/// else is written on top of them. Error constants are raw (not categorized),
/// as callers have always matched on these exact values.
module std::vector {
    /// An index is past the end of the vector.
    const EINDEX_OUT_OF_BOUNDS: u64 = 0x20000;
    /// A range's left end is greater than its right end.
    const EINVALID_RANGE: u64 = 0x20001;

    /// Whether append, trim, insert and remove use the native `move_range`,
    /// as on Aptos mainnet (one native call instead of a loop of swaps). A VM
    /// without that native can run this module with the constant set to false:
    /// results and abort codes are the same either way.
    const USE_MOVE_RANGE: bool = true;
    /// Two vectors that must have the same length do not.
    const EVECTORS_LENGTH_MISMATCH: u64 = 0x20002;
    /// A step of zero was given to `range_with_step`.
    const EINVALID_STEP: u64 = 0x20003;
    /// A slice range is empty-inverted or reaches past the end.
    const EINVALID_SLICE_RANGE: u64 = 0x20004;

    #[bytecode_instruction]
    native public fun empty<Element>(): vector<Element>;

    #[bytecode_instruction]
    native public fun length<Element>(self: &vector<Element>): u64;

    #[bytecode_instruction]
    native public fun borrow<Element>(self: &vector<Element>, i: u64): &Element;

    #[bytecode_instruction]
    native public fun push_back<Element>(self: &mut vector<Element>, e: Element);

    #[bytecode_instruction]
    native public fun borrow_mut<Element>(self: &mut vector<Element>, i: u64): &mut Element;

    #[bytecode_instruction]
    native public fun pop_back<Element>(self: &mut vector<Element>): Element;

    #[bytecode_instruction]
    native public fun destroy_empty<Element>(self: vector<Element>);

    #[bytecode_instruction]
    native public fun swap<Element>(self: &mut vector<Element>, i: u64, j: u64);

    /// Moves `length` elements starting at `removal_position` of `from` into
    /// `to` at `insert_position`, keeping their order.
    native public fun move_range<T>(
        from: &mut vector<T>,
        removal_position: u64,
        length: u64,
        to: &mut vector<T>,
        insert_position: u64
    );

    public fun singleton<Element>(e: Element): vector<Element> {
        let v = empty();
        push_back(&mut v, e);
        v
    }

    public fun last<Element>(self: &vector<Element>): &Element {
        let n = length(self);
        assert!(n > 0, EINDEX_OUT_OF_BOUNDS);
        borrow(self, n - 1)
    }

    public fun last_mut<Element>(self: &mut vector<Element>): &mut Element {
        let n = length(self);
        assert!(n > 0, EINDEX_OUT_OF_BOUNDS);
        borrow_mut(self, n - 1)
    }

    public fun reverse<Element>(self: &mut vector<Element>) {
        let n = length(self);
        reverse_slice(self, 0, n);
    }

    /// Reverses the elements in [left, right).
    public fun reverse_slice<Element>(self: &mut vector<Element>, left: u64, right: u64) {
        assert!(left <= right, EINVALID_RANGE);
        if (left == right) return;
        let lo = left;
        let hi = right - 1;
        while (lo < hi) {
            swap(self, lo, hi);
            lo = lo + 1;
            hi = hi - 1;
        }
    }

    /// Appends all of `other` to `self`, preserving order.
    public fun append<Element>(self: &mut vector<Element>, other: vector<Element>) {
        if (USE_MOVE_RANGE) {
            let at = length(self);
            let n = length(&other);
            move_range(&mut other, 0, n, self, at);
            destroy_empty(other);
        } else {
            reverse(&mut other);
            reverse_append(self, other);
        }
    }

    /// Appends `other` to `self` in reverse order.
    public fun reverse_append<Element>(self: &mut vector<Element>, other: vector<Element>) {
        let n = length(&other);
        while (n > 0) {
            push_back(self, pop_back(&mut other));
            n = n - 1;
        };
        destroy_empty(other);
    }

    /// Cuts `self` to `new_len` elements and returns the removed tail, in order.
    public fun trim<Element>(self: &mut vector<Element>, new_len: u64): vector<Element> {
        if (USE_MOVE_RANGE) {
            let n = length(self);
            assert!(new_len <= n, EINDEX_OUT_OF_BOUNDS);
            let tail = empty();
            move_range(self, new_len, n - new_len, &mut tail, 0);
            tail
        } else {
            let tail = trim_reverse(self, new_len);
            reverse(&mut tail);
            tail
        }
    }

    /// Cuts `self` to `new_len` elements and returns the removed tail, last first.
    public fun trim_reverse<Element>(self: &mut vector<Element>, new_len: u64): vector<Element> {
        let n = length(self);
        assert!(new_len <= n, EINDEX_OUT_OF_BOUNDS);
        let tail = empty();
        while (n > new_len) {
            push_back(&mut tail, pop_back(self));
            n = n - 1;
        };
        tail
    }

    public fun is_empty<Element>(self: &vector<Element>): bool {
        length(self) == 0
    }

    public fun contains<Element>(self: &vector<Element>, e: &Element): bool {
        let (found, _) = index_of(self, e);
        found
    }

    /// The first index holding a value equal to `e`, if any; (false, 0) otherwise.
    public fun index_of<Element>(self: &vector<Element>, e: &Element): (bool, u64) {
        let i = 0;
        let n = length(self);
        while (i < n) {
            if (borrow(self, i) == e) return (true, i);
            i = i + 1;
        };
        (false, 0)
    }

    /// The first index whose element satisfies `f`, if any; (false, 0) otherwise.
    public inline fun find<Element>(self: &vector<Element>, f: |&Element|bool): (bool, u64) {
        let found = false;
        let at = 0;
        let i = 0;
        let n = length(self);
        while (i < n) {
            if (f(borrow(self, i))) {
                found = true;
                at = i;
                break
            };
            i = i + 1;
        };
        (found, at)
    }

    /// Inserts `e` at index `i` (0 <= i <= length), shifting later elements right.
    public fun insert<Element>(self: &mut vector<Element>, i: u64, e: Element) {
        let n = length(self);
        assert!(i <= n, EINDEX_OUT_OF_BOUNDS);
        // Far from the end one native move is cheaper than a chain of swaps.
        if (USE_MOVE_RANGE && i + 2 < n) {
            let one = singleton(e);
            move_range(&mut one, 0, 1, self, i);
            destroy_empty(one);
            return
        };
        push_back(self, e);
        let j = n;
        while (j > i) {
            swap(self, j - 1, j);
            j = j - 1;
        }
    }

    /// Removes and returns the element at `i`, shifting later elements left.
    public fun remove<Element>(self: &mut vector<Element>, i: u64): Element {
        let n = length(self);
        if (i >= n) abort EINDEX_OUT_OF_BOUNDS;
        if (USE_MOVE_RANGE && i + 3 < n) {
            let one = empty();
            move_range(self, i, 1, &mut one, 0);
            let e = pop_back(&mut one);
            destroy_empty(one);
            return e
        };
        let j = i;
        while (j + 1 < n) {
            swap(self, j, j + 1);
            j = j + 1;
        };
        pop_back(self)
    }

    /// Removes the first element equal to `val`; returns it in a vector of
    /// zero or one element.
    public fun remove_value<Element>(self: &mut vector<Element>, val: &Element): vector<Element> {
        let (found, i) = index_of(self, val);
        let out = empty();
        if (found) push_back(&mut out, remove(self, i));
        out
    }

    /// Removes the element at `i` by moving the last element into its place.
    public fun swap_remove<Element>(self: &mut vector<Element>, i: u64): Element {
        assert!(!is_empty(self), EINDEX_OUT_OF_BOUNDS);
        let last_index = length(self) - 1;
        swap(self, i, last_index);
        pop_back(self)
    }

    /// Puts `val` at index `i` and returns what was there.
    public fun replace<Element>(self: &mut vector<Element>, i: u64, val: Element): Element {
        let n = length(self);
        assert!(i < n, EINDEX_OUT_OF_BOUNDS);
        push_back(self, val);
        swap(self, i, n);
        pop_back(self)
    }

    public inline fun for_each<Element>(self: vector<Element>, f: |Element|) {
        reverse(&mut self);
        for_each_reverse(self, |e| f(e));
    }

    public inline fun for_each_reverse<Element>(self: vector<Element>, f: |Element|) {
        let n = length(&self);
        while (n > 0) {
            f(pop_back(&mut self));
            n = n - 1;
        };
        destroy_empty(self)
    }

    public inline fun for_each_ref<Element>(self: &vector<Element>, f: |&Element|) {
        let i = 0;
        let n = length(self);
        while (i < n) {
            f(borrow(self, i));
            i = i + 1
        }
    }

    public inline fun zip<Element1, Element2>(self: vector<Element1>, v2: vector<Element2>, f: |Element1, Element2|) {
        reverse(&mut self);
        reverse(&mut v2);
        zip_reverse(self, v2, |e1, e2| f(e1, e2));
    }

    public inline fun zip_reverse<Element1, Element2>(
        self: vector<Element1>,
        v2: vector<Element2>,
        f: |Element1, Element2|,
    ) {
        let n = length(&self);
        // A literal, not EVECTORS_LENGTH_MISMATCH: the body is expanded in the
        // caller's module, where this module's constants are not visible.
        assert!(n == length(&v2), 0x20002);
        while (n > 0) {
            f(pop_back(&mut self), pop_back(&mut v2));
            n = n - 1;
        };
        destroy_empty(self);
        destroy_empty(v2);
    }

    public inline fun zip_ref<Element1, Element2>(
        self: &vector<Element1>,
        v2: &vector<Element2>,
        f: |&Element1, &Element2|,
    ) {
        let n = length(self);
        assert!(n == length(v2), 0x20002);
        let i = 0;
        while (i < n) {
            f(borrow(self, i), borrow(v2, i));
            i = i + 1
        }
    }

    public inline fun enumerate_ref<Element>(self: &vector<Element>, f: |u64, &Element|) {
        let i = 0;
        let n = length(self);
        while (i < n) {
            f(i, borrow(self, i));
            i = i + 1;
        };
    }

    public inline fun for_each_mut<Element>(self: &mut vector<Element>, f: |&mut Element|) {
        let i = 0;
        let n = length(self);
        while (i < n) {
            f(borrow_mut(self, i));
            i = i + 1
        }
    }

    public inline fun zip_mut<Element1, Element2>(
        self: &mut vector<Element1>,
        v2: &mut vector<Element2>,
        f: |&mut Element1, &mut Element2|,
    ) {
        let i = 0;
        let n = length(self);
        assert!(n == length(v2), 0x20002);
        while (i < n) {
            f(borrow_mut(self, i), borrow_mut(v2, i));
            i = i + 1
        }
    }

    public inline fun enumerate_mut<Element>(self: &mut vector<Element>, f: |u64, &mut Element|) {
        let i = 0;
        let n = length(self);
        while (i < n) {
            f(i, borrow_mut(self, i));
            i = i + 1;
        };
    }

    public inline fun fold<Accumulator, Element>(
        self: vector<Element>,
        init: Accumulator,
        f: |Accumulator, Element|Accumulator
    ): Accumulator {
        let acc = init;
        for_each(self, |e| acc = f(acc, e));
        acc
    }

    public inline fun foldr<Accumulator, Element>(
        self: vector<Element>,
        init: Accumulator,
        f: |Element, Accumulator|Accumulator
    ): Accumulator {
        let acc = init;
        for_each_reverse(self, |e| acc = f(e, acc));
        acc
    }

    public inline fun map_ref<Element, NewElement>(
        self: &vector<Element>,
        f: |&Element|NewElement
    ): vector<NewElement> {
        let out = vector<NewElement>[];
        for_each_ref(self, |e| push_back(&mut out, f(e)));
        out
    }

    public inline fun zip_map_ref<Element1, Element2, NewElement>(
        self: &vector<Element1>,
        v2: &vector<Element2>,
        f: |&Element1, &Element2|NewElement
    ): vector<NewElement> {
        assert!(length(self) == length(v2), 0x20002);
        let out = vector<NewElement>[];
        zip_ref(self, v2, |e1, e2| push_back(&mut out, f(e1, e2)));
        out
    }

    public inline fun map<Element, NewElement>(
        self: vector<Element>,
        f: |Element|NewElement
    ): vector<NewElement> {
        let out = vector<NewElement>[];
        for_each(self, |e| push_back(&mut out, f(e)));
        out
    }

    public inline fun zip_map<Element1, Element2, NewElement>(
        self: vector<Element1>,
        v2: vector<Element2>,
        f: |Element1, Element2|NewElement
    ): vector<NewElement> {
        assert!(length(&self) == length(&v2), 0x20002);
        let out = vector<NewElement>[];
        zip(self, v2, |e1, e2| push_back(&mut out, f(e1, e2)));
        out
    }

    public inline fun filter<Element: drop>(
        self: vector<Element>,
        p: |&Element|bool
    ): vector<Element> {
        let out = vector<Element>[];
        for_each(self, |e| {
            if (p(&e)) push_back(&mut out, e);
        });
        out
    }

    /// Moves the elements satisfying `pred` to the front (order not kept) and
    /// returns how many there are.
    public inline fun partition<Element>(
        self: &mut vector<Element>,
        pred: |&Element|bool
    ): u64 {
        let i = 0;
        let n = length(self);
        while (i < n) {
            if (!pred(borrow(self, i))) break;
            i = i + 1;
        };
        let boundary = i;
        i = i + 1;
        while (i < n) {
            if (pred(borrow(self, i))) {
                swap(self, boundary, i);
                boundary = boundary + 1;
            };
            i = i + 1;
        };
        boundary
    }

    /// Rotates the whole vector left by `rot`; returns the new index of the
    /// element that was first.
    public fun rotate<Element>(self: &mut vector<Element>, rot: u64): u64 {
        let n = length(self);
        rotate_slice(self, 0, rot, n)
    }

    /// Rotates [left, right) so that the element at `rot` comes first.
    public fun rotate_slice<Element>(self: &mut vector<Element>, left: u64, rot: u64, right: u64): u64 {
        reverse_slice(self, left, rot);
        reverse_slice(self, rot, right);
        reverse_slice(self, left, right);
        left + (right - rot)
    }

    /// Like `partition` but keeps the relative order on both sides.
    public inline fun stable_partition<Element>(
        self: &mut vector<Element>,
        p: |&Element|bool
    ): u64 {
        let n = length(self);
        let yes = empty();
        let no = empty();
        while (n > 0) {
            let e = pop_back(self);
            if (p(&e)) push_back(&mut yes, e) else push_back(&mut no, e);
            n = n - 1;
        };
        let count = length(&yes);
        reverse_append(self, yes);
        reverse_append(self, no);
        count
    }

    public inline fun any<Element>(self: &vector<Element>, p: |&Element|bool): bool {
        let hit = false;
        let i = 0;
        while (i < length(self)) {
            hit = p(borrow(self, i));
            if (hit) break;
            i = i + 1
        };
        hit
    }

    public inline fun all<Element>(self: &vector<Element>, p: |&Element|bool): bool {
        let ok = true;
        let i = 0;
        while (i < length(self)) {
            ok = p(borrow(self, i));
            if (!ok) break;
            i = i + 1
        };
        ok
    }

    /// Consumes the vector, handing each element (last first) to `d`.
    public inline fun destroy<Element>(self: vector<Element>, d: |Element|) {
        for_each_reverse(self, |e| d(e))
    }

    /// [start, end) as a vector.
    public fun range(start: u64, end: u64): vector<u64> {
        range_with_step(start, end, 1)
    }

    public fun range_with_step(start: u64, end: u64, step: u64): vector<u64> {
        assert!(step > 0, EINVALID_STEP);
        let out = vector[];
        let x = start;
        while (x < end) {
            push_back(&mut out, x);
            x = x + step;
        };
        out
    }

    /// A copy of the elements in [start, end).
    public fun slice<Element: copy>(self: &vector<Element>, start: u64, end: u64): vector<Element> {
        assert!(start <= end && end <= length(self), EINVALID_SLICE_RANGE);
        let out = vector[];
        let i = start;
        while (i < end) {
            push_back(&mut out, *borrow(self, i));
            i = i + 1;
        };
        out
    }
}
