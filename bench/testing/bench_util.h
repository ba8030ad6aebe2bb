// Shared by the benchmarks: knobs from the environment, percentiles, the
// engine's throughput from RunOptions::on_commit, and Check for the status of
// every step.
#ifndef CENTINELA_BENCH_TESTING_BENCH_UTIL_H_
#define CENTINELA_BENCH_TESTING_BENCH_UTIL_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"

namespace centinela::bench {

// A benchmark cannot go on after a failed step: prints what failed and exits 1.
inline void Check(const absl::Status& s, const char* what) {
  if (s.ok()) return;
  fprintf(stderr, "bench: %s: %s\n", what, std::string(s.message()).c_str());
  std::exit(1);
}

// An integer knob such as E2E_RECORDS=50000; `fallback` when unset or not a number.
inline int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = getenv(name);
  int64_t out;
  return v && absl::SimpleAtoi(v, &out) ? out : fallback;
}

// The p-quantile (0..1) of `v` by rank; 0 for no samples. Sorts a copy.
template <typename T>
double Percentile(std::vector<T> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return double(v[std::min(v.size() - 1, size_t(p * double(v.size())))]);
}

// Engine throughput: records per second from the first commit to the last,
// the first batch excluded, so that joining the consumer group is not counted.

// Not thread-safe: on_commit is called by the engine's one processing thread;
// read the rate after RunEngine returns. Must outlive the run.
class CommitRate {
 public:
  // For RunOptions::on_commit.
  std::function<void(const std::vector<int64_t>&)> Callback() {
    return [this](const std::vector<int64_t>& created) {
      last_ = std::chrono::steady_clock::now();
      if (after_first_ < 0) {
        first_ = last_;
        after_first_ = 0;
      } else {
        after_first_ += int64_t(created.size());
      }
    };
  }
  // Records committed after the first batch; 0 when there was at most one.
  int64_t records() const { return after_first_ < 0 ? 0 : after_first_; }
  double PerSecond() const {
    if (after_first_ <= 0) return 0;
    return double(after_first_) / std::chrono::duration<double>(last_ - first_).count();
  }

 private:
  std::chrono::steady_clock::time_point first_, last_;
  int64_t after_first_ = -1;
};

}  // namespace centinela::bench

#endif  // CENTINELA_BENCH_TESTING_BENCH_UTIL_H_
