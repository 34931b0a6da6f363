package main

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// parseAddr turns a -addr value into a socket address. It resolves no
// names except localhost, so that what the server binds is always obvious.
func parseAddr(s string) (unix.Sockaddr, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return nil, fmt.Errorf("%q: want host:port", s)
	}
	host, portText := s[:i], s[i+1:]
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%q: port must be a number from 0 to 65535", s)
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	} else if strings.Contains(host, ":") {
		return nil, fmt.Errorf("%q: write an IPv6 address in brackets, as [::1]:8080", s)
	}
	switch host {
	case "":
		return &unix.SockaddrInet4{Port: int(port)}, nil
	case "localhost":
		return &unix.SockaddrInet4{Port: int(port), Addr: [4]byte{127, 0, 0, 1}}, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return nil, fmt.Errorf("%q: host must be an IP address or localhost", s)
	}
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: int(port), Addr: ip.As4()}, nil
	}
	return &unix.SockaddrInet6{Port: int(port), Addr: ip.As16()}, nil
}

func sockaddrString(sa unix.Sockaddr) string {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)).String()
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)).String()
	}
	return "unknown address"
}

var errUnknownFamily = errors.New("unknown address family")

func family(sa unix.Sockaddr) (int, error) {
	switch sa.(type) {
	case *unix.SockaddrInet4:
		return unix.AF_INET, nil
	case *unix.SockaddrInet6:
		return unix.AF_INET6, nil
	}
	return 0, errUnknownFamily
}
