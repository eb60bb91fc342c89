/// Move 2.4: struct visibility across modules, literal and range patterns.
module modern::shapes {
    public struct Point has copy, drop { x: u64, y: u64 }
    package struct Secret has drop { v: u64 }
    public enum Dir has copy, drop { Up, Down }
}

module modern::v24 {
    use modern::shapes::{Point, Secret, Dir};

    fun grade(score: u64): u8 {
        match (score) {
            0 => 0,
            1..10 => 1,
            10..=99 => 2,
            100.. => 3,
        }
    }

    fun flip(b: &bool): u8 {
        match (b) {
            true => 1,
            false => 0,
        }
    }

    #[test]
    fun public_structs() {
        let p = Point { x: 1, y: 2 };
        let Point { x, y } = p;
        assert!(x + y == 3 && p.x == 1, 0);
        let s = Secret { v: 5 };
        assert!(s.v == 5, 1);
        let d = Dir::Up;
        assert!(d is Dir::Up, 2);
        let n = match (d) { Dir::Up => 1, Dir::Down => 2 };
        assert!(n == 1, 3);
    }

    #[test]
    fun literal_and_range_patterns() {
        assert!(grade(0) == 0 && grade(1) == 1 && grade(9) == 1, 0);
        assert!(grade(10) == 2 && grade(99) == 2 && grade(100) == 3 && grade(5000) == 3, 1);
        assert!(flip(&true) == 1 && flip(&false) == 0, 2);
        let label = match (b"ab") { b"ab" => 1, _ => 2 };
        assert!(label == 1, 3);
    }
}
