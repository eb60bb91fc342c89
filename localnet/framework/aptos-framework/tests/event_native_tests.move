#[test_only]
/// Module events and handle events are recorded by natives the reference VM lacks.
module aptos_framework::event_native_tests {
    use std::vector;
    use aptos_framework::account;
    use aptos_framework::event;

    #[event]
    struct Ping has drop, store, copy { n: u64 }

    struct Legacy has drop, store, copy { n: u64 }

    #[test]
    fun module_events() {
        assert!(vector::is_empty(&event::emitted_events<Ping>()), 0);
        event::emit(Ping { n: 1 });
        event::emit(Ping { n: 2 });
        assert!(event::emitted_events<Ping>() == vector[Ping { n: 1 }, Ping { n: 2 }], 1);
        assert!(event::was_event_emitted(&Ping { n: 2 }) && !event::was_event_emitted(&Ping { n: 3 }), 2);
    }

    #[test(user = @0xcafe)]
    fun handle_events(user: &signer) {
        let h = account::new_event_handle<Legacy>(user);
        let other = account::new_event_handle<Legacy>(user);
        event::emit_event(&mut h, Legacy { n: 7 });
        event::emit_event(&mut h, Legacy { n: 8 });
        event::emit_event(&mut other, Legacy { n: 9 });
        assert!(event::counter(&h) == 2 && event::counter(&other) == 1, 0);
        assert!(event::emitted_events_by_handle(&h) == vector[Legacy { n: 7 }, Legacy { n: 8 }], 1);
        assert!(event::was_event_emitted_by_handle(&other, &Legacy { n: 9 }), 2);
        assert!(!event::was_event_emitted_by_handle(&other, &Legacy { n: 7 }), 3);
        event::destroy_handle(h);
        event::destroy_handle(other);
    }
}
