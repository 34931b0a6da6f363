package main

import (
	"fmt"
	"testing"
	"time"
)

// One flow written twice, for the book: "how do we say hello to user N?"
// takes three lookups, each answered later (on a timer, as work that takes
// time without blocking the loop would be), each of which may fail: the
// user's country, the country's language, and the word for hello in that
// language. helloNested is written with the callbacks of chapter 04;
// helloChained with promises. TestPyramidAndChainAgree runs both on a fake
// clock and checks that they give the same answers at the same moments.

const lookUpTime = 10 * time.Millisecond

var (
	countries = map[int]string{1: "France", 2: "Germany", 3: "Atlantis"}
	languages = map[string]string{"France": "French", "Germany": "German"}
	hellos    = map[string]string{"French": "Bonjour", "German": "Hallo"}
)

// region: lookUp

// lookUp makes an asynchronous lookup in table, in the callback style: it
// returns at once, and done gets the answer, or an error, lookUpTime later.
func lookUp[K comparable](what string, table map[K]string) func(*EventLoop, K, func(string, error)) {
	return func(l *EventLoop, key K, done func(string, error)) {
		l.AfterFunc(lookUpTime, func() {
			v, ok := table[key]
			if !ok {
				done("", fmt.Errorf("no %s for %v", what, key))
				return
			}
			done(v, nil)
		})
	}
}

var (
	country  = lookUp("country", countries)
	language = lookUp("language", languages)
	hello    = lookUp("hello", hellos)
)

// endregion: lookUp

// region: pyramid

// helloNested says hello to user id with callbacks: each step can only
// start inside the callback of the one before, and each must pass its
// error on by hand.
func helloNested(l *EventLoop, id int, done func(string, error)) {
	country(l, id, func(c string, err error) {
		if err != nil {
			done("", err)
			return
		}
		language(l, c, func(lang string, err error) {
			if err != nil {
				done("", err)
				return
			}
			hello(l, lang, func(word string, err error) {
				if err != nil {
					done("", err)
					return
				}
				done(word+"!", nil)
			})
		})
	})
}

// endregion: pyramid

// region: chain

// promised turns an operation in the callback style into one that returns
// a promise: the resolver's Settle is exactly the callback it expects.
func promised[T, U any](l *EventLoop, op func(*EventLoop, T, func(U, error))) func(T) *Promise[U] {
	return func(v T) *Promise[U] {
		p, r := NewPromise[U](l)
		op(l, v, r.Settle)
		return p
	}
}

// helloChained says hello to user id with promises: the steps read from
// top to bottom, and an error skips every step after it on its own.
func helloChained(l *EventLoop, id int) *Promise[string] {
	c := promised(l, country)(id)
	lang := ThenPromise(c, promised(l, language))
	word := ThenPromise(lang, promised(l, hello))
	return Then(word, func(w string) (string, error) { return w + "!", nil })
}

// endregion: chain

// TestPyramidAndChainAgree: for users whose every lookup succeeds, whose
// language is missing, and who do not exist, the nested callbacks and the
// chain give the same answer, or the same error, after the same time.
func TestPyramidAndChainAgree(t *testing.T) {
	cases := []struct {
		id   int
		want string
	}{
		{1, "Bonjour! after 30ms"},
		{2, "Hallo! after 30ms"},
		{3, "error: no language for Atlantis after 20ms"},
		{4, "error: no country for 4 after 10ms"},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint("user ", tc.id), func(t *testing.T) {
			l, clock := timerLoop(t)
			start := clock.now
			var nested, chained string
			helloNested(l, tc.id, func(word string, err error) {
				nested = outcome(word, err, clock.now.Sub(start))
			})
			Then(helloChained(l, tc.id), func(word string) (struct{}, error) {
				chained = outcome(word, nil, clock.now.Sub(start))
				return struct{}{}, nil
			}).Catch(func(err error) (struct{}, error) {
				chained = outcome("", err, clock.now.Sub(start))
				return struct{}{}, nil
			})
			for range 4 {
				clock.advance(lookUpTime)
				settleAll(t, l)
			}
			t.Logf("nested callbacks: %s; chain: %s", nested, chained)
			if nested != tc.want {
				t.Errorf("nested callbacks: %q, want %q", nested, tc.want)
			}
			if chained != tc.want {
				t.Errorf("chain: %q, want %q", chained, tc.want)
			}
		})
	}
}

func outcome(word string, err error, after time.Duration) string {
	if err != nil {
		return fmt.Sprintf("error: %v after %v", err, after)
	}
	return fmt.Sprintf("%s after %v", word, after)
}
