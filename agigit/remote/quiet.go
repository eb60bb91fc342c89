package remote

// quietThreshold is the smallest transfer worth a progress display: below
// it a command is over before a progress line could help.
const quietThreshold = 16 << 20
