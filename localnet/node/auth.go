package node

import (
	"errors"
	"fmt"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/crypto"
)

// signer is one account that authorised a transaction, with the
// authentication key its public key derives (nil when it did not sign, as
// with the NoAccountAuthenticator of a simulation).
type signer struct {
	addr    aptos.AccountAddress
	authKey *[32]byte
}

// authorization is who signed a transaction and for which roles.
type authorization struct {
	senders  []signer // the sender, then secondary signers
	feePayer *signer
}

// authKeyOf derives the authentication key of an account authenticator's
// public key; nil for a NoAccountAuthenticator.
func authKeyOf(a *crypto.AccountAuthenticator) *[32]byte {
	if a == nil || a.Auth == nil || a.Variant == crypto.AccountAuthenticatorNone {
		return nil
	}
	pk := a.Auth.PublicKey()
	if pk == nil {
		return nil
	}
	ak := pk.AuthKey()
	if ak == nil {
		return nil
	}
	k := [32]byte(*ak)
	return &k
}

var errBadSignature = errors.New("signature does not verify")

// authorize verifies the signatures of stx (or, when simulating, checks
// that none verifies) and returns who signed. SDK verification code is
// guarded so malformed keys end as an invalid signature, never a crash.
func authorize(stx *aptos.SignedTransaction, simulate bool) (auth authorization, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errBadSignature, r)
		}
	}()
	raw := stx.Transaction
	if stx.Authenticator == nil || stx.Authenticator.Auth == nil {
		return auth, errors.New("missing authenticator")
	}
	single := func(a *crypto.AccountAuthenticator) (authorization, error) {
		msg, err := raw.SigningMessage()
		if err != nil {
			return authorization{}, err
		}
		if a.Variant == crypto.AccountAuthenticatorNone && !simulate {
			return authorization{}, fmt.Errorf("%w: no authenticator outside a simulation", errBadSignature)
		}
		if ok := a.Verify(msg); ok == simulate && a.Variant != crypto.AccountAuthenticatorNone {
			if simulate {
				return authorization{}, errValidSimulationSignature
			}
			return authorization{}, errBadSignature
		}
		return authorization{senders: []signer{{raw.Sender, authKeyOf(a)}}}, nil
	}
	switch a := stx.Authenticator.Auth.(type) {
	case *aptos.Ed25519TransactionAuthenticator:
		return single(a.Sender)
	case *aptos.SingleSenderTransactionAuthenticator:
		return single(a.Sender)
	case *aptos.MultiEd25519TransactionAuthenticator:
		return single(a.Sender)
	case *aptos.MultiAgentTransactionAuthenticator:
		if len(a.SecondarySignerAddresses) != len(a.SecondarySigners) {
			return auth, errors.New("secondary signer addresses and signatures differ in number")
		}
		data := &aptos.RawTransactionWithData{
			Variant: aptos.MultiAgentRawTransactionWithDataVariant,
			Inner:   &aptos.MultiAgentRawTransactionWithData{RawTxn: raw, SecondarySigners: a.SecondarySignerAddresses},
		}
		msg, err := data.SigningMessage()
		if err != nil {
			return auth, err
		}
		all := append([]*crypto.AccountAuthenticator{a.Sender}, ptrs(a.SecondarySigners)...)
		if err := verifyAll(all, [][]byte{msg}, simulate); err != nil {
			return auth, err
		}
		auth.senders = signers(raw.Sender, a.SecondarySignerAddresses, all)
		return auth, nil
	case *aptos.FeePayerTransactionAuthenticator:
		if len(a.SecondarySignerAddresses) != len(a.SecondarySigners) {
			return auth, errors.New("secondary signer addresses and signatures differ in number")
		}
		if a.FeePayer == nil {
			return auth, errors.New("missing fee payer")
		}
		// The sender and secondary signers may sign over a zero fee payer
		// (they need not know who pays); the fee payer signs over itself.
		withPayer := func(p aptos.AccountAddress) ([]byte, error) {
			data := &aptos.RawTransactionWithData{
				Variant: aptos.MultiAgentWithFeePayerRawTransactionWithDataVariant,
				Inner: &aptos.MultiAgentWithFeePayerRawTransactionWithData{
					RawTxn: raw, SecondarySigners: a.SecondarySignerAddresses, FeePayer: &p,
				},
			}
			return data.SigningMessage()
		}
		real, err := withPayer(*a.FeePayer)
		if err != nil {
			return auth, err
		}
		zero, err := withPayer(aptos.AccountAddress{})
		if err != nil {
			return auth, err
		}
		all := append([]*crypto.AccountAuthenticator{a.Sender}, ptrs(a.SecondarySigners)...)
		if err := verifyAll(all, [][]byte{real, zero}, simulate); err != nil {
			return auth, err
		}
		if err := verifyAll([]*crypto.AccountAuthenticator{a.FeePayerAuthenticator}, [][]byte{real}, simulate); err != nil {
			return auth, err
		}
		auth.senders = signers(raw.Sender, a.SecondarySignerAddresses, all)
		auth.feePayer = &signer{*a.FeePayer, authKeyOf(a.FeePayerAuthenticator)}
		return auth, nil
	default:
		return auth, fmt.Errorf("unsupported authenticator %T", a)
	}
}

var errValidSimulationSignature = errors.New("simulated transactions must not have a valid signature")

func ptrs(as []crypto.AccountAuthenticator) []*crypto.AccountAuthenticator {
	out := make([]*crypto.AccountAuthenticator, len(as))
	for i := range as {
		out[i] = &as[i]
	}
	return out
}

func signers(sender aptos.AccountAddress, secondary []aptos.AccountAddress, auths []*crypto.AccountAuthenticator) []signer {
	out := []signer{{sender, authKeyOf(auths[0])}}
	for i, addr := range secondary {
		out = append(out, signer{addr, authKeyOf(auths[i+1])})
	}
	return out
}

// verifyAll checks that each authenticator verifies one of msgs (or, in a
// simulation, that none does).
func verifyAll(auths []*crypto.AccountAuthenticator, msgs [][]byte, simulate bool) error {
	for _, a := range auths {
		if a == nil || a.Auth == nil {
			return errors.New("missing authenticator")
		}
		if a.Variant == crypto.AccountAuthenticatorNone {
			if !simulate {
				return fmt.Errorf("%w: no authenticator outside a simulation", errBadSignature)
			}
			continue
		}
		ok := false
		for _, m := range msgs {
			if a.Verify(m) {
				ok = true
				break
			}
		}
		if ok && simulate {
			return errValidSimulationSignature
		}
		if !ok && !simulate {
			return errBadSignature
		}
	}
	return nil
}
