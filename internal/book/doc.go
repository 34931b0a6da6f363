// Package book keeps the generated parts of the book true: code embedded
// from the chapters, diffs between chapters, and transcripts of sessions
// with the servers. It maintains book/*.md, README.md and CONTRIBUTING.md.
//
//	make book          rewrite every stale block (go run ./internal/book/cmd/book)
//	make book-check    report stale blocks, exit 1 if any (… -check)
//	go test ./internal/book    TestBookIsFresh: the same check, so CI fails on a stale book
//	go run ./internal/book/cmd/book -show 01-curl    print one transcript
//	go run ./internal/book/cmd/book -list            list the transcripts
//
// # Markers
//
// A marker is an HTML comment alone on a line, which GitHub does not
// render, followed on the next line by a fenced code block that the tool
// owns: whatever is inside it is replaced. Writing a marker with no block
// after it and running make book inserts the block. Markers inside fenced
// code blocks are ignored, which is how this documentation can show them.
//
// Embed a region of a source file, or a whole file:
//
//	<!-- embed: 01-blocking/http.go#parseRequest -->
//	```go
//	```
//
//	<!-- embed: 01-blocking/routes.go -->
//	```go
//	```
//
// Paths are relative to the repository root. A region is delimited in
// the source by two comment lines, each alone on its line (indentation
// allowed) and, by convention, with a blank line after the first and
// before the second:
//
//	// region: parseRequest
//
//	func parseRequest(...) { ... }
//
//	// endregion: parseRequest
//
// The block gets the lines between the two markers, with leading and
// trailing blank lines dropped, the markers of regions nested inside it
// dropped, and the indentation all of its lines share removed. A region
// name is one word, unique in its file; regions may nest or overlap.
// Without #NAME the block gets the whole file, minus its region markers
// and the blank lines that separate them from the code. An unknown file, an unknown region, a region defined twice or
// never ended is an error reported as FILE.md:LINE.
//
// Show a unified diff between two files (or two folders), as
// git diff --no-index prints it with -U3, minus its "diff --git" and
// "index" lines:
//
//	<!-- diff: 01-blocking/routes.go 02-poll/routes.go -->
//	```diff
//	```
//
// Show a transcript, the console session a scenario produces:
//
//	<!-- transcript: 01-curl -->
//	```console
//	```
//
// # Transcripts
//
// A scenario is Go code registered under its name in scenario_NN.go (one
// file per chapter; go run ./internal/book/cmd/book -list lists them). It
// builds the chapter with go build, starts it with -addr 127.0.0.1:0,
// runs real commands (curl, ss, strace, bash) against it, and writes what
// a reader would see:
//
//   - "$ COMMAND" lines show commands as the reader types them: with the
//     server on 127.0.0.1:8080, the chapters' default, and its pid as
//     $(pidof NN-name). They run in bash with the real pid, and with the
//     real port wherever 8080 is only a port (/dev/tcp/127.0.0.1/8080,
//     ss's 'sport = :8080').
//   - 127.0.0.1:8080 itself, as in a URL or a Host header a command
//     writes, is run as shown, so that the bytes a client sends are
//     exactly the bytes the reader's client sends: curl's Host header
//     carries the port, and the request's length with it. To reach the
//     server anyway, the session defines curl as a bash function that
//     runs the real curl with --connect-to 127.0.0.1:8080:127.0.0.1:PORT
//     added. Any other client that puts the port in what it sends needs
//     the same treatment before a scenario uses it; bash's /dev/tcp
//     actors write their own Host lines, without a port.
//   - Commands run at the repository root, where the reader types them
//     (go run ./internal/book/cmd/halfclose works as shown).
//   - The server is shown as "$ go run ./NN-name FLAGS": in truth it is the
//     chapter built by go build (into a temporary folder, under the
//     chapter's name, once per run) and started with -addr 127.0.0.1:0
//     added to FLAGS.
//   - Output lines are the commands' real output, with the real port
//     written back as 8080 (where ss prints it, for example) and CRLF
//     line ends made LF. Byte counts are the real ones, and so the
//     reader's: they do not depend on the port. (They do depend on the
//     length of curl's version in its User-Agent header.)
//   - "--- terminal N ---" lines start the part of the session that
//     happens in the reader's Nth terminal. Terminal 1 is the server's in
//     every session; clients get 2, 3 and so on, in the order the
//     scenario first uses them. A scenario names each process's terminal
//     when it starts it (Shell(2), Background(2, ...)), and the session
//     writes a label wherever the terminal changes.
//   - A transcript cannot show the reader's prompt on the line where a
//     command's output stopped, so a command typed in a shell whose
//     output does not end in a newline fails the scenario: end such a
//     command with "; echo", as the reader would.
//
// A scenario is registered with the commands it needs (Needs) and the
// regular expressions its transcript must match (Shows): the point the
// book makes with it, which TestScenarios checks, against the book's
// block when the book uses the scenario and against a fresh run when it
// does not yet.
//
// Scenarios wait for conditions, not for time: a line of output, a server
// thread asleep in a given system call (read from /proc), a listen queue
// of a given length. Each scenario has 60 seconds, not counting go build.
//
// A scenario lists the commands it needs. Where one is missing, or where
// strace may not attach to a process (ptrace forbidden), the scenario is
// skipped: make book leaves its block untouched and prints a warning,
// and the check (-check, TestBookIsFresh) skips it, saying why.
//
// The book shows the real output of the last make book. When checking,
// and when deciding whether to rewrite a block, both the block and a
// fresh run are compared with their volatile parts masked: Date header
// values, durations as Go prints them (1.503s), curl's "after N
// milliseconds", clock times, pids, client ports (any IP:port or
// htons(port) whose port is not 8080), and the width of runs of blanks.
// A block that differs only there is left as it is, so make book does not
// churn; anything else that differs makes the block stale.
package book
