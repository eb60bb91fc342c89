//go:build !unix

package powoc

func processCPU() float64 { return 0 }
