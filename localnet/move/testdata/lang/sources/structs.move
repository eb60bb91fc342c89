/// Structs: generics, phantom parameters, positional fields, copies and moves.
module lang::structs {
    struct Point has copy, drop, store { x: u64, y: u64 }
    struct Pair<T1, T2> has copy, drop { first: T1, second: T2 }
    struct Tagged<phantom T> has copy, drop { value: u64 }
    struct Wrapper(u64, bool) has copy, drop;
    struct Unit has copy, drop;
    struct Nested has drop { p: Point, items: vector<Point>, name: vector<u8> }
    struct Coin { value: u64 }

    public fun new_point(x: u64, y: u64): Point { Point { x, y } }

    public fun norm1(self: &Point): u64 { self.x + self.y }

    public fun scale(self: &mut Point, k: u64) {
        self.x *= k;
        self.y = self.y * k;
    }

    fun swap<T1: copy + drop, T2: copy + drop>(p: Pair<T1, T2>): Pair<T2, T1> {
        let Pair { first, second } = p;
        Pair { first: second, second: first }
    }

    fun burn(c: Coin): u64 {
        let Coin { value } = c;
        value
    }

    #[test]
    fun pack_unpack() {
        let p = new_point(1, 2);
        let Point { x, y } = p;
        assert!(x == 1 && y == 2, 0);
        let q = Point { y: 7, x: 3 };
        assert!(q.x == 3 && q.y == 7, 1);
        let Point { x: a, y: _ } = q;
        assert!(a == 3, 2);
    }

    #[test]
    fun copies_are_independent() {
        let p = new_point(1, 2);
        let q = p;
        q.x = 10;
        assert!(p.x == 1 && q.x == 10, 0);
        let v = vector[p, q];
        let w = v;
        w[0].y = 99;
        assert!(v[0].y == 2 && w[0].y == 99, 1);
    }

    #[test]
    fun methods_and_refs() {
        let p = new_point(2, 3);
        assert!(p.norm1() == 5, 0);
        p.scale(10);
        assert!(p.x == 20 && p.y == 30, 1);
        let r = &mut p;
        r.scale(2);
        assert!(r.norm1() == 100, 2);
        assert!(p == Point { x: 40, y: 60 }, 3);
    }

    #[test]
    fun generics() {
        let p = Pair { first: 1u8, second: true };
        let s = swap(p);
        assert!(s.first && s.second == 1, 0);
        let t1 = Tagged<Point> { value: 5 };
        let t2 = Tagged<Coin> { value: 5 };
        assert!(t1.value == t2.value, 1);
        let pp: Pair<Pair<u64, u64>, vector<u8>> = Pair { first: Pair { first: 1, second: 2 }, second: b"ab" };
        assert!(pp.first.second == 2 && pp.second == x"6162", 2);
    }

    #[test]
    fun positional() {
        let w = Wrapper(7, true);
        assert!(w.0 == 7 && w.1, 0);
        let Wrapper(n, b) = w;
        assert!(n == 7 && b, 1);
        let u = Unit;
        let Unit = u;
        let w2 = Wrapper(1, false);
        w2.0 = 5;
        assert!(w2.0 == 5, 2);
    }

    #[test]
    fun nested_mutation() {
        let n = Nested { p: new_point(1, 1), items: vector[new_point(2, 2)], name: b"n" };
        n.p.x = 5;
        n.items[0].y = 9;
        n.items.push_back(new_point(3, 3));
        let r = &mut n.items[1];
        r.x = 33;
        assert!(n.p.x == 5 && n.items[0].y == 9 && n.items[1].x == 33 && n.items.length() == 2, 0);
        let Nested { p, items, name: _ } = n;
        assert!(p.y == 1 && items.length() == 2, 1);
    }

    #[test]
    fun resources_move() {
        let c = Coin { value: 10 };
        let d = c;
        assert!(burn(d) == 10, 0);
    }

    #[test]
    fun destructuring_assignment() {
        let x;
        let y;
        Point { x, y } = new_point(4, 5);
        assert!(x == 4 && y == 5, 0);
        let a = 0;
        let b = 0;
        (a, b) = (b + 1, a + 2);
        assert!(a == 1 && b == 2, 1);
        let z;
        Coin { value: z } = Coin { value: 3 };
        assert!(z == 3, 2);
    }
}
