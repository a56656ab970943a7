# tsinvites: what a fresh clone needs is `make demo` and `make check`.
GO   ?= go
# The generator and the linters live in their own module (tools/go.mod), so programs
# that import tsinvites never inherit them.
TOOL := $(GO) tool -modfile=tools/go.mod
# Hand-written Go files: everything but generated code and the tools modules.
HANDWRITTEN = $(shell find . -name '*.go' -not -name '*.gen.go' -not -path './tools/*' -not -path './.git/*')
# specsync (make spec) is a module of its own, apart from the SDK and from tools/go.mod:
# its libraries (oasdiff, speakeasy-api/openapi, a newer kin-openapi) stay out of both.
SPECSYNC_DIR := tools/specsync

# Fuzz targets, as package:Target; `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS = .:FuzzAPIError .:FuzzPathValues ./cmd/tsinvites/internal/input:FuzzReadCSV ./cmd/tsinvites/internal/input:FuzzReadDesired ./cmd/tsinvites/internal/input:FuzzReadShares
FUZZTIME ?= 1m

# make bench: each benchmark BENCHCOUNT times for BENCHTIME.
BENCHCOUNT ?= 10
BENCHTIME ?= 500ms

.PHONY: generate check-generated test lint check demo demo-sdk fuzz fuzz-quick bench bench-smoke spec

## generate: regenerate *.gen.go from api/openapi.yaml
generate:
	$(GO) generate ./...

## check-generated: fail if the *.gen.go in the working tree differ from what generate makes
## (it then leaves them regenerated). The working tree, not the last commit: a fresh
## regeneration passes before it is committed; in CI the working tree is the commit, so
## stale or missing committed files fail there.
GEN_SUMS = find . -name '*.gen.go' -not -path './.git/*' | LC_ALL=C sort | xargs sha256sum
check-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(GEN_SUMS) > "$$tmp/before" && $(GO) generate ./... && $(GEN_SUMS) > "$$tmp/after" && \
	  if ! cmp -s "$$tmp/before" "$$tmp/after"; then \
	    echo "generated code was stale (now regenerated): these *.gen.go differ from what 'make generate' makes:" >&2; \
	    diff "$$tmp/before" "$$tmp/after" | sed -n 's/^[<>] [0-9a-f]*  */  /p' | sort -u >&2; \
	    echo "review them (git diff) and commit" >&2; exit 1; \
	  fi

## test: all tests, with the race detector; then specsync's (single-goroutine, no -race)
test:
	$(GO) test -race ./...
	$(GO) test -C $(SPECSYNC_DIR) ./...

## lint: gofmt, go vet and staticcheck on hand-written code (staticcheck skips generated files)
lint:
	@out=$$(gofmt -l $(HANDWRITTEN) $(SPECSYNC_DIR)); test -z "$$out" || { echo "gofmt would change: $$out" >&2; exit 1; }
	$(GO) vet ./...
	$(TOOL) staticcheck ./...
	$(GO) vet -C $(SPECSYNC_DIR) ./...
	sc=$$($(TOOL) -n staticcheck) && cd $(SPECSYNC_DIR) && $$sc ./...

## fuzz: run each fuzz target for FUZZTIME (default 1m); a crasher is saved under testdata/fuzz
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  echo "== $${t##*:} in $${t%%:*} for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$${t##*:}$$" -fuzztime=$(FUZZTIME) $${t%%:*}; \
	done

## bench: the benchmarks of bench/ (a module of its own), then a benchstat table with one
## column per implementation; the raw results stay in bench/results.txt
bench:
	cd bench && $(GO) test -run='^$$' -bench=. -count=$(BENCHCOUNT) -benchtime=$(BENCHTIME) . > results.txt
	cd bench && $(GO) tool benchstat -col /impl results.txt

## bench-smoke: vet the benchmarks, run bench's tests, and run each benchmark once, so that they cannot rot
bench-smoke:
	cd bench && $(GO) vet ./... && $(GO) test ./... && $(GO) test -run='^$$' -bench=. -benchtime=1x . > /dev/null

## check: everything CI runs (each fuzz target for FUZZQUICK inputs, each benchmark once).
## The generated code is checked first (it rewrites *.gen.go in place); the other checks
## are independent and run side by side (CHECK_JOBS at a time), each one's output kept
## together.
CHECK_JOBS ?= 3
check: check-generated
	$(MAKE) --no-print-directory -j$(CHECK_JOBS) --output-sync=target lint test bench-smoke fuzz-quick

## fuzz-quick: each fuzz target for a fixed number of inputs (FUZZQUICK), not a duration:
## a duration that runs out mid-input fails on a busy machine ("context deadline exceeded")
FUZZQUICK ?= 3000x
fuzz-quick:
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZQUICK)

## spec: rewrite api/openapi.yaml and api/upstream.yaml from Tailscale's whole OpenAPI document
## and api/overlay.yaml, and print what changed: make spec UPSTREAM=path/to/tailscale-openapi.yaml
## A breaking change writes nothing (specsync exits 3, make fails with 2) unless ACCEPT_BREAKING=1.
## SPEC_SELECT says which operations to keep (-tag T and -operation ID, each repeatable).
SPEC_SELECT := -tag UserInvites -tag DeviceInvites -operation listUsers -operation approveUser -operation updateUserRole -operation suspendUser -operation restoreUser -operation listTailnetDevices
spec:
	@test -n "$(UPSTREAM)" || { echo "make spec needs UPSTREAM=path/to/tailscale-openapi.yaml (how to download it: README, \"Regenerating\")" >&2; exit 2; }
	$(GO) build -C $(SPECSYNC_DIR) -o '$(CURDIR)/bin/specsync' .
	@./bin/specsync -upstream '$(UPSTREAM)' -overlay api/overlay.yaml -sdk . -out api/openapi.yaml -extraction api/upstream.yaml \
	  $(SPEC_SELECT) $(if $(filter-out 0,$(ACCEPT_BREAKING)),-accept-breaking) || { rc=$$?; \
	  test $$rc -ne 3 || printf '%s\n  %s\n' "make spec: breaking changes (see the report above), nothing written. To accept them:" \
	    "make spec UPSTREAM='$(UPSTREAM)' ACCEPT_BREAKING=1" >&2; exit $$rc; }

## demo: the CLI's commands against its in-process fake API (--fake: sample invites, no
## credentials, even if TAILSCALE_API_KEY is set; each command starts from the samples)
CLI := $(GO) run ./cmd/tsinvites --fake
demo:
	$(CLI) list -o table
	$(CLI) get 1 3 -o table
	$(CLI) create --email dana@example.com --email erin@partner.org --role admin -o table
	printf 'email,role\nfrank@example.com,auditor\ngrace@example.com,\n' | $(CLI) create --from-csv - --dry-run -o table
	$(CLI) resend 1 3 -o table
	$(CLI) delete 1 2 -o json
	$(CLI) plan -f examples/invites.yaml --prune --resend-after 48h -o table
	$(CLI) apply -f examples/invites.csv --prune --resend-after 48h --yes -o table
	$(CLI) devices list -o table
	$(CLI) shares plan -f examples/shares.csv --prune --resend-after 24h -o table

## demo-sdk: the whole life of an invite in Go (examples/quickstart), against the fake API
demo-sdk:
	$(GO) run ./examples/quickstart -fake
