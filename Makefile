# Tugboat: the two commands are `make test` and `make up`; everything else supports them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JEST := NODE_OPTIONS=--experimental-vm-modules pnpm exec jest

.PHONY: help setup images daemons test test-unit typecheck lint format bench up clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## install Debian packages, pnpm and npm dependencies (idempotent)
	@scripts/setup.sh

images: setup ## build the local busybox and pause images
	@scripts/images.sh

daemons: setup ## start the private Docker Engine and containerd the integration tests use
	@scripts/dockerd.sh start >/dev/null
	@if [ -x scripts/containerd.sh ]; then scripts/containerd.sh start >/dev/null; fi
	@scripts/registry.sh start >/dev/null

test: setup daemons typecheck ## install everything, then run every test (JSON results in .test-results/)
	@mkdir -p .test-results
	$(JEST) --json --outputFile=.test-results/jest.json $(JEST_ARGS)

typecheck: setup ## type-check every package, example and benchmark
	@pnpm exec tsc -p tsconfig.json --noEmit

lint: setup ## eslint (strict, type-checked) and prettier
	@pnpm exec eslint .
	@pnpm exec prettier --check .

format: setup ## rewrite files with prettier
	@pnpm exec prettier --write .

bench: setup daemons ## run the benchmarks and print their tables (see BENCHMARKS.md)
	@scripts/bench.sh

up: setup daemons ## start the private daemons, then a single-node cluster; writes .tug/kubeconfig
	@./tug up

clean: ## stop the private daemons and remove build output
	@scripts/dockerd.sh stop || true
	@if [ -x scripts/containerd.sh ]; then scripts/containerd.sh stop || true; fi
	@scripts/registry.sh stop || true
	@rm -rf .test-results .images
