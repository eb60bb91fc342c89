module bad::event_emit {
    use aptos_framework::event;

    struct NotAnEvent has drop, store { v: u64 }

    #[event]
    struct Good has drop, store { v: u64 }

    public fun emit_plain() { event::emit(NotAnEvent { v: 1 }) }
    public fun emit_good() { event::emit(Good { v: 1 }) }
}
