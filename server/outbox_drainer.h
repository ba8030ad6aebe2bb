// Drains the RocksDB outbox to Kafka with an idempotent producer and deletes
// each record once Kafka acknowledged it (at-least-once delivery; consumers
// dedup by key = alert id). Survives restarts: whatever is still in the outbox
// is sent again.
//
// A record the broker refuses for good (too large, invalid, a topic it may
// not write to: kafka::ProduceError's InvalidArgument) is moved aside to the
// `outbox_parked` column family with the reason, counted, and never blocks
// the records after it; `centinela outbox` shows and retries them. Other
// failures are retried with exponential backoff (100 ms doubling to 30 s),
// and a producer that hit a fatal error is recreated.
#ifndef CENTINELA_SERVER_OUTBOX_DRAINER_H_
#define CENTINELA_SERVER_OUTBOX_DRAINER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "centinela/v1/outbox.pb.h"
#include "connectors/kafka/kafka.h"
#include "engine/state/store.h"

namespace centinela {

// For replicas (server/replica.h): whether this instance delivers now, and
// which outbox records the topics already hold, delivered by any instance.
// Thread-safe; called on the drainer thread.
class DeliveryGate {
 public:
  virtual ~DeliveryGate() = default;
  virtual bool Delivering() const = 0;
  // True when `entry.topic()` already holds `entry.key()` at a newer
  // version, or at the same version with the same digest.
  virtual bool Delivered(const v1::OutboxEntry& entry) const = 0;
};

struct OutboxDrainerOptions {
  // librdkafka properties for the producer (on top of the defaults).
  kafka::Config producer;
  // Wall clock for parked_at; tests may fix it.
  std::function<int64_t()> wall_clock_micros;
  // First and largest wait before retrying after a transient failure.
  std::chrono::milliseconds min_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  // Null: this instance always delivers. Set: it delivers only while
  // gate->Delivering(), never sends what gate->Delivered() says the topics
  // hold, and, while not delivering, deletes such records from the outbox
  // (a standby's outbox keeps only what nobody has delivered yet).
  DeliveryGate* gate = nullptr;
};

// Owns one background thread and one producer. Lifetime: borrows `store`;
// call Stop() (or destroy) before closing it. Notify, Rescan, Idle and the
// counters are thread-safe.
class OutboxDrainer {
 public:
  static absl::StatusOr<std::unique_ptr<OutboxDrainer>> Start(Store* store, const kafka::Endpoint& endpoint,
                                                              OutboxDrainerOptions options = {});
  ~OutboxDrainer();

  // New records were committed: look again now.
  void Notify();
  // Records were put back below the drainer's position (a parked record
  // retried): read the outbox again from its start.
  void Rescan();
  // True when the outbox holds nothing that can be sent: it is empty (or
  // holds only records parked meanwhile) and nothing is in flight. For a
  // standby (options.gate not delivering): its outbox is empty, everything
  // it holds having been delivered by the instance that delivers.
  bool Idle() const { return idle_.load(); }
  int64_t delivered() const { return delivered_.load(); }
  // Failed delivery attempts since start (each is retried or parked).
  int64_t failures() const { return failures_.load(); }
  // Records moved aside since the database was created.
  int64_t parked() const { return parked_.load(); }
  // Records deleted without sending because the topics already held them
  // (options.gate), since start.
  int64_t superseded() const { return superseded_.load(); }
  // Stops after delivering what is in flight, waiting at most `timeout_ms`;
  // returns how many records stay in the outbox undelivered (sent at the
  // next start).
  int64_t Stop(int timeout_ms = 10000);

 private:
  OutboxDrainer(Store* store, OutboxDrainerOptions options)
      : store_(store), options_(std::move(options)), delivering_(options_.gate == nullptr) {}
  absl::Status CreateProducer();
  void Loop();
  // Sends what the outbox holds from cursor_ on, up to the in-flight limit.
  // Returns whether it found any record.
  bool SendFrom();
  void OnDelivery(int64_t seq, const absl::Status& status);
  // Moves outbox record `seq` aside with `error` (drainer thread).
  void Park(int64_t seq, const v1::OutboxEntry& entry, absl::string_view error);
  // Deletes acknowledged records and parks refused ones (drainer thread).
  void Settle();
  void BackOff(absl::string_view why);
  // A standby's pass: deletes the records gate says are delivered; returns
  // whether the outbox is then empty.
  bool Prune();

  Store* store_;
  OutboxDrainerOptions options_;
  kafka::Endpoint endpoint_;
  std::unique_ptr<kafka::Producer> producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> idle_{false};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> parked_{0};
  std::atomic<int64_t> superseded_{0};
  std::atomic<int64_t> undelivered_at_stop_{0};
  std::atomic<int64_t> stop_deadline_{0};  // steady clock ticks; set by Stop()
  Mutex mu_;                               // wakes the loop: Await re-checks its condition whenever mu_ is released
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool rescan_ ABSL_GUARDED_BY(mu_) = false;
  // Touched only on the drainer thread (delivery callbacks run in Poll there).
  int64_t cursor_ = 0;
  int64_t in_flight_ = 0;
  int64_t resend_from_ = -1;
  bool recreate_producer_ = false;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};
  std::vector<int64_t> acked_;
  std::vector<int64_t> already_delivered_;  // by another instance (gate)
  bool delivering_;                         // drainer thread; with a gate, false until it says otherwise
  struct Refused {
    int64_t seq;
    std::string error;
  };
  std::vector<Refused> refused_;
};

}  // namespace centinela

#endif  // CENTINELA_SERVER_OUTBOX_DRAINER_H_
