//go:build !linux

package main

func newWaker() (waker, error) { return newPipeWaker() }
