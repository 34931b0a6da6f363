package server

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A server may be several processes (nginx: a master and its workers);
// the driver starts each in a process group of its own and adds up what
// /proc says of every process in the group.

// groupPIDs lists the processes whose process group is pgid.
func groupPIDs(pgid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(pid)
		if err != nil {
			continue // it exited meanwhile
		}
		if st.pgrp == pgid {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("no process left in group %d", pgid)
	}
	return pids, nil
}

type stat struct {
	pgrp         int
	utime, stime int64 // clock ticks
}

// readStat reads /proc/PID/stat (proc(5)): the command name, in
// parentheses, may hold spaces, so fields are counted after its ')'.
func readStat(pid int) (stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, err
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ppid(4) pgrp(5) ... utime(14) stime(15).
	if len(f) < 13 {
		return stat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	pgrp, _ := strconv.Atoi(f[2])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return stat{pgrp: pgrp, utime: ut, stime: st}, nil
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times (proc(5):
// "divide by sysconf(_SC_CLK_TCK)"): 100 on x86 and arm, from the
// kernel's include/asm-generic/param.h; `getconf CLK_TCK` prints it.
const clockTicks = 100

// CPU is the user plus system time of the group's live processes.
func CPU(pgid int) (time.Duration, error) {
	pids, err := groupPIDs(pgid)
	if err != nil {
		return 0, err
	}
	var ticks int64
	for _, pid := range pids {
		st, err := readStat(pid)
		if err != nil {
			continue
		}
		ticks += st.utime + st.stime
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// RSS is the resident memory of the group, in bytes: VmRSS of
// /proc/PID/status for each process.
func RSS(pgid int) (int64, error) {
	pids, err := groupPIDs(pgid)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				total += kb << 10
			}
		}
	}
	return total, nil
}

// FDs counts the descriptors the group's processes hold.
func FDs(pgid int) (int, error) {
	pids, err := groupPIDs(pgid)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, pid := range pids {
		entries, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
		if err != nil {
			continue
		}
		n += len(entries)
	}
	return n, nil
}

// PIDs lists the group's processes (strace attaches to each).
func PIDs(pgid int) ([]int, error) { return groupPIDs(pgid) }
