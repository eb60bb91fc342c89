/// Moving values in and out of mutable references.
module std::mem {
    /// Exchanges the values behind two mutable references.
    public native fun swap<T>(left: &mut T, right: &mut T);

    /// Puts `new` behind `ref` and returns the value that was there.
    public fun replace<T>(ref: &mut T, new: T): T {
        swap(ref, &mut new);
        new
    }
}
