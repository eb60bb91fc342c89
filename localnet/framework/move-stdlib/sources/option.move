/// An optional value. Represented as a vector of zero or one element, which
/// gives the same BCS bytes and JSON shape (`{"vec": [...]}`) that clients of
/// the chain expect.
module std::option {
    use std::vector;

    struct Option<Element> has copy, drop, store {
        vec: vector<Element>
    }

    /// The option holds a value where none was expected.
    const EOPTION_IS_SET: u64 = 0x40000;
    /// The option holds no value where one was expected.
    const EOPTION_NOT_SET: u64 = 0x40001;
    /// `from_vec` was given more than one element.
    const EOPTION_VEC_TOO_LONG: u64 = 0x40002;

    public fun none<Element>(): Option<Element> {
        Option { vec: vector::empty() }
    }

    public fun some<Element>(e: Element): Option<Element> {
        Option { vec: vector::singleton(e) }
    }

    public fun from_vec<Element>(vec: vector<Element>): Option<Element> {
        assert!(vector::length(&vec) <= 1, EOPTION_VEC_TOO_LONG);
        Option { vec }
    }

    public fun is_none<Element>(self: &Option<Element>): bool {
        vector::is_empty(&self.vec)
    }

    public fun is_some<Element>(self: &Option<Element>): bool {
        !vector::is_empty(&self.vec)
    }

    /// Whether the option holds a value equal to `*e_ref`.
    public fun contains<Element>(self: &Option<Element>, e_ref: &Element): bool {
        vector::contains(&self.vec, e_ref)
    }

    public fun borrow<Element>(self: &Option<Element>): &Element {
        assert!(is_some(self), EOPTION_NOT_SET);
        vector::borrow(&self.vec, 0)
    }

    public fun borrow_with_default<Element>(self: &Option<Element>, default_ref: &Element): &Element {
        if (vector::is_empty(&self.vec)) default_ref else vector::borrow(&self.vec, 0)
    }

    public fun get_with_default<Element: copy + drop>(self: &Option<Element>, default: Element): Element {
        if (vector::is_empty(&self.vec)) default else *vector::borrow(&self.vec, 0)
    }

    /// Puts `e` into an empty option.
    public fun fill<Element>(self: &mut Option<Element>, e: Element) {
        assert!(is_none(self), EOPTION_IS_SET);
        vector::push_back(&mut self.vec, e);
    }

    /// Takes the value out, leaving the option empty.
    public fun extract<Element>(self: &mut Option<Element>): Element {
        assert!(is_some(self), EOPTION_NOT_SET);
        vector::pop_back(&mut self.vec)
    }

    public fun borrow_mut<Element>(self: &mut Option<Element>): &mut Element {
        assert!(is_some(self), EOPTION_NOT_SET);
        vector::borrow_mut(&mut self.vec, 0)
    }

    /// Replaces the held value with `el` and returns the old one.
    public fun swap<Element>(self: &mut Option<Element>, el: Element): Element {
        assert!(is_some(self), EOPTION_NOT_SET);
        let old = vector::pop_back(&mut self.vec);
        vector::push_back(&mut self.vec, el);
        old
    }

    /// Puts `e` in, returning the previous content (which may be none).
    public fun swap_or_fill<Element>(self: &mut Option<Element>, e: Element): Option<Element> {
        let previous = if (vector::is_empty(&self.vec)) none() else some(vector::pop_back(&mut self.vec));
        vector::push_back(&mut self.vec, e);
        previous
    }

    public fun destroy_with_default<Element: drop>(self: Option<Element>, default: Element): Element {
        let Option { vec } = self;
        if (vector::is_empty(&vec)) default else vector::pop_back(&mut vec)
    }

    public fun destroy_some<Element>(self: Option<Element>): Element {
        assert!(is_some(&self), EOPTION_NOT_SET);
        let Option { vec } = self;
        let e = vector::pop_back(&mut vec);
        vector::destroy_empty(vec);
        e
    }

    public fun destroy_none<Element>(self: Option<Element>) {
        assert!(is_none(&self), EOPTION_IS_SET);
        let Option { vec } = self;
        vector::destroy_empty(vec)
    }

    public fun to_vec<Element>(self: Option<Element>): vector<Element> {
        let Option { vec } = self;
        vec
    }

    public inline fun for_each<Element>(self: Option<Element>, f: |Element|) {
        if (is_some(&self)) {
            f(destroy_some(self))
        } else {
            destroy_none(self)
        }
    }

    public inline fun for_each_ref<Element>(self: &Option<Element>, f: |&Element|) {
        if (is_some(self)) {
            f(borrow(self))
        }
    }

    public inline fun for_each_mut<Element>(self: &mut Option<Element>, f: |&mut Element|) {
        if (is_some(self)) {
            f(borrow_mut(self))
        }
    }

    public inline fun fold<Accumulator, Element>(
        self: Option<Element>,
        init: Accumulator,
        f: |Accumulator, Element|Accumulator
    ): Accumulator {
        if (is_some(&self)) {
            f(init, destroy_some(self))
        } else {
            destroy_none(self);
            init
        }
    }

    public inline fun map<Element, OtherElement>(self: Option<Element>, f: |Element|OtherElement): Option<OtherElement> {
        if (is_some(&self)) {
            some(f(destroy_some(self)))
        } else {
            destroy_none(self);
            none()
        }
    }

    public inline fun map_ref<Element, OtherElement>(
        self: &Option<Element>, f: |&Element|OtherElement): Option<OtherElement> {
        if (is_some(self)) {
            some(f(borrow(self)))
        } else {
            none()
        }
    }

    public inline fun filter<Element: drop>(self: Option<Element>, f: |&Element|bool): Option<Element> {
        if (is_some(&self) && f(borrow(&self))) {
            self
        } else {
            none()
        }
    }

    public inline fun any<Element>(self: &Option<Element>, p: |&Element|bool): bool {
        is_some(self) && p(borrow(self))
    }

    public inline fun destroy<Element>(self: Option<Element>, d: |Element|) {
        let v = to_vec(self);
        vector::destroy(v, |e| d(e));
    }
}
