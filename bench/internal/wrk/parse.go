// Package wrk runs the wrk load generator and reads its report.
package wrk

import (
	"bufio"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Result is what one wrk run reports. Errors are kept, never dropped: a
// server that answers 400s or closes connections fast would otherwise
// look fast.
type Result struct {
	Requests int64   // responses read, of any status
	Seconds  float64 // as wrk prints it ("in 1.01s"), rounded to 10 ms
	RPS      float64 // Requests/sec, from wrk's exact duration
	Bytes    int64   // bytes read, from "xMB read" (approximate: wrk rounds)

	// Latency percentiles in microseconds (wrk --latency).
	P50, P75, P90, P99 float64

	Non2xx        int64 // "Non-2xx or 3xx responses"
	ConnectErrors int64
	ReadErrors    int64
	WriteErrors   int64
	Timeouts      int64
}

// Good is the rate of 2xx or 3xx responses: what a figure reports.
func (r Result) Good() float64 {
	if r.Requests == 0 {
		return 0
	}
	return r.RPS * float64(r.Requests-r.Non2xx) / float64(r.Requests)
}

// Errors counts everything wrk reports as having gone wrong.
func (r Result) Errors() int64 {
	return r.Non2xx + r.ConnectErrors + r.ReadErrors + r.WriteErrors + r.Timeouts
}

var (
	totalLine   = regexp.MustCompile(`^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h), ([0-9.]+)([KMGT]?B) read`)
	rateLine    = regexp.MustCompile(`^Requests/sec:\s+([0-9.]+)`)
	socketLine  = regexp.MustCompile(`^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	non2xxLine  = regexp.MustCompile(`^\s*Non-2xx or 3xx responses: (\d+)`)
	percentLine = regexp.MustCompile(`^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m|h)\s*$`)
)

// Parse reads wrk's report as printed with --latency. It fails when the
// report lacks the totals, so that a wrk that died early is not read as
// a server that served nothing.
func Parse(out string) (Result, error) {
	var r Result
	var haveTotal, haveRate bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := totalLine.FindStringSubmatch(line); m != nil {
			r.Requests = atoi(m[1])
			r.Seconds = seconds(m[2], m[3])
			r.Bytes = bytesOf(m[4], m[5])
			haveTotal = true
		} else if m := rateLine.FindStringSubmatch(line); m != nil {
			r.RPS, _ = strconv.ParseFloat(m[1], 64)
			haveRate = true
		} else if m := socketLine.FindStringSubmatch(line); m != nil {
			r.ConnectErrors, r.ReadErrors, r.WriteErrors, r.Timeouts = atoi(m[1]), atoi(m[2]), atoi(m[3]), atoi(m[4])
		} else if m := non2xxLine.FindStringSubmatch(line); m != nil {
			r.Non2xx = atoi(m[1])
		} else if m := percentLine.FindStringSubmatch(line); m != nil {
			us := seconds(m[2], m[3]) * 1e6
			switch m[1] {
			case "50":
				r.P50 = us
			case "75":
				r.P75 = us
			case "90":
				r.P90 = us
			case "99":
				r.P99 = us
			}
		}
	}
	if !haveTotal || !haveRate {
		return r, fmt.Errorf("wrk: no totals in its output:\n%s", out)
	}
	return r, nil
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func seconds(v, unit string) float64 {
	f, _ := strconv.ParseFloat(v, 64)
	switch unit {
	case "us":
		return f / 1e6
	case "ms":
		return f / 1e3
	case "m":
		return f * 60
	case "h":
		return f * 3600
	}
	return f
}

// wrk prints sizes with binary prefixes (its units.c divides by 1024).
func bytesOf(v, unit string) int64 {
	f, _ := strconv.ParseFloat(v, 64)
	scale := map[string]float64{"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[unit]
	return int64(f * scale)
}
