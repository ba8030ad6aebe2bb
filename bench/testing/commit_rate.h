// Engine throughput for the end-to-end benchmarks, from RunOptions::on_commit:
// records per second from the first commit to the last, the first batch
// excluded, so that joining the consumer group is not counted.
#ifndef CENTINELA_BENCH_TESTING_COMMIT_RATE_H_
#define CENTINELA_BENCH_TESTING_COMMIT_RATE_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace centinela::bench {

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

#endif  // CENTINELA_BENCH_TESTING_COMMIT_RATE_H_
