// Package natives implements the Go side of the framework's native
// functions: hashing, address derivation, and (registered with the
// interpreter) the aptos_std and aptos_framework natives.
package natives

import (
	"crypto/sha3"
	"encoding/binary"
)

// Address is a 32-byte account or object address.
type Address = [32]byte

// Scheme bytes appended to a preimage before hashing, as on Aptos.
const (
	SchemeAUID           byte = 0xFB // transaction_context::generate_unique_address
	SchemeUserDerived    byte = 0xFC // object::create_user_derived_object_address, primary stores
	SchemeGUIDObject     byte = 0xFD // object::create_guid_object_address
	SchemeNamedObject    byte = 0xFE // object::create_object_address
	SchemeResourceAcount byte = 0xFF // account::create_resource_address
)

// DeriveAddress is sha3-256(preimage ++ scheme), the form of every derived address.
func DeriveAddress(preimage []byte, scheme byte) Address {
	h := sha3.New256()
	h.Write(preimage)
	h.Write([]byte{scheme})
	var out Address
	copy(out[:], h.Sum(nil))
	return out
}

// ResourceAccountAddress is account::create_resource_address(source, seed).
func ResourceAccountAddress(source Address, seed []byte) Address {
	return DeriveAddress(append(source[:len(source):len(source)], seed...), SchemeResourceAcount)
}

// NamedObjectAddress is object::create_object_address(source, seed).
func NamedObjectAddress(source Address, seed []byte) Address {
	return DeriveAddress(append(source[:len(source):len(source)], seed...), SchemeNamedObject)
}

// UserDerivedAddress is object::create_user_derived_object_address(source,
// derive_from); a primary fungible store is UserDerivedAddress(owner, metadata).
func UserDerivedAddress(source, deriveFrom Address) Address {
	pre := make([]byte, 0, 64)
	pre = append(pre, source[:]...)
	pre = append(pre, deriveFrom[:]...)
	return DeriveAddress(pre, SchemeUserDerived)
}

// GUIDObjectAddress is object::create_guid_object_address(source, creation_num):
// the preimage is BCS(guid::ID{creation_num, addr}).
func GUIDObjectAddress(source Address, creationNum uint64) Address {
	pre := binary.LittleEndian.AppendUint64(make([]byte, 0, 40), creationNum)
	pre = append(pre, source[:]...)
	return DeriveAddress(pre, SchemeGUIDObject)
}

// AUIDAddress is the counter-th (1-based) unique address of a transaction
// whose hash is txnHash.
func AUIDAddress(txnHash []byte, counter uint64) Address {
	pre := append(append([]byte{}, txnHash...), binary.LittleEndian.AppendUint64(nil, counter)...)
	return DeriveAddress(pre, SchemeAUID)
}

// TableHandle is the handle of the n-th (0-based) table a session creates:
// sha3_256(session hash ++ big-endian u32 n), as Aptos's table natives
// derive it (the session hash is 32 zero bytes in unit tests).
func TableHandle(sessionHash []byte, n uint32) Address {
	h := sha3.New256()
	h.Write(sessionHash)
	h.Write(binary.BigEndian.AppendUint32(nil, n))
	var a Address
	copy(a[:], h.Sum(nil))
	return a
}
