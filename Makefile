# coretraffic — build, run, test, benchmark, fuzz.
# `make run` serves Corefile.example on 127.0.0.1:1053; `make test` is the whole suite
# (what .ci/run calls).

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS   := -X main.version=$(VERSION) -X github.com/coredns/coredns/coremain.GitCommit=$(COMMIT)
STOCK     := bin/coredns-stock
# kube-apiserver v1.37.2 (the Kubernetes of CoreDNS v1.15.0's client-go) for the tests
# that run a real control plane (internal/kubetest); image written by `make image`.
KUBE_APISERVER := bin/kube-apiserver
KUBE_VERSION   := $(shell awk '$$1=="k8s.io/kubernetes"{print $$2}' tools/kube-apiserver/go.mod)
KUBE_SEMVER    := $(subst ., ,$(patsubst v%,%,$(KUBE_VERSION)))
KUBE_LDFLAGS   := -s -w -X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=$(word 1,$(KUBE_SEMVER)) \
	-X k8s.io/component-base/version.gitMinor=$(word 2,$(KUBE_SEMVER))
IMAGE_DIR      := bin/image
IMAGE_TAR      := bin/coredns-image.tar
IMAGE_REF      ?= coretraffic/coredns:$(VERSION)
# Packages that start goroutines run again under the race detector.
RACE_PKGS := ./geo/... ./healthcheck/... ./policy/... ./plugin/... ./internal/... ./route53/... ./store/...
FUZZTIME  ?= 10s
BENCHTIME ?= 1s

# Debian packages the tests and benchmarks call: command -> package. Full paths: the
# image's pip-installed aws-cli v1 is first on PATH, the tests drive Debian's v2.
DEB_TOOLS := /usr/bin/kdig:knot-dnsutils /usr/bin/dig:bind9-dnsutils /usr/bin/dnsperf:dnsperf /usr/bin/aws:awscli /usr/bin/etcd:etcd-server \
             /usr/bin/chromium:chromium /usr/sbin/runc:runc

.PHONY: build run test test-unit test-race test-k8s bench fuzz lint deps clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o coredns ./build

# The demo's pretend servers run beside coredns and stop with it.
run: build
	$(GO) build -o bin/demo-endpoints ./demo/endpoints
	@bin/demo-endpoints & pid=$$!; trap "kill $$pid 2>/dev/null" EXIT INT TERM; ./coredns -conf Corefile.example

# Stock CoreDNS v1.15.0 from this module's graph, for the drop-in comparison. A file
# target: rebuilt only when the dependencies change.
$(STOCK): go.mod go.sum
	$(GO) build -o $@ github.com/coredns/coredns

# kube-apiserver from the module proxy through the wrapper module tools/kube-apiserver
# (k8s.io/kubernetes cannot be a plain dependency). A file target like $(STOCK): the
# cold build is long (see README, Kubernetes), so only a dependency change rebuilds it.
$(KUBE_APISERVER): tools/kube-apiserver/go.mod tools/kube-apiserver/go.sum
	cd tools/kube-apiserver && $(GO) build -ldflags '$(KUBE_LDFLAGS)' -o $(CURDIR)/$@ k8s.io/kubernetes/cmd/kube-apiserver

# The container image, without Docker (tools/image, go-containerregistry): the static
# binary at /coredns with cap_net_bind_service, user 65532, entrypoint as the official
# coredns image. Writes an OCI layout ($(IMAGE_DIR)) and a tarball ($(IMAGE_TAR)) for
# `docker load`, `ctr images import` or `kind load image-archive`.
.PHONY: image
image:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/coredns-static ./build
	cd tools/image && $(GO) run . -bin $(CURDIR)/bin/coredns-static -out $(CURDIR)/$(IMAGE_DIR) -tar $(CURDIR)/$(IMAGE_TAR) -ref $(IMAGE_REF)

test: deps build $(STOCK) lint test-unit test-race

test-unit:
	CORETRAFFIC_BIN=$(CURDIR)/coredns STOCK_COREDNS_BIN=$(CURDIR)/$(STOCK) CORETRAFFIC_REQUIRE_ETCD=1 \
		CORETRAFFIC_REQUIRE_CHROMIUM=1 $(GO) test -count=1 -timeout 20m ./...

test-race:
	CORETRAFFIC_REQUIRE_ETCD=1 $(GO) test -race -count=1 -timeout 8m $(RACE_PKGS)

# The tests that need a real control plane (internal/kubetest: etcd + kube-apiserver)
# and the image: kubeadm's Corefile side by side with stock, the manifests and the Helm
# render applied, the kubernetes checks through an apiserver restart, the image opened
# and its binary run. Apart from `make test` because the cold kube-apiserver
# build alone takes ~25 min on the shared CI machine (then it is cached in bin/); the
# tests take ~1 min. `make test` skips them while bin/kube-apiserver is missing and
# runs them once it exists. .ci/run calls both.
test-k8s: deps build $(STOCK) $(KUBE_APISERVER) image
	CORETRAFFIC_BIN=$(CURDIR)/coredns STOCK_COREDNS_BIN=$(CURDIR)/$(STOCK) KUBE_APISERVER_BIN=$(CURDIR)/$(KUBE_APISERVER) \
		CORETRAFFIC_REQUIRE_K8S=1 CORETRAFFIC_REQUIRE_ETCD=1 \
		$(GO) test -count=1 -timeout 15m -run 'Kube|^TestCluster$$' ./internal/kubetest/... ./test/...
	KUBE_APISERVER_BIN=$(CURDIR)/$(KUBE_APISERVER) CORETRAFFIC_REQUIRE_K8S=1 CORETRAFFIC_REQUIRE_ETCD=1 \
		$(GO) test -count=1 -timeout 5m -run 'APIServer' ./healthcheck/kube/...
	cd tools/image && CORETRAFFIC_IMAGE=$(CURDIR)/$(IMAGE_DIR) CORETRAFFIC_REQUIRE_IMAGE=1 $(GO) test -count=1 ./...
	cd tools/helm && $(GO) test -count=1 ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./geo/... ./healthcheck/... ./policy/... ./plugin/...

# Scale benchmark of the real ./coredns (bench/scale/README.md): 1k/100k/1M policy record
# sets (load time, RSS, dnsperf), 100/1k/10k health checks (CPU, RSS), reload of 100k
# records under query load. 15-25 min on a shared 2-core VM; flags in SCALE_FLAGS. Not part of `make test`.
.PHONY: bench-scale
bench-scale: deps build
	@/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || { sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; echo "installing: python3-matplotlib"; $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq python3-matplotlib; }
	bench/scale/run.sh $(SCALE_FLAGS)

# Failover timing on the wire (bench/failover/README.md): an endpoint process killed (and
# stopped) under query load, 20 trials each, against interval x fall + timeout. About 6 min;
# flags in FAILOVER_FLAGS. Not part of `make test`.
.PHONY: bench-failover
bench-failover: build
	@/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || { sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; echo "installing: python3-matplotlib"; $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq python3-matplotlib; }
	bench/failover/run.sh $(FAILOVER_FLAGS)

# Route 53 API benchmark (bench/api/README.md): a 100,000-record-set zone loaded through
# the API; UPSERT → answered latency under query load, sustained batches per second, and
# queries per CPU-second against the same zone from YAML. About 3 min; flags in
# BENCH_API_ARGS. Not part of `make test`.
.PHONY: bench-api
BENCH_API_ARGS ?=
bench-api: deps build
	$(GO) run ./bench/api -bin ./coredns $(BENCH_API_ARGS)

# The console's browser test (test/console_browser_test.go) in headless chromium, saving
# a screenshot of each view into docs/console/ for the README. About 30 s.
.PHONY: console-screenshots
console-screenshots: deps build
	CORETRAFFIC_BIN=$(CURDIR)/coredns CORETRAFFIC_REQUIRE_CHROMIUM=1 CORETRAFFIC_CONSOLE_SCREENSHOTS=$(CURDIR)/docs/console \
		$(GO) test -count=1 -run '^TestConsoleBrowser$$' -v ./test/

# Several replicas (bench/replicas/README.md): 3 coretraffic processes on a 3-member etcd,
# a 10,000-record-set zone loaded through the API, query load on all three; API 200 →
# answered by every replica and → INSYNC (p50/p99/max), sustained batches per second.
# A few minutes; SETS, UPSERTS, SUSTAIN_SECONDS, WORKERS, QPS override. Not part of `make test`.
.PHONY: bench-replicas soak-replicas
bench-replicas: deps build
	CORETRAFFIC_BIN=$(CURDIR)/coredns CORETRAFFIC_REQUIRE_ETCD=1 BENCH_REPLICAS=1 \
		$(GO) test -count=1 -run '^TestBenchReplicas$$' -v -timeout 30m ./bench/replicas

# Soak of the same set-up: SOAK_MINUTES of random SIGKILLs of etcd members (sometimes two:
# no quorum) and replicas under writes and queries; reports batches acknowledged vs
# present, DNS failures, divergence windows. Not part of `make test`.
SOAK_MINUTES ?= 5
soak-replicas: deps build
	CORETRAFFIC_BIN=$(CURDIR)/coredns CORETRAFFIC_REQUIRE_ETCD=1 SOAK_MINUTES=$(SOAK_MINUTES) \
		$(GO) test -count=1 -run '^TestSoakReplicas$$' -v -timeout 0 ./bench/replicas

# Every native fuzz target, FUZZTIME each.
fuzz:
	@set -e; for dir in $$(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do \
		for f in $$(grep -h '^func Fuzz' $$dir/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
			echo "== $$dir $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) $$dir; \
		done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Install the Debian packages behind DEB_TOOLS that are missing (CI starts bare).
deps:
	@missing=""; for pair in $(DEB_TOOLS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf coredns bin

# End-to-end dnsperf benchmark (bench/dns/README.md): coretraffic policy vs file, geo
# overhead, and the same names from stock CoreDNS (view+geoip GSLB), gdnsd 3.8 and
# PowerDNS 4.7 LUA, each server its own process on one core. Installs the missing Debian
# packages first (bench/dns/deps.sh). Full: 5 rounds x 8 s (10-15 min); quick: 3 x 5 s.
# BENCH_DNS_ARGS: more options, e.g. "--port 6451" when another run holds 5451-5461.
# Not part of `make test`.
.PHONY: bench-dns bench-dns-quick
BENCH_DNS_ARGS ?=
bench-dns: build
	bench/dns/deps.sh
	bench/dns/run.sh $(BENCH_DNS_ARGS)

bench-dns-quick: build
	bench/dns/deps.sh
	bench/dns/run.sh --quick $(BENCH_DNS_ARGS)
