/// A value or an error, as `std::reflect` returns them.
module std::result {
    use std::error;

    /// `unwrap` of an `Err`.
    const E_UNWRAP_OK: u64 = 0;
    /// `unwrap_err` of an `Ok`.
    const E_UNWRAP_ERR: u64 = 1;

    enum Result<T, E> has copy, store {
        Ok(T),
        Err(E)
    }

    public fun is_ok<T, E>(self: &Result<T, E>): bool { self is Ok }

    public fun is_err<T, E>(self: &Result<T, E>): bool { self is Err }

    /// The value; aborts with invalid_argument(E_UNWRAP_OK) on an error.
    public fun unwrap<T, E>(self: Result<T, E>): T {
        match (self) {
            Ok(x) => x,
            _ => abort error::invalid_argument(E_UNWRAP_OK)
        }
    }

    /// The error; aborts with invalid_argument(E_UNWRAP_ERR) on a value.
    public fun unwrap_err<T, E>(self: Result<T, E>): E {
        match (self) {
            Err(e) => e,
            _ => abort error::invalid_argument(E_UNWRAP_ERR)
        }
    }
}
