//go:build !linux

package main

import "golang.org/x/sys/unix"

// errENONET stands in for Linux's ENONET, which x/sys/unix does not
// define for macOS or the BSDs. No error is errno 0, so acceptPolicy's
// case for it never matches here.
const errENONET = unix.Errno(0)
