/// Total order on values of any type: integers numerically, vectors and
/// structs lexicographically, enums by variant index then fields.
module std::cmp {
    enum Ordering has copy, drop {
        Less,
        Equal,
        Greater,
    }

    native public fun compare<T>(first: &T, second: &T): Ordering;

    public fun is_eq(self: &Ordering): bool {
        self is Ordering::Equal
    }

    public fun is_ne(self: &Ordering): bool {
        !(self is Ordering::Equal)
    }

    public fun is_lt(self: &Ordering): bool {
        self is Ordering::Less
    }

    public fun is_le(self: &Ordering): bool {
        !(self is Ordering::Greater)
    }

    public fun is_gt(self: &Ordering): bool {
        self is Ordering::Greater
    }

    public fun is_ge(self: &Ordering): bool {
        !(self is Ordering::Less)
    }
}
