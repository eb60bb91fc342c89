/// Vectors: literals, index notation, std::vector functions and errors.
module lang::vectors {
    use std::vector;

    #[test]
    fun literals() {
        let v = vector[1, 2, 3];
        assert!(v.length() == 3 && v[0] == 1 && v[2] == 3, 0);
        let e = vector<u64>[];
        assert!(e.is_empty(), 1);
        let b = b"hi\n";
        assert!(b == vector[104u8, 105, 10], 2);
        assert!(x"0aFF" == vector[10u8, 255], 3);
        let nested = vector[vector[1u8], vector[], vector[2, 3]];
        assert!(nested[2][1] == 3 && nested[1].length() == 0, 4);
    }

    #[test]
    fun mutation() {
        let v = vector[1, 2, 3];
        v[0] = 10;
        v[1] += 5;
        *&mut v[2] = 30;
        let r = &mut v;
        r[2] = r[2] + 1;
        vector::push_back(&mut v, 4);
        assert!(v == vector[10, 7, 31, 4], 0);
        assert!(vector::pop_back(&mut v) == 4, 1);
        v.swap(0, 2);
        assert!(v == vector[31, 7, 10], 2);
        v.reverse();
        assert!(v == vector[10, 7, 31], 3);
        v.append(vector[1, 1]);
        assert!(v.length() == 5, 4);
        assert!(v.remove(1) == 7, 5);
        assert!(v.swap_remove(0) == 10, 6);
        assert!(v == vector[1, 31, 1], 7);
        let (found, i) = v.index_of(&31);
        assert!(found && i == 1, 8);
        assert!(v.contains(&1) && !v.contains(&5), 9);
    }

    #[test]
    fun vector_of_structs() {
        let v = vector[vector[1u64]];
        v[0].push_back(2);
        let inner = &mut v[0];
        inner.push_back(3);
        assert!(v[0] == vector[1, 2, 3], 0);
        let w = vector::singleton(v);
        assert!(w[0][0][2] == 3, 1);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = Self)]
    fun index_out_of_bounds() {
        let v = vector[1];
        let _ = v[1];
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 2, location = Self)]
    fun pop_empty() {
        let v = vector<u8>[];
        v.pop_back();
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 3, location = Self)]
    fun destroy_non_empty() {
        let v = vector[1];
        v.destroy_empty();
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = Self)]
    fun swap_out_of_bounds() {
        let v = vector[1, 2];
        v.swap(0, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun remove_out_of_bounds() {
        let v = vector[1, 2];
        v.remove(2);
    }
}
