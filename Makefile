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
# Debian packages of the browser tests (e2e): Chromium, and CJK fonts so that the
# Chinese interface renders in screenshots (checked with fc-list, not a command).
E2E_DEBS := chromium=chromium fc-list=fontconfig
E2E_FONT_DEB := fonts-noto-cjk

# The web app (frontend/: React + Vite) is built into web/dist, which the binary
# embeds. Node.js 20.19+ and npm are needed; npm ci runs when node_modules is
# missing or package.json / package-lock.json changed.
NPM      ?= npm
WEB_DEPS := frontend/node_modules/.installed
WEB_OUT  := web/dist/index.html
WEB_SRC  := $(shell find frontend/src frontend/public -type f -not -path 'frontend/src/gql/*' 2>/dev/null) \
            frontend/index.html frontend/vite.config.ts frontend/codegen.ts frontend/tsconfig.json \
            frontend/package.json $(wildcard graph/schema/*.graphqls)

.PHONY: build run test vet unit bench race deps generate fmt clean web web-test e2e e2e-deps node-check

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

## node-check: Node.js 20.19+ and npm for the web app
node-check:
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || { echo "Node.js 20.19+ and npm are needed to build the web app (frontend/)"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node.js 20.19+ is needed, found "+process.versions.node); process.exit(1) }'

$(WEB_DEPS): frontend/package.json frontend/package-lock.json | node-check
	cd frontend && $(NPM) ci --no-audit --no-fund
	@touch $@

$(WEB_OUT): $(WEB_DEPS) $(WEB_SRC)
	cd frontend && $(NPM) run build

## web: build the web app into web/dist (embedded by the binary)
web: $(WEB_OUT)

## build: the single binary, with the web app built first
build: deps web
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
## Then the web app's unit tests (vitest) and its browser tests (e2e). Packages run one
## at a time (-p 1): the media tests' bandwidth estimation and timing stall when the
## app tests burn both cores beside them (TestBandwidthProbingReachesTheTopLayer).
test: vet build
	scripts/netns-run $(GO) test -count=1 -p 1 -timeout 15m ./...
	$(MAKE) --no-print-directory web-test
	$(MAKE) --no-print-directory e2e

## web-test: the web app's unit tests (vitest) and type check
web-test: $(WEB_DEPS)
	cd frontend && $(NPM) run --silent typecheck && $(NPM) test --silent

## e2e-deps: Chromium and CJK fonts for the browser tests (installed when missing)
e2e-deps:
	@missing=""; for pair in $(E2E_DEBS); do \
	  cmd=$${pair%%=*}; pkg=$${pair#*=}; \
	  command -v $$cmd >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing $(E2E_FONT_DEB)"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

## e2e: the web app in Debian Chromium against the real binary on 127.0.0.1, in the
## loopback-only namespace; screenshots in frontend/e2e/artifacts/
e2e: build e2e-deps
	cd frontend && ../scripts/netns-run node --test --test-concurrency=1 --test-timeout=300000 e2e/

## race: the tests under the race detector (slow)
race: deps
	$(GO) test -race -count=1 -timeout 30m ./...

## bench: benchmarks (login, directory search), then the media load run: the binary
## serves on loopback in a network namespace, media on one UDP port as in production
## (--rtc-udp-port), and the load tool (5 publishers, 10 subscribers, 20 s) prints its
## JSON report
bench: build
	$(GO) test -run '^$$' -bench . -benchtime 3s -timeout 30m ./...
	scripts/netns-run sh -c 'd=$$(mktemp -d); \
	  JISHITONG_ADMIN_EMAIL=bench@example.com JISHITONG_ADMIN_PASSWORD=bench-password-1 \
	    ./$(BIN) serve --http 127.0.0.1:18480 --rtc-udp-port 18481 --data $$d --rtc-loopback-only --log-level warn & pid=$$!; \
	  JISHITONG_BENCH=1 JISHITONG_BENCH_URL=http://127.0.0.1:18480 JISHITONG_ADMIN_EMAIL=bench@example.com \
	    JISHITONG_ADMIN_PASSWORD=bench-password-1 $(GO) test -count=1 -v -run "^TestBench(Fanout)?$$" -timeout 5m ./internal/loadtest; rc=$$?; \
	  kill $$pid; wait $$pid; rm -rf $$d; exit $$rc'

## generate: regenerate GraphQL code from graph/schema, then everything go generate
## makes: the web app's TypeScript for /rtc, the whiteboard and the layouts, from
## their Go definitions (internal/contracts; its test fails when they drift)
generate:
	$(GO) tool gqlgen generate
	$(GO) generate ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin frontend/e2e/artifacts
	find web/dist -mindepth 1 -not -name .keep -delete 2>/dev/null || true
