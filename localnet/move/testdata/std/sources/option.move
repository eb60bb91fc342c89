module std::option {
    const EOPTION_IS_SET: u64 = 0x40000;
    const EOPTION_NOT_SET: u64 = 0x40001;

    enum Option<Element> has copy, drop, store {
        None,
        Some { e: Element },
    }

    public fun none<Element>(): Option<Element> { Option::None }
    public fun some<Element>(e: Element): Option<Element> { Option::Some { e } }
    public fun is_none<Element>(self: &Option<Element>): bool { self is Option::None }
    public fun is_some<Element>(self: &Option<Element>): bool { self is Option::Some }

    public fun borrow<Element>(self: &Option<Element>): &Element {
        match (self) {
            Option::Some { e } => e,
            Option::None => abort EOPTION_NOT_SET,
        }
    }

    public fun extract<Element>(self: &mut Option<Element>): Element {
        let old = std::mem::replace(self, Option::None);
        match (old) {
            Option::Some { e } => e,
            Option::None => abort EOPTION_NOT_SET,
        }
    }

    public fun fill<Element>(self: &mut Option<Element>, e: Element) {
        let old = std::mem::replace(self, Option::Some { e });
        match (old) {
            Option::None => {},
            Option::Some { e: _ } => abort EOPTION_IS_SET,
        }
    }

    public fun destroy_some<Element>(self: Option<Element>): Element {
        match (self) {
            Option::Some { e } => e,
            Option::None => abort EOPTION_NOT_SET,
        }
    }

    public fun destroy_none<Element>(self: Option<Element>) {
        match (self) {
            Option::None => {},
            Option::Some { e: _ } => abort EOPTION_IS_SET,
        }
    }

    public fun get_with_default<Element: copy + drop>(self: &Option<Element>, default: Element): Element {
        match (self) {
            Option::Some { e } => *e,
            Option::None => default,
        }
    }
}
