package conformance

// laterChapters: what chapter 04 adds, cheap enough to check everywhere,
// so that the matrix shows the earlier chapters without them. The
// checks are in sleep.go and idle.go.
var laterChapters = []Behaviour{
	{Name: "sleep", Since: 4, Check: checkSleep,
		Doc: "`GET /sleep?ms=50` answers 200 after at least 50 ms, `ms=0` at once, HEAD without a body; requests pipelined behind it wait their turn"},
	{Name: "sleep-concurrent", Since: 4, Check: checkSleepConcurrent,
		Doc: "20 concurrent `/sleep?ms=300` all finish in about 300 ms, not 20 × 300 ms"},
	{Name: "sleep-bad-ms-400", Since: 4, Check: checkSleepBadMs,
		Doc: "`/sleep` with ms missing, not a plain number, negative or over 10000 answers 400; `ms=10000` is accepted"},
	{Name: "sleep-client-leaves", Since: 4, Check: checkSleepClientLeaves,
		Doc: "a client that resets mid-sleep has its descriptor closed at once; the next client, likely on its number, gets its own response and nothing else"},
	{Name: "sleep-keep-alive-1000", Since: 4, Check: checkSleepKeepAlive1000,
		Doc: "1000 keep-alive connections each doing `/sleep?ms=500` twice in a row, all at once, are all answered within 5 s, not 1000 × 1 s"},
	{Name: "idle-timeout", Since: 4, Check: checkIdleTimeout,
		Doc: "a keep-alive connection idle for the idle timeout is closed with a FIN, not before half of it; a complete request restarts it"},
	{Name: "slow-head-408", Since: 4, Check: checkSlowHead408,
		Doc: "a slowloris (half a head, or one trickled a byte every 100 ms) gets 408 and a close within about the idle timeout"},
}
