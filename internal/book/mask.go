package book

import (
	"regexp"
	"strings"
)

// A mask replaces a volatile part of a transcript with a placeholder,
// so that two runs of the same scenario compare equal.
type mask struct {
	re   *regexp.Regexp
	with func(m []string) string
}

func always(s string) func([]string) string { return func([]string) string { return s } }

// masks are applied in order, to every line.
var masks = []mask{
	// The Date header, also where strace cuts it short.
	{regexp.MustCompile(`Date: [^"\\\r\n]*`), always("Date: <date>")},
	// Durations as Go prints them: 0s, 1.503s, 2m3.5s, 850µs.
	{regexp.MustCompile(`\b(\d+(\.\d+)?(h|ms|m|s|µs|us|ns))+\b`), always("<duration>")},
	// curl: "Operation timed out after 2002 milliseconds".
	{regexp.MustCompile(`\b\d+ milliseconds\b`), always("<n> milliseconds")},
	// Clock times, as strace -t prints them.
	{regexp.MustCompile(`\b\d\d:\d\d:\d\d(\.\d+)?\b`), always("<time>")},
	// Process and thread ids.
	{regexp.MustCompile(`\[pid +\d+\]`), always("[pid <pid>]")},
	{regexp.MustCompile(`\b(Process|pid) \d+\b`), func(m []string) string { return m[1] + " <pid>" }},
	// Ports other than the server's: the clients' ephemeral ports.
	{regexp.MustCompile(`(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:.]+\]):(\d+)\b`), keepServerPort(1, 2, "%s:<port>")},
	{regexp.MustCompile(`(htons)\((\d+)\)`), keepServerPort(1, 2, "%s(<port>)")},
	// The size of a request curl sent: its User-Agent line carries curl's
	// version, so the count differs by a byte or two between machines.
	{regexp.MustCompile(`User-Agent: curl/[^\\"]*`), always("User-Agent: curl/<version>")},
	{regexp.MustCompile(`^(\[pid <pid>\] )?(read\(\d+(, "GET [^"]*"(\.\.\.)?, \d+)?\) += )\d+`), func(m []string) string {
		return m[1] + m[2] + "<n>"
	}},
}

// keepServerPort masks the port in submatch portGroup unless it is the
// port transcripts show for the server.
func keepServerPort(prefixGroup, portGroup int, format string) func([]string) string {
	return func(m []string) string {
		if m[portGroup] == shownPort {
			return m[0]
		}
		return strings.Replace(format, "%s", m[prefixGroup], 1)
	}
}

// spaceRun matches what column alignment depends on: runs of blanks.
var spaceRun = regexp.MustCompile(`[ \t]+`)

// maskVolatile returns the transcript with its volatile parts replaced
// by placeholders and runs of blanks made single: rewriting a real port
// to 8080 shifts columns (ss, strace), and a width is not a fact.
func maskVolatile(text string) string {
	ls := lines(text)
	for i, l := range ls {
		for _, m := range masks {
			l = m.re.ReplaceAllStringFunc(l, func(s string) string {
				return m.with(m.re.FindStringSubmatch(s))
			})
		}
		ls[i] = strings.TrimRight(spaceRun.ReplaceAllString(l, " "), " ")
	}
	return finish(ls)
}
