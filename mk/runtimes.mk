# make check-runtimes: the engine against real language runtimes (Go, the
# JVM, Node.js, Redis under redis-benchmark) doing work that checks
# itself, while tests/runtimes/inject attaches again and again and runs
# calls in random threads.  A runtime that is not installed is skipped,
# saying so.  Debian: golang-go default-jdk-headless nodejs redis-server
# redis-tools.  Everything is built in $(BUILD)/runtimes, offline.
# RUNTIMES_SECONDS: how long each runtime is injected (default 20).
# RUNTIMES: which of them run (default: all).

RT_BUILD  := $(BUILD)/runtimes
RUNTIMES  ?= go jvm node redis

.PHONY: check-runtimes
$(RT_BUILD)/inject: tests/runtimes/inject.c include/scremote.h $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA)

check-runtimes: $(RT_BUILD)/inject
	@tests/runtimes/run.sh $(BUILD) $(RUNTIMES)
