/// Printing values from Move code; lines go to the test output as `[debug] ...`.
module aptos_std::debug {
    use std::string::String;
    use aptos_std::string_utils;

    public fun print<T>(x: &T) {
        native_print(string_utils::debug_string(x));
    }

    public fun print_stack_trace() {
        native_print(native_stack_trace());
    }

    native fun native_print(x: String);
    native fun native_stack_trace(): String;
}
