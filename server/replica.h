// Replicas: several engine instances over the same input, one of them
// delivering (docs/instances.md).
//
// Every instance scores the whole input into its own RocksDB (its own
// consumer group, so it is assigned every input partition), so every
// instance holds the same state and the same alerts: exact whatever the
// number of instances, and nothing moves when one dies. Which instance
// delivers is decided by Kafka's group membership: the instances also join
// consumer group `engine.group_id` on the input topic without reading it
// (their partitions paused), and the member assigned partition 0 delivers.
// When it dies or leaves, the group gives partition 0 to another member
// (after the session timeout for a kill -9), which first reads the alert and
// DLQ topics to their current end and then delivers what they do not hold
// yet, in its outbox's order. Meanwhile every instance reads those topics
// and deletes from its own outbox what they already hold (same key, and the
// same version and digest or a newer version: v1::OutboxEntry), so that a
// standby's outbox holds only what is not delivered yet.
//
// Lifetime: owns a consumer-group member, one reader per delivery topic and
// a thread; the destructor leaves the group. Thread-safe.
#ifndef CENTINELA_SERVER_REPLICA_H_
#define CENTINELA_SERVER_REPLICA_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "connectors/kafka/kafka.h"
#include "server/outbox_drainer.h"

namespace centinela {

struct ReplicaOptions {
  // The group whose member holding partition 0 of `input_topic` delivers.
  std::string group;
  std::string input_topic;
  // The topics the outbox writes to (alerts, dead letters).
  std::vector<std::string> delivery_topics;
  // This instance's name, in the log lines.
  std::string instance;
};

class Replica : public DeliveryGate {
 public:
  static absl::StatusOr<std::unique_ptr<Replica>> Start(const kafka::Endpoint& endpoint, ReplicaOptions options);
  ~Replica() override;

  // This instance holds partition 0 and has read the delivery topics to
  // where they ended when it got it.
  bool Delivering() const override { return delivering_.load(); }
  // This instance holds partition 0: it delivers, or will once it has read
  // the delivery topics (a shutdown waits for that, within its bound).
  bool HoldsDelivery() const { return holds_.load(); }
  bool Delivered(const v1::OutboxEntry& entry) const override;
  // Stops reading and leaves the group within `timeout_ms` (the role then
  // moves at once, not after the session timeout); Delivering() is false
  // from then on. The destructor does it if not done.
  absl::Status Leave(int timeout_ms);

 private:
  class Membership;
  struct Reader {
    std::string topic;
    int partitions = 0;
    std::unique_ptr<kafka::PartitionReader> reader;
    std::map<int32_t, int64_t> position;  // next offset to read, per partition (reader thread)
  };
  struct Seen {
    int64_t version = 0;
    std::string digest;
  };
  Replica() = default;
  void Loop();
  // Reads what the readers have now; returns how many records.
  int ReadAvailable();
  // The high watermarks of every delivery partition, queried.
  absl::StatusOr<std::map<std::pair<size_t, int32_t>, int64_t>> QueryEnds();
  bool ReachedEnds() const;

  ReplicaOptions options_;
  kafka::Endpoint endpoint_;
  std::unique_ptr<Membership> membership_;
  std::unique_ptr<kafka::GroupConsumer> member_;
  std::vector<Reader> readers_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> delivering_{false};
  std::atomic<bool> holds_{false};
  std::atomic<int64_t> records_read_{0};
  // Reader thread only: the ends to reach before delivering, once partition
  // 0 is held.
  bool catching_up_ = false;
  std::map<std::pair<size_t, int32_t>, int64_t> ends_;
  mutable Mutex mu_;
  absl::flat_hash_map<std::string, Seen> seen_ ABSL_GUARDED_BY(mu_);  // topic '\0' key
  absl::Status error_ ABSL_GUARDED_BY(mu_);                           // the last reader error, said once
};

}  // namespace centinela

#endif  // CENTINELA_SERVER_REPLICA_H_
