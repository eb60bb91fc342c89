module bad::syntax {
    fun f(): u64 {
        let x = 1
        x
    }
}
