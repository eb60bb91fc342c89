module bad::flow {
    struct Token { v: u64 }
    struct Cap has copy { v: u64 }

    fun consume(t: Token) { let Token { v: _ } = t; }

    fun use_after_move() {
        let t = Token { v: 1 };
        consume(t);
        consume(t);
    }

    fun not_consumed() {
        let _t = Token { v: 1 };
    }

    fun param_not_consumed(_t: Token) {}

    fun overwrite() {
        let t = Token { v: 1 };
        t = Token { v: 2 };
        consume(t);
    }

    fun maybe_moved(c: bool) {
        let t = Token { v: 1 };
        if (c) consume(t);
    }

    fun copyable_without_drop(c: Cap): Cap {
        let d = c;
        d
    }

    fun copy_kept(c: Cap): Cap {
        let d = copy c;
        d
    }
}
