/// Nested refutable patterns in match arms, checked for exhaustiveness.
module modern::nested {
    enum Shape has copy, drop { Circle(u64), Square(u64) }
    enum Slot has copy, drop { Empty, Full(Shape), Tagged { tag: u8, shape: Shape } }

    fun describe(s: &Slot): u64 {
        match (s) {
            Slot::Empty => 0,
            Slot::Full(Shape::Circle(r)) => 100 + *r,
            Slot::Full(Shape::Square(0)) => 1,
            Slot::Full(Shape::Square(side)) => 200 + *side,
            Slot::Tagged { tag: 7, .. } => 7,
            Slot::Tagged { shape: Shape::Circle(_), .. } => 8,
            Slot::Tagged { tag: _, shape: Shape::Square(_) } => 9,
        }
    }

    fun by_value(s: Slot): u64 {
        match (s) {
            Slot::Full(Shape::Circle(r)) if (r > 10) => r,
            Slot::Full(Shape::Circle(_)) => 1,
            _ => 0,
        }
    }

    #[test]
    fun nested_patterns() {
        assert!(describe(&Slot::Empty) == 0, 0);
        assert!(describe(&Slot::Full(Shape::Circle(5))) == 105, 1);
        assert!(describe(&Slot::Full(Shape::Square(0))) == 1, 2);
        assert!(describe(&Slot::Full(Shape::Square(3))) == 203, 3);
        assert!(describe(&Slot::Tagged { tag: 7, shape: Shape::Square(1) }) == 7, 4);
        assert!(describe(&Slot::Tagged { tag: 1, shape: Shape::Circle(1) }) == 8, 5);
        assert!(describe(&Slot::Tagged { tag: 1, shape: Shape::Square(1) }) == 9, 6);
        assert!(by_value(Slot::Full(Shape::Circle(20))) == 20, 7);
        assert!(by_value(Slot::Full(Shape::Circle(2))) == 1, 8);
        assert!(by_value(Slot::Full(Shape::Square(2))) == 0, 9);
    }
}
