package server

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Spec is one server the driver can start.
type Spec struct {
	Name     string // "02-poll", "nginx-1"
	Chapter  int    // 0 for a peer
	Features Features
	About    string // one line for the book: what it is and how it runs
	// OneCore: a peer held to one core (GOMAXPROCS=1, one loop, one
	// worker), as every chapter is: the peers a chapter is compared with.
	OneCore bool

	Path string   // the binary
	Args []string // before the address
	Env  []string // added to the driver's environment
	// Announces: the server takes -addr 127.0.0.1:0 and prints "listening
	// on http://ADDR", like every chapter. Otherwise Config writes a
	// configuration for a port the driver chose (nginx).
	Announces bool
	Config    func(dir string, port int) (args []string, err error)
}

// IsChapter tells a chapter from a peer.
func (s Spec) IsChapter() bool { return s.Chapter > 0 }

// IdleArgs are the flags the idle scenarios add: a server with an idle
// timeout would otherwise close the connections they hold open.
func (s Spec) IdleArgs() []string {
	if s.Features.IdleTimeout {
		return []string{"-idle-timeout", "0"}
	}
	return nil
}

// Command is the server's command line as the book shows it.
func (s Spec) Command(extra ...string) string {
	parts := append([]string{}, s.Env...)
	parts = append(parts, filepath.Base(s.Path))
	parts = append(parts, s.Args...)
	parts = append(parts, extra...)
	if s.Announces {
		parts = append(parts, "-addr", "127.0.0.1:0")
	} else {
		parts = append(parts, "-p", "$TMP", "-c", "$TMP/"+s.Name+".conf", "-e", "stderr")
	}
	return strings.Join(parts, " ")
}

// ChapterSpec is chapter c built into bin.
func ChapterSpec(c Chapter, bin string) Spec {
	f := ChapterFeatures(c.Number)
	return Spec{Name: c.Dir, Chapter: c.Number, Features: f, Path: bin, Announces: true,
		About: "chapter " + c.Dir[:2] + ", built from ./" + c.Dir}
}

// every feature a full HTTP/1.1 server has; peers differ only in /sleep.
var peerFeatures = Features{Concurrent: true, KeepAlive: true, Pipelining: true}

// GoPeerSpecs are the Go peers, built from bench/peers into binDir.
// Single-core variants run with GOMAXPROCS=1: the chapters use one core.
func GoPeerSpecs(binDir string) []Spec {
	withSleep := peerFeatures
	withSleep.Sleep = true
	return []Spec{
		{Name: "nethttp-1", OneCore: true, Features: withSleep, Path: filepath.Join(binDir, "nethttp"), Env: []string{"GOMAXPROCS=1"}, Announces: true,
			About: "Go's net/http (bench/peers/nethttp), GOMAXPROCS=1: one core, like the chapters"},
		{Name: "nethttp-all", Features: withSleep, Path: filepath.Join(binDir, "nethttp"), Announces: true,
			About: fmt.Sprintf("Go's net/http, GOMAXPROCS left to the runtime (%d here: every core)", runtime.NumCPU())},
		{Name: "fasthttp-1", OneCore: true, Features: withSleep, Path: filepath.Join(binDir, "fasthttp"), Env: []string{"GOMAXPROCS=1"}, Announces: true,
			About: "github.com/valyala/fasthttp (bench/peers/fasthttp), GOMAXPROCS=1"},
		{Name: "gnet-1", OneCore: true, Features: peerFeatures, Path: filepath.Join(binDir, "gnet"), Env: []string{"GOMAXPROCS=1"}, Announces: true,
			About: "github.com/panjf2000/gnet/v2, one event loop (bench/peers/gnet: GET / only), GOMAXPROCS=1"},
	}
}

// NginxSpecs are nginx with one worker and with one per core, or none
// when nginx is not installed.
func NginxSpecs(nofile int) []Spec {
	path, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"} {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		return nil
	}
	spec := func(name, workers, about string) Spec {
		return Spec{Name: name, Features: peerFeatures, Path: path, About: about, OneCore: workers == "1",
			Config: func(dir string, port int) ([]string, error) {
				conf := filepath.Join(dir, name+".conf")
				if err := os.WriteFile(conf, []byte(NginxConfig(dir, port, workers, nofile)), 0o644); err != nil {
					return nil, err
				}
				return []string{"-p", dir, "-c", conf, "-e", "stderr"}, nil
			}}
	}
	return []Spec{
		spec("nginx-1", "1", "nginx, worker_processes 1: one core, like the chapters (config: bench/internal/server/nginx.go)"),
		spec("nginx-auto", "auto", fmt.Sprintf("nginx, worker_processes auto (%d here: every core)", runtime.NumCPU())),
	}
}
