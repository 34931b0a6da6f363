# The front door of the repository. `make` alone lists the targets.
#
# Chapters are found by their folder names (NN-name), so a new chapter
# needs no edit here. CH accepts 1 or 01.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 30s

CHAPTERS := $(sort $(patsubst %/main.go,%,$(wildcard [0-9][0-9]-*/main.go)))
# The chapters meant to build on macOS too (07 is Linux-only: epoll).
PORTABLE := $(filter 01-% 02-% 03-% 04-% 05-% 06-%,$(CHAPTERS))
# Files carried forward byte for byte: each chapter's copy must equal the
# copy of the chapter before it, except where CHANGED_IN names the copy:
# the chapter whose lesson changes the file. Keep both lists small and
# true (listen.go is on neither: 07 adds SO_REUSEPORT there).
IDENTICAL := http.go http_test.go addr.go cli_test.go acceptpolicy.go enonet_linux.go enonet_other.go stream.go
# 03 parses Connection, for keep-alive.
CHANGED_IN := 03-eventloop/http.go 03-eventloop/http_test.go

# The race detector needs cgo, and cgo a C compiler; Go turns cgo off
# when it finds none. Read only by the targets that use it.
CGO = $(shell go env CGO_ENABLED)

CHNUM = $(if $(filter 1 2 3 4 5 6 7 8 9,$(CH)),0$(CH),$(CH))
CHDIR = $(patsubst %/main.go,%,$(wildcard $(CHNUM)-*/main.go))
# An exercise is a folder under NN-name/exercises/ with an exercise_test.go.
exercises_of = $(notdir $(patsubst %/exercise_test.go,%,$(wildcard $(1)/exercises/*/exercise_test.go)))

.PHONY: help test run diff vet lint fmt fmt-check exercise exercises-check solution \
	book book-check check-copies tidy-check darwin fuzz bench bench-book ci need-ch need-race need-ex

help: ## list the targets (the default)
	@echo 'usage: make TARGET [CH=NN] [EX=name] [ARGS="..."]'
	@echo '       make bench [QUICK=1] [CH=NN] [SCENARIO=name] [PEERS=all|single|none|names]'
	@echo
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-16s %s\n", $$1, $$2}'
	@echo
	@echo 'chapters (CH=NN) and their exercises (EX=name):'
	@$(foreach ch,$(CHAPTERS),printf '  %-16s %s\n' '$(ch)' '$(or $(call exercises_of,$(ch)),(none yet))';)

test: ## run every test: go test -race ./... here and in bench/ (without -race if there is no C compiler)
	@if [ "$(CGO)" = 1 ]; then race=-race; else race=; \
		echo 'race detector skipped: cgo is off (go env CGO_ENABLED is 0: no C compiler, or turned off); running the tests without it'; \
	fi; \
	echo "go test $${race:+$$race }./..."; \
	go test $$race ./...; \
	echo "cd bench && go test $${race:+$$race }./..."; \
	cd bench && go test $$race ./...

run: need-ch ## run a chapter's server: make run CH=01 [ARGS="-trace"]
	go run ./$(CHDIR) $(ARGS)

diff: need-ch ## what chapter CH changed since the one before: make diff CH=02 [TESTS=0: code only]
	@prev=$$(printf '%s\n' $(CHAPTERS) | awk -v c=$(CHDIR) '$$0 == c { print p } { p = $$0 }'); \
	if [ -z "$$prev" ]; then echo "$(CHDIR) is the first chapter: nothing to compare with"; exit 0; fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	left=exercises; \
	for ch in "$$prev" $(CHDIR); do cp -R $$ch "$$tmp/"; rm -rf "$$tmp/$$ch/exercises"; done; \
	if [ "$(TESTS)" = 0 ]; then left="exercises and tests"; rm -f "$$tmp"/*/*_test.go; fi; \
	cd "$$tmp"; \
	echo "# git diff --no-index $$prev $(CHDIR) ($$left left out)"; \
	git diff --no-index --stat "$$prev" $(CHDIR) || [ $$? -eq 1 ]; \
	git diff --no-index "$$prev" $(CHDIR) || [ $$? -eq 1 ]

# bench/ is a module of its own (it requires plotting and peer libraries
# the chapters must not), so ./... here does not reach it: the targets
# that check code run once more inside it.
vet: ## go vet every package (bench/ included)
	go vet ./...
	cd bench && go vet ./...

lint: ## staticcheck, pinned by version (STATICCHECK in this Makefile), bench/ included
	go run $(STATICCHECK) ./...
	cd bench && go run $(STATICCHECK) ./...

fmt: ## gofmt -w every Go file
	gofmt -w .

fmt-check: ## fail if a Go file is not gofmt'd
	@files=$$(gofmt -l .); if [ -n "$$files" ]; then echo "not gofmt'd (run make fmt):"; echo "$$files"; exit 1; fi

exercise: need-ex ## check your answer: make exercise CH=01 [EX=server-header]
	go test -count=1 -tags exercise ./$(CHDIR)/exercises/$(if $(EX),$(EX),...)

solution: need-ex ## print an exercise's solution: make solution CH=01 EX=server-header
	@test -n "$(EX)" || { echo "EX=name is required; $(CHDIR)'s exercises: $(call exercises_of,$(CHDIR))"; exit 2; }
	@cat $(CHDIR)/exercises/$(EX)/solution.patch

exercises-check: ## every exercise fails untouched; with solution.patch, it and its chapter's tests pass
	go run ./internal/exercise/cmd/exercises

book: ## refresh the book: embedded snippets, diffs, transcripts, capability matrix
	go run ./internal/conformance/cmd/matrix
	go run ./internal/book/cmd/book

book-check: ## fail if any of the book's generated parts is stale
	go run ./internal/conformance/cmd/matrix -check
	go run ./internal/book/cmd/book -check
	cd bench && go test -count=1 -run TestBookIsFresh ./internal/report

check-copies: ## files carried forward unchanged equal the previous chapter's copy
	@status=0; for f in $(IDENTICAL); do \
		prev=; for ch in $(CHAPTERS); do \
			[ -f $$ch/$$f ] || continue; \
			case " $(CHANGED_IN) " in *" $$ch/$$f "*) ;; *) \
				if [ -n "$$prev" ] && ! cmp -s $$prev $$ch/$$f; then echo "$$ch/$$f differs from $$prev"; status=1; fi;; \
			esac; \
			prev=$$ch/$$f; \
		done; \
	done; \
	if [ $$status -eq 0 ]; then echo "carried forward unchanged: $(IDENTICAL) (changed only in: $(CHANGED_IN))"; fi; \
	exit $$status

tidy-check: ## fail if go.mod or go.sum (or bench/'s) is not what go mod tidy would write
	go mod tidy -diff
	cd bench && go mod tidy -diff

darwin: ## build the portable chapters for macOS: GOOS=darwin go build
	GOOS=darwin GOARCH=arm64 go build -o /dev/null $(addprefix ./,$(PORTABLE))
	GOOS=darwin GOARCH=amd64 go build -o /dev/null $(addprefix ./,$(PORTABLE))

fuzz: ## fuzz the HTTP parser of each chapter for FUZZTIME (default 30s)
	@for ch in $(CHAPTERS); do \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$ch/*_test.go); do \
			echo "go test -run '^$$' -fuzz '^$$fn$$' -fuzztime $(FUZZTIME) ./$$ch"; \
			go test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) ./$$ch; \
		done; \
	done

# make bench: every chapter and the peers side by side (book/bench.md says
# what each scenario measures). A whole or quick run ends by regenerating
# book/bench.md and book/bench/*.svg from its results file; a run narrowed
# by CH= or SCENARIO= writes its charts next to its results file instead.
BENCH_FLAGS = $(if $(QUICK),-quick) $(if $(CH),-ch $(CH)) $(if $(SCENARIO),-scenario $(SCENARIO)) $(if $(PEERS),-peers $(PEERS))
bench: ## measure chapters and peers (wrk): [QUICK=1] ~2 min, [CH=02] [SCENARIO=idle] one piece; whole run <15 min
	cd bench && go run ./cmd/bench $(BENCH_FLAGS)

bench-book: ## regenerate book/bench.md and its charts from a results file: make bench-book RESULTS=bench/results/FILE.json
	@test -n "$(RESULTS)" || { echo 'RESULTS=bench/results/FILE.json is required; the files:'; ls bench/results/*.json; exit 2; }
	cd bench && go run ./cmd/bench -render $(abspath $(RESULTS))

ci: need-race fmt-check tidy-check vet lint ## everything CI runs
	go test -race ./...
	cd bench && go test -race ./...
	$(MAKE) --no-print-directory exercises-check check-copies darwin

need-race:
	@[ "$(CGO)" = 1 ] || { echo 'make ci needs the race detector, and so a C compiler,' \
		'but none was found (go env CGO_ENABLED is 0): install gcc or clang'; exit 2; }

need-ch:
	@test -n "$(CH)" || { echo 'CH=NN is required, e.g. CH=01'; exit 2; }
	@test -n "$(CHDIR)" || { echo 'no chapter folder $(CHNUM)-*; chapters: $(CHAPTERS)'; exit 2; }

# The chapter has exercises, and EX, if given, is one of them.
need-ex: need-ch
	@test -n "$(call exercises_of,$(CHDIR))" || { echo '$(CHDIR) has no exercises yet'; exit 2; }
	@test -z "$(EX)" || test -f '$(CHDIR)/exercises/$(EX)/exercise_test.go' || \
		{ echo 'no exercise "$(EX)" in $(CHDIR); its exercises: $(call exercises_of,$(CHDIR))'; exit 2; }
