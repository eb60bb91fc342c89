#[test_only]
module aptos_std::type_info_tests {
    use aptos_std::type_info;
    use aptos_std::table::Table;
    use std::string;
    use std::option::Option;

    struct Plain has drop {}
    struct Generic<phantom T> has drop {}

    #[test]
    fun type_of_structs() {
        let t = type_info::type_of<Plain>();
        assert!(type_info::account_address(&t) == @aptos_std, 0);
        assert!(type_info::module_name(&t) == b"type_info_tests", 1);
        assert!(type_info::struct_name(&t) == b"Plain", 2);
        let g = type_info::type_of<Table<string::String, u64>>();
        assert!(type_info::module_name(&g) == b"table", 3);
        assert!(type_info::struct_name(&g) == b"Table<0x1::string::String, u64>", 4);
    }

    #[test]
    fun type_names() {
        assert!(type_info::type_name<u8>() == string::utf8(b"u8"), 0);
        assert!(type_info::type_name<u256>() == string::utf8(b"u256"), 1);
        assert!(type_info::type_name<bool>() == string::utf8(b"bool"), 2);
        assert!(type_info::type_name<address>() == string::utf8(b"address"), 3);
        assert!(type_info::type_name<signer>() == string::utf8(b"signer"), 4);
        assert!(type_info::type_name<vector<u8>>() == string::utf8(b"vector<u8>"), 5);
        assert!(type_info::type_name<vector<vector<Plain>>>() == string::utf8(b"vector<vector<0x1::type_info_tests::Plain>>"), 6);
        assert!(type_info::type_name<Generic<Option<u64>>>() == string::utf8(b"0x1::type_info_tests::Generic<0x1::option::Option<u64>>"), 7);
        assert!(type_info::type_name<Table<address, vector<u8>>>() == string::utf8(b"0x1::table::Table<address, vector<u8>>"), 8);
        assert!(type_info::size_of_val(&vector[1u64, 2u64]) == 17, 9);
    }
}
