// Drains the RocksDB outbox to Kafka with an idempotent producer and deletes
// each record once Kafka acknowledged it (at-least-once delivery; consumers
// dedup by key = alert id). Survives restarts: whatever is still in the outbox
// is sent again.
#ifndef CENTINELA_ENGINE_PIPELINE_OUTBOX_DRAINER_H_
#define CENTINELA_ENGINE_PIPELINE_OUTBOX_DRAINER_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "connectors/kafka/kafka.h"
#include "engine/state/store.h"

namespace centinela {

// Owns one background thread and one producer. Lifetime: borrows `store`;
// call Stop() (or destroy) before closing it. Notify/Idle/delivered are
// thread-safe.
class OutboxDrainer {
 public:
  static absl::StatusOr<std::unique_ptr<OutboxDrainer>> Start(Store* store, const std::string& bootstrap,
                                                              const kafka::Config& extra = {});
  ~OutboxDrainer();

  // New records were committed: look again now.
  void Notify();
  // True when the outbox is empty and nothing is in flight.
  bool Idle() const { return idle_.load(); }
  int64_t delivered() const { return delivered_.load(); }
  int64_t failures() const { return failures_.load(); }
  // Stops after delivering what is in flight (up to `timeout_ms`).
  void Stop(int timeout_ms = 10000);

 private:
  OutboxDrainer(Store* store) : store_(store) {}
  void Loop();
  void OnDelivery(int64_t seq, const absl::Status& status);

  Store* store_;
  std::unique_ptr<kafka::Producer> producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> idle_{false};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failures_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  // Touched only on the drainer thread (delivery callbacks run in Poll there).
  int64_t cursor_ = 0;
  int64_t in_flight_ = 0;
  int64_t resend_from_ = -1;
  std::vector<int64_t> acked_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_PIPELINE_OUTBOX_DRAINER_H_
