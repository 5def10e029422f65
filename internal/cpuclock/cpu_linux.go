//go:build linux

package cpuclock

import (
	"syscall"
	"time"
)

func threadCPU() time.Duration  { return rusage(1) } // RUSAGE_THREAD
func processCPU() time.Duration { return rusage(syscall.RUSAGE_SELF) }

func rusage(who int) time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(who, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
