module github.com/eventloops-from-scratch/eventloops

go 1.24.0

require (
	github.com/google/go-cmp v0.7.0
	golang.org/x/sys v0.38.0
)
