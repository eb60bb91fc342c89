/// Enums, match, `is`, and variant field access.
module lang::enums {
    enum Shape has copy, drop {
        Circle { r: u64 },
        Rect { w: u64, h: u64 },
        Square(u64),
        Empty,
    }

    enum Versioned has drop {
        V1 { value: u64 },
        V2 { value: u64, extra: vector<u8> },
    }

    enum Token {
        Gold { amount: u64 },
        Silver { amount: u64 },
    }

    fun area(s: &Shape): u64 {
        match (s) {
            Shape::Circle { r } => 3 * *r * *r,
            Shape::Rect { w, h } => *w * *h,
            Shape::Square(side) => *side * *side,
            Shape::Empty => 0,
        }
    }

    fun describe(s: Shape): u64 {
        match (s) {
            Shape::Circle { .. } => 1,
            Shape::Rect { w, h: _ } if (w > 10) => 2,
            Shape::Rect { .. } => 3,
            _ => 4,
        }
    }

    fun value(v: &Versioned): u64 { v.value }

    fun bump(v: &mut Versioned) { v.value += 1 }

    fun melt(t: Token): u64 {
        match (t) {
            Token::Gold { amount } => amount * 100,
            Token::Silver { amount } => amount,
        }
    }

    #[test]
    fun matching() {
        assert!(area(&Shape::Circle { r: 2 }) == 12, 0);
        assert!(area(&Shape::Rect { w: 2, h: 5 }) == 10, 1);
        assert!(area(&Shape::Square(4)) == 16, 2);
        assert!(area(&Shape::Empty) == 0, 3);
        assert!(describe(Shape::Circle { r: 1 }) == 1, 4);
        assert!(describe(Shape::Rect { w: 11, h: 1 }) == 2, 5);
        assert!(describe(Shape::Rect { w: 1, h: 1 }) == 3, 6);
        assert!(describe(Shape::Square(1)) == 4, 7);
    }

    #[test]
    fun is_tests() {
        let s = Shape::Square(3);
        assert!(s is Shape::Square, 0);
        assert!(!(s is Shape::Circle | Shape::Rect), 1);
        assert!(&s is Shape::Square | Shape::Empty, 2);
    }

    #[test]
    fun common_fields() {
        let a = Versioned::V1 { value: 5 };
        let b = Versioned::V2 { value: 7, extra: b"x" };
        assert!(value(&a) == 5 && value(&b) == 7, 0);
        bump(&mut b);
        assert!(b.value == 8, 1);
    }

    #[test]
    fun non_droppable_enum() {
        assert!(melt(Token::Gold { amount: 2 }) == 200, 0);
        assert!(melt(Token::Silver { amount: 2 }) == 2, 1);
    }

    #[test]
    fun equality_and_copy() {
        let a = Shape::Rect { w: 1, h: 2 };
        let b = a;
        assert!(a == b, 0);
        assert!(a != Shape::Rect { w: 1, h: 3 }, 1);
        assert!(Shape::Empty != Shape::Square(0), 2);
    }

    #[test]
    #[expected_failure(major_status = 4038, location = Self)]
    fun missing_field() {
        let s = Shape::Square(1);
        let _ = s_w(&s);
    }

    fun s_w(s: &Shape): u64 { s.w }
}
