package main

import "golang.org/x/sys/unix"

// errENONET ("machine is not on the network") is one of the network
// errors accept(2) says Linux passes on from a new TCP connection.
const errENONET = unix.ENONET
