package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// region: relaySignals

// relaySignals turns SIGINT and SIGTERM into work on the loop: the first
// one runs onFirst there, through Post, like any other event. The kernel
// delivers a signal to any thread that does not block it (signal(7));
// Go's handler, on whichever thread that is, only queues it, and the
// os/signal package sends it on the channel. This goroutine waits on the
// channel and never touches the server itself. A second signal means
// "now": it exits at once, even if the loop is stuck. The returned
// function stops relaying.
func relaySignals(loop *EventLoop, stderr io.Writer, onFirst func(os.Signal)) (stop func()) {
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case sig := <-ch:
			loop.Post(func() { onFirst(sig) })
		case <-done:
			return
		}
		select {
		case sig := <-ch:
			fmt.Fprintf(stderr, "%s: %v again: exiting now\n", name, sig)
			os.Exit(1)
		case <-done:
		}
	}()
	// Wait for the goroutine to be gone: a Post after the loop has closed
	// its wake-up descriptor would write to a number that may have been
	// given to another file since.
	return func() {
		signal.Stop(ch)
		close(done)
		<-exited
	}
}

// endregion: relaySignals
