// Runs the streaming engine (RunEngine) on a thread of the test, against an
// embedded broker and RocksDB on disk, with its API on 127.0.0.1 (port 0)
// and tokens "token-<user>" for rita (rule_author), sofia and tomas
// (supervisors) and ana (investigator). Tests wait on the engine's own
// progress (records committed), never on the clock.
#ifndef CENTINELA_TESTS_TESTING_ENGINE_HARNESS_H_
#define CENTINELA_TESTS_TESTING_ENGINE_HARNESS_H_

#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "api/auth.h"
#include "base/mutex.h"
#include "gtest/gtest.h"
#include "server/embedded_broker.h"
#include "server/runner.h"
#include "tests/testing/test_util.h"

namespace centinela::testing {

class EngineHarness {
 public:
  // `partitions` of the input topic on a fresh embedded cluster of
  // `brokers` brokers.
  explicit EngineHarness(int partitions, int brokers = 1) {
    config_.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
    config_.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml";
    config_.data_dir = dir_.Sub("db");
    config_.embedded_partitions = partitions;
    config_.instance = "test-instance";
    // Tests publish their input, then wait for it to be scored: a partition
    // caught up for 100 ms stops holding the event-time frontier back.
    config_.idle_timeout_ms = 100;
    auto cluster = StartEmbeddedBroker(config_, brokers);
    EXPECT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    config_.bootstrap = cluster_->bootstrap();
    config_.api_listen = "127.0.0.1:0";
    config_.api_tokens_path = dir_.Sub("tokens.yaml");
    std::ofstream t(config_.api_tokens_path);
    t << "tokens:\n";
    for (const auto& [user, role] : {std::pair{"rita", "rule_author"},
                                     {"sofia", "supervisor"},
                                     {"tomas", "supervisor"},
                                     {"ana", "investigator"}}) {
      t << "  - {user: " << user << ", role: " << role << ", sha256: " << Sha256Hex(std::string("token-") + user)
        << "}\n";
    }
  }
  ~EngineHarness() { Stop(); }

  // Starts the engine; returns once its API listens. After Stop it starts
  // again on the same broker, with config() as it is then (a new data_dir
  // and instance make it a new instance); committed() counts from 0.
  void Start() {
    stop_ = false;
    url_.clear();
    listening_ = std::make_unique<absl::Notification>();
    {
      MutexLock lock(&mu_);
      committed_ = 0;
      done_ = false;
    }
    absl::Notification* listening = listening_.get();
    thread_ = std::thread([this, listening] {
      RunOptions o;
      o.stop = &stop_;
      o.progress_every_ms = 0;
      o.on_api_listening = [this, listening](const std::string& url) {
        url_ = url;
        listening->Notify();
      };
      o.on_commit = [this](const std::vector<int64_t>& batch) {
        MutexLock lock(&mu_);
        committed_ += int64_t(batch.size());
      };
      result_ = RunEngine(config_, o);
      if (!listening->HasBeenNotified()) listening->Notify();
      MutexLock lock(&mu_);
      done_ = true;
    });
    listening->WaitForNotificationWithTimeout(absl::Seconds(60));
    ASSERT_FALSE(url_.empty()) << "engine did not start: " << result_.status();
  }

  // Waits until the engine has settled (scored, dead-lettered or found
  // duplicate) and committed at least `records` records (or it stopped, or
  // `timeout` passed); returns the count.
  int64_t WaitCommitted(int64_t records, absl::Duration timeout = absl::Seconds(240)) {
    MutexLock lock(&mu_);
    auto reached = [this, records]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return committed_ >= records || done_; };
    mu_.AwaitWithTimeout(reached, timeout);
    return committed_;
  }
  int64_t committed() {
    MutexLock lock(&mu_);
    return committed_;
  }

  // Stops the engine and joins it; its run must have succeeded.
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    EXPECT_TRUE(result_.ok()) << result_.status();
  }

  const std::string& url() const { return url_; }
  // The embedded cluster, for fault injection.
  kafka::MockCluster& cluster() { return *cluster_; }
  // The engine's result once stopped.
  const absl::StatusOr<RunSummary>& result() const { return result_; }
  EngineConfig& config() { return config_; }
  TempDir& dir() { return dir_; }

 private:
  TempDir dir_;
  EngineConfig config_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::unique_ptr<absl::Notification> listening_;
  std::string url_;
  absl::StatusOr<RunSummary> result_ = absl::UnknownError("not run");
  Mutex mu_;
  int64_t committed_ ABSL_GUARDED_BY(mu_) = 0;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_ENGINE_HARNESS_H_
