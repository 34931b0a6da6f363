package conformance

import "syscall"

// connectionReserve is how many descriptors a check that opens many
// connections at once leaves free for everything else the suite's
// process holds.
const connectionReserve = 200

// connectionRoom is how many connections a check may hold open at once:
// what the suite's own descriptor limit (RLIMIT_NOFILE) leaves after
// connectionReserve. The suite raises no limit. A Go program runs with
// its soft limit already raised to about the hard one (syscall's init in
// rlimit.go, go.dev/issue/46279), and so does a server written in Go.
func connectionRoom() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return sleepers
	}
	return int(max(min(lim.Cur, 1<<20), connectionReserve+1)) - connectionReserve
}
