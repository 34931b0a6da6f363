package main

import (
	"testing"

	"github.com/eventloops-from-scratch/eventloops/internal/conformance"
	"github.com/eventloops-from-scratch/eventloops/internal/testserver"
)

func TestMain(m *testing.M) { testserver.Main(m, run) }

func TestConformance(t *testing.T) {
	s := testserver.Start(t)
	conformance.Run(t, conformance.Target{Addr: s.Addr, Chapter: 1, Process: s, Short: testing.Short()})
}
