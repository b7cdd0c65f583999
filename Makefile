# Jishitong — build, run and test. Every target installs what it needs when missing
# (Debian packages with apt-get, Go modules from the module proxy).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO       ?= go
BIN      := bin/jishitong
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/jishitong/jishitong/internal/app.Version=$(VERSION)
HTTP     ?= :8080
DATA     ?= ./data
# Debian packages the tests and features need, as command=package pairs.
TEST_DEBS := git=git gcc=gcc unshare=util-linux ip=iproute2

.PHONY: build run test vet unit bench race deps generate fmt clean

## deps: install missing system tools (Debian) and download Go modules
deps:
	@missing=""; for pair in $(TEST_DEBS); do \
	  cmd=$${pair%%=*}; pkg=$${pair#*=}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is required: https://go.dev/doc/install"; exit 1; }
	$(GO) mod download

## build: the single binary
build: deps
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/jishitong
	@echo "built $(BIN) ($(VERSION))"

## run: build and start with the embedded store
run: build
	@echo
	@echo "Starting Jishitong on $(HTTP) with the embedded store in $(DATA)."
	@echo "Open http://localhost:$${HTTP##*:} and sign in as $${JISHITONG_ADMIN_EMAIL:-admin@jishitong.local}."
	@echo "On the first start the admin password is JISHITONG_ADMIN_PASSWORD if you set it,"
	@echo "otherwise a generated one printed once below (look for password=)."
	@echo
	JISHITONG_HTTP=$(HTTP) JISHITONG_DATA=$(DATA) ./$(BIN) serve

## vet: static checks
vet: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

## test: vet and every test, in a loopback-only network namespace (media tests open
## real WebRTC connections; nothing may reach the machine's other addresses)
test: vet
	scripts/netns-run $(GO) test -count=1 -timeout 15m ./...

## race: the tests under the race detector (slow)
race: deps
	$(GO) test -race -count=1 -timeout 30m ./...

## bench: benchmarks (login, directory search), then the media load run: the binary
## serves on loopback in a network namespace and the load tool (5 publishers, 10
## subscribers, 20 s) prints its JSON report
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3s -timeout 30m ./...
	scripts/netns-run sh -c 'd=$$(mktemp -d); \
	  JISHITONG_ADMIN_EMAIL=bench@example.com JISHITONG_ADMIN_PASSWORD=bench-password-1 \
	    ./$(BIN) serve --http 127.0.0.1:18480 --data $$d --rtc-loopback-only --log-level warn & pid=$$!; \
	  JISHITONG_BENCH=1 JISHITONG_BENCH_URL=http://127.0.0.1:18480 JISHITONG_ADMIN_EMAIL=bench@example.com \
	    JISHITONG_ADMIN_PASSWORD=bench-password-1 $(GO) test -count=1 -v -run "^TestBench$$" -timeout 5m ./internal/loadtest; rc=$$?; \
	  kill $$pid; wait $$pid; rm -rf $$d; exit $$rc'

## generate: regenerate GraphQL code from graph/schema
generate:
	$(GO) tool gqlgen generate

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
