/// Events: module events (any `#[event]` struct, emitted with `emit`) and the
/// older per-handle event streams.
module aptos_framework::event {
    use std::bcs;
    use std::vector;
    use aptos_framework::guid::GUID;

    friend aptos_framework::account;
    friend aptos_framework::object;

    /// Module event feature is not supported.
    const ECANNOT_CREATE_EVENT: u64 = 1;

    /// Emits `msg` as an event of its type. The compiler only accepts `#[event]`
    /// structs of the calling module.
    public fun emit<T: store + drop>(msg: T) {
        write_module_event_to_store<T>(msg);
    }

    native fun write_module_event_to_store<T: drop + store>(msg: T);

    #[test_only]
    /// The module events of type T emitted so far in this test, oldest first.
    public native fun emitted_events<T: drop + store>(): vector<T>;

    #[test_only]
    public fun was_event_emitted<T: drop + store>(msg: &T): bool {
        vector::contains(&emitted_events<T>(), msg)
    }

    #[deprecated]
    /// A stream of events of type T identified by a GUID; `counter` is the
    /// number emitted so far (the next event's sequence number).
    struct EventHandle<phantom T: drop + store> has store {
        counter: u64,
        guid: GUID,
    }

    #[deprecated]
    public(friend) fun new_event_handle<T: drop + store>(guid: GUID): EventHandle<T> {
        EventHandle<T> { counter: 0, guid }
    }

    #[deprecated]
    public fun emit_event<T: drop + store>(handle_ref: &mut EventHandle<T>, msg: T) {
        write_to_event_store<T>(bcs::to_bytes(&handle_ref.guid), handle_ref.counter, msg);
        handle_ref.counter = handle_ref.counter + 1;
    }

    #[deprecated]
    public fun guid<T: drop + store>(handle_ref: &EventHandle<T>): &GUID {
        &handle_ref.guid
    }

    #[deprecated]
    public fun counter<T: drop + store>(handle_ref: &EventHandle<T>): u64 {
        handle_ref.counter
    }

    #[deprecated]
    native fun write_to_event_store<T: drop + store>(guid: vector<u8>, count: u64, msg: T);

    #[deprecated]
    public fun destroy_handle<T: drop + store>(handle: EventHandle<T>) {
        EventHandle<T> { counter: _, guid: _ } = handle;
    }

    #[deprecated]
    #[test_only]
    /// The events emitted on this handle so far in this test, oldest first.
    public native fun emitted_events_by_handle<T: drop + store>(handle: &EventHandle<T>): vector<T>;

    #[deprecated]
    #[test_only]
    public fun was_event_emitted_by_handle<T: drop + store>(handle: &EventHandle<T>, msg: &T): bool {
        vector::contains(&emitted_events_by_handle(handle), msg)
    }
}
