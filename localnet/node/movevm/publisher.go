package movevm

import (
	"crypto/sha256"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/crypto"
)

// publisherSeedText derives the publisher's key. The key is fixed and
// public on purpose: the package lands at the same address on every
// localnet (this one and `aptos node run-localnet` set up by
// scripts/localnet-aptos.sh), so clients need no per-chain configuration.
// It is a development key; real networks publish with the operator's own.
const publisherSeedText = "agi-nostr localnet package publisher v1"

// PublisherKey is the Ed25519 key of the account the package is published
// at and whose signer runs init_module.
func PublisherKey() *crypto.Ed25519PrivateKey {
	seed := sha256.Sum256([]byte(publisherSeedText))
	key := &crypto.Ed25519PrivateKey{}
	if err := key.FromBytes(seed[:]); err != nil {
		panic("publisher key: " + err.Error()) // a fixed 32-byte seed always decodes
	}
	return key
}

// PublisherAccount is the address of PublisherKey's account.
func PublisherAccount() aptos.AccountAddress {
	var a aptos.AccountAddress
	a.FromAuthKey(PublisherKey().AuthKey())
	return a
}
