/// A small standard library used by the interpreter's own test packages.
module std::vector {
    const EINDEX_OUT_OF_BOUNDS: u64 = 0x20000;

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

    public fun singleton<Element>(e: Element): vector<Element> {
        let v = empty();
        v.push_back(e);
        v
    }

    public fun is_empty<Element>(self: &vector<Element>): bool { self.length() == 0 }

    public fun reverse<Element>(self: &mut vector<Element>) {
        let len = self.length();
        if (len == 0) return;
        let front = 0;
        let back = len - 1;
        while (front < back) {
            self.swap(front, back);
            front += 1;
            back -= 1;
        }
    }

    public fun append<Element>(self: &mut vector<Element>, other: vector<Element>) {
        other.reverse();
        while (!other.is_empty()) self.push_back(other.pop_back());
        other.destroy_empty();
    }

    public fun contains<Element>(self: &vector<Element>, e: &Element): bool {
        let i = 0;
        let len = self.length();
        while (i < len) {
            if (self.borrow(i) == e) return true;
            i += 1;
        };
        false
    }

    public fun index_of<Element>(self: &vector<Element>, e: &Element): (bool, u64) {
        let i = 0;
        let len = self.length();
        while (i < len) {
            if (self.borrow(i) == e) return (true, i);
            i += 1;
        };
        (false, 0)
    }

    public fun remove<Element>(self: &mut vector<Element>, i: u64): Element {
        let len = self.length();
        if (i >= len) abort EINDEX_OUT_OF_BOUNDS;
        len -= 1;
        while (i < len) self.swap(i, { i += 1; i });
        self.pop_back()
    }

    public fun swap_remove<Element>(self: &mut vector<Element>, i: u64): Element {
        assert!(!self.is_empty(), EINDEX_OUT_OF_BOUNDS);
        let last_idx = self.length() - 1;
        self.swap(i, last_idx);
        self.pop_back()
    }

    public inline fun for_each<Element>(self: vector<Element>, f: |Element|) {
        self.reverse();
        while (!self.is_empty()) f(self.pop_back());
        self.destroy_empty();
    }

    public inline fun for_each_ref<Element>(self: &vector<Element>, f: |&Element|) {
        let i = 0;
        let len = self.length();
        while (i < len) {
            f(self.borrow(i));
            i += 1
        }
    }

    public inline fun for_each_mut<Element>(self: &mut vector<Element>, f: |&mut Element|) {
        let i = 0;
        let len = self.length();
        while (i < len) {
            f(self.borrow_mut(i));
            i += 1
        }
    }

    public inline fun fold<Accumulator, Element>(self: vector<Element>, init: Accumulator, f: |Accumulator, Element|Accumulator): Accumulator {
        let accu = init;
        self.for_each(|elem| accu = f(accu, elem));
        accu
    }

    public inline fun map<Element, NewElement>(self: vector<Element>, f: |Element|NewElement): vector<NewElement> {
        let result = vector<NewElement>[];
        self.for_each(|elem| result.push_back(f(elem)));
        result
    }

    public inline fun filter<Element: drop>(self: vector<Element>, p: |&Element|bool): vector<Element> {
        let result = vector<Element>[];
        self.for_each(|elem| {
            if (p(&elem)) result.push_back(elem);
        });
        result
    }

    public inline fun any<Element>(self: &vector<Element>, p: |&Element|bool): bool {
        let result = false;
        let i = 0;
        while (i < self.length()) {
            result = p(self.borrow(i));
            if (result) break;
            i += 1
        };
        result
    }

    public inline fun zip<Element1, Element2>(self: vector<Element1>, v2: vector<Element2>, f: |Element1, Element2|) {
        let len = self.length();
        assert!(len == v2.length(), 0x20002);
        self.reverse();
        v2.reverse();
        while (len > 0) {
            f(self.pop_back(), v2.pop_back());
            len -= 1;
        };
        self.destroy_empty();
        v2.destroy_empty();
    }
}
