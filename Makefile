# Entry points for humans and CI. See README.md.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2

.PHONY: setup configure build test demo demo-stop chaos bench bench-api clean

setup:
	@scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j$(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j$(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)

demo-stop:
	@scripts/demo.sh --stop $(BUILD_DIR)

# The demo feed through one instance killed -9 at 10 random moments, checked
# against an offline backtest: prints ALL-ALERTS-MATCH (about 5 minutes).
chaos: build
	@scripts/chaos.sh $(BUILD_DIR)

bench: build
	@$(BUILD_DIR)/bench/engine/engine_bench --benchmark_min_time=0.5
	@$(BUILD_DIR)/bench/screening/screening_bench
	@$(BUILD_DIR)/bench/e2e/e2e_bench

# The investigator API over 1,000,000 alerts (about 6 minutes; API_ALERTS=N for fewer).
bench-api: build
	@$(BUILD_DIR)/bench/api/api_bench

clean:
	rm -rf $(BUILD_DIR)
