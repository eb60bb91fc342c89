package framework

// Feature flags that are on in the state every unit test and a fresh localnet
// start from: the flags of aptos-core's FeatureFlag::default_features at the
// mainnet framework release this framework follows, less
// ENABLE_TRUSTED_CODE (100), which Aptos's unit-test genesis
// (aptos_test_feature_flags_genesis) turns off. std::features reads them from
// 0x1::features::Features. The real framework's own unit tests depend on
// them: FUNCTION_REFLECTION (105) for std::reflect, STORAGE_SLOT_NATIVES (113)
// for storage_slot, PERMISSIONED_SIGNER (84) for permissioned signers.
var defaultFeatures = []uint64{
	1, 2, 3, 4, 5, 40, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
	21, 23, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
	43, 41, 42, 44, 46, 77, 47, 49, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 62,
	63, 64, 65, 50, 66, 67, 69, 70, 71, 72, 73, 74, 75, 76, 78, 80, 81, 82, 79,
	84, 83, 85, 87, 88, 86, 89, 90, 91, 92, 93, 94, 96, 97, 95, 98, 99,
	101, 102, 103, 105, 106, 107, 109, 110, 111, 112, 113, 114, 116, 108,
}

// Well-known flag numbers the Go side refers to.
const (
	FeatureSHA512AndRIPEMD160  = 3
	FeatureChainIDNatives      = 4
	FeatureBlake2b256          = 8
	FeatureModuleEvent         = 26
	FeatureConcurrentFA        = 50
	FeatureDefaultAccountRsrc  = 91
	featuresMinimumBitsetBytes = 5
)

// DefaultFeatureFlags returns the numbers of the flags that are on by default.
func DefaultFeatureFlags() []uint64 {
	out := make([]uint64, len(defaultFeatures))
	copy(out, defaultFeatures)
	return out
}

// DefaultFeatureBits returns the `features` field of 0x1::features::Features
// for the default flags: bit n%8 of byte n/8 is flag n.
func DefaultFeatureBits() []byte {
	return FeatureBits(defaultFeatures)
}

// FeatureBits builds a feature bit set from flag numbers.
func FeatureBits(flags []uint64) []byte {
	bits := make([]byte, featuresMinimumBitsetBytes)
	for _, f := range flags {
		for uint64(len(bits)) <= f/8 {
			bits = append(bits, 0)
		}
		bits[f/8] |= 1 << (f % 8)
	}
	return bits
}

// FeatureEnabled reports whether flag is set in a bit set.
func FeatureEnabled(bits []byte, flag uint64) bool {
	i := flag / 8
	return i < uint64(len(bits)) && bits[i]&(1<<(flag%8)) != 0
}
