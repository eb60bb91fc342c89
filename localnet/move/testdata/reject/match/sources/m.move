module bad::matches {
    enum Shape has drop { Circle(u64), Square(u64) }
    enum Slot has drop { Empty, Full(Shape) }

    fun missing_nested(s: Slot): u64 {
        match (s) {
            Slot::Empty => 0,
            Slot::Full(Shape::Circle(_)) => 1,
        }
    }

    fun missing_literal(x: u8): u64 {
        match (x) {
            0 => 0,
            1..200 => 1,
        }
    }

    fun refutable_let(s: Shape): u64 {
        let Shape::Circle(7) = s;
        0
    }
}
