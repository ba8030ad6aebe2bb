// The streaming engine: a consumer-group member on the input topic feeding the
// Processor, committing batches to RocksDB (offsets included) and draining
// the outbox to the alert and DLQ topics.
#ifndef CENTINELA_SERVER_RUNNER_H_
#define CENTINELA_SERVER_RUNNER_H_

#include <atomic>
#include <cstdio>
#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "engine/pipeline/processor.h"
#include "server/config.h"

namespace centinela {

struct RunOptions {
  // Exit 0 once every assigned partition is consumed to its end and the
  // outbox is fully delivered.
  bool until_caught_up = false;
  // When the broker does not hold the stored input positions (replaced,
  // topic recreated, data expired): record the records in between as lost
  // and consume what it has, instead of refusing to start. Always so for a
  // new embedded broker.
  bool accept_lost_input = false;
  // Print one "commit ..." line per committed batch on stdout (tests use it
  // to act at a known point of progress).
  bool log_commits = false;
  // Set from a signal handler to stop cleanly.
  std::atomic<bool>* stop = nullptr;
  // Progress line period on stderr (0 = never).
  int progress_every_ms = 2000;
  // Called after each commit with the Kafka CreateTime (ms) of every record
  // in the batch; the end-to-end benchmark measures latency with it.
  std::function<void(const std::vector<int64_t>& create_times_ms)> on_commit;
  // Called once the investigator API listens (api.listen set), with its base
  // URL ("http://127.0.0.1:8470"); benchmarks use it with api.listen port 0.
  std::function<void(const std::string& base_url)> on_api_listening;
};

struct RunSummary {
  Counters counters;
  int64_t delivered = 0;
  std::string pack_version;
};

// Runs until stopped (or caught up). Errors name what failed: config, rule
// pack, storage, broker.
absl::StatusOr<RunSummary> RunEngine(const EngineConfig& config, const RunOptions& options);

}  // namespace centinela

#endif  // CENTINELA_SERVER_RUNNER_H_
