// Thin RAII wrappers over librdkafka's C API: the embedded mock cluster, a
// producer with per-message delivery callbacks, and a group consumer whose
// partition positions come from the caller (RocksDB), not from Kafka.
// librdkafka errors become absl::Status here and nowhere else.
#ifndef CENTINELA_CONNECTORS_KAFKA_KAFKA_H_
#define CENTINELA_CONNECTORS_KAFKA_KAFKA_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "librdkafka/rdkafka.h"

struct rd_kafka_mock_cluster_s;

namespace centinela::kafka {

using Config = std::map<std::string, std::string>;

// Where a client connects: the bootstrap servers and the librdkafka
// properties every client of the engine is given as they are (SASL, TLS,
// client id, timeouts; engine.yaml `kafka.properties`, docs/deployment.md).
// The properties are applied after the client's own defaults, so they
// override them; the engine's configuration refuses the few it must control
// (ReservedProperty). Implicit from a bootstrap string: a client without
// extra properties.
struct Endpoint {
  Endpoint(std::string bootstrap = {}, Config properties = {})  // NOLINT: implicit by design
      : bootstrap(std::move(bootstrap)), properties(std::move(properties)) {}
  Endpoint(const char* bootstrap) : bootstrap(bootstrap) {}  // NOLINT
  std::string bootstrap;
  Config properties;
};

// Why the engine sets property `name` itself (offsets in RocksDB,
// idempotent delivery, its own group and bootstrap settings), or empty when
// a user may set it.
absl::string_view ReservedProperty(absl::string_view name);
// Whether librdkafka accepts property `name` = `value` (its own message if not).
absl::Status CheckProperty(const std::string& name, const std::string& value);

// Kafka protocol request types, for the mock cluster's fault injection.
enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kSyncGroup = 14,
  kInitProducerId = 22,
};

// The embedded broker: librdkafka's mock cluster, speaking the Kafka protocol
// on 127.0.0.1. In memory only; see docs/kafka.md for its limits.
// Lifetime: the cluster lives as long as this object. Thread-safe.
class MockCluster {
 public:
  static absl::StatusOr<std::unique_ptr<MockCluster>> Start(int brokers = 1);
  ~MockCluster();
  const std::string& bootstrap() const { return bootstrap_; }
  absl::Status CreateTopic(const std::string& topic, int partitions);

  // Fault injection, for tests. Brokers are numbered 1..brokers.
  // A broker that is down drops its connections and accepts no new ones.
  absl::Status SetBrokerDown(int32_t broker_id);
  absl::Status SetBrokerUp(int32_t broker_id);
  // The next errors.size() requests of kind `api` (any broker) fail with
  // these errors, in order; RD_KAFKA_RESP_ERR__TRANSPORT disconnects.
  void PushRequestErrors(ApiKey api, const std::vector<rd_kafka_resp_err_t>& errors);
  // Moves the leadership of one partition (a leader change).
  absl::Status SetPartitionLeader(const std::string& topic, int32_t partition, int32_t broker_id);

 private:
  MockCluster() = default;
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_s* cluster_ = nullptr;
  std::string bootstrap_;
};

struct Header {
  std::string name;
  std::string value;
};

// An idempotent producer. `on_delivery(opaque, error)` runs inside Poll() /
// Flush() on the caller's thread; error is OK on acknowledgement, otherwise
// as ProduceError classifies it.
// Thread-safety: Produce is thread-safe; Poll/Flush from one thread.
class Producer {
 public:
  using DeliveryCallback = std::function<void(int64_t opaque, const absl::Status& error)>;
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const Endpoint& endpoint, const Config& extra,
                                                          DeliveryCallback on_delivery = nullptr);
  ~Producer();
  // partition -1 = by key hash. Queue-full is retried after serving callbacks.
  absl::Status Produce(const std::string& topic, int32_t partition, absl::string_view key, absl::string_view value,
                       const std::vector<Header>& headers = {}, int64_t opaque = 0);
  void Poll(int timeout_ms);
  absl::Status Flush(int timeout_ms);
  // Fails every queued and in-flight record now (their delivery reports say
  // so at the next Poll), so that a shutdown does not wait for the broker.
  absl::Status Purge();
  rd_kafka_t* handle() const { return rk_; }

 private:
  static void DeliveryReport(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* opaque);
  rd_kafka_t* rk_ = nullptr;
  DeliveryCallback on_delivery_;
};

// A consumed record. Borrowed views are valid until the Message is destroyed.
class Message {
 public:
  explicit Message(rd_kafka_message_t* m) : m_(m) {}
  ~Message() {
    if (m_) rd_kafka_message_destroy(m_);
  }
  Message(Message&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
  Message(const Message&) = delete;

  rd_kafka_resp_err_t error() const { return m_->err; }
  bool is_partition_eof() const { return m_->err == RD_KAFKA_RESP_ERR__PARTITION_EOF; }
  std::string error_string() const { return rd_kafka_message_errstr(m_); }
  // Valid while the message lives.
  absl::string_view topic() const { return m_->rkt ? rd_kafka_topic_name(m_->rkt) : ""; }
  int32_t partition() const { return m_->partition; }
  int64_t offset() const { return m_->offset; }
  absl::string_view payload() const {
    return m_->payload ? absl::string_view(static_cast<const char*>(m_->payload), m_->len) : absl::string_view();
  }
  absl::string_view key() const {
    return m_->key ? absl::string_view(static_cast<const char*>(m_->key), m_->key_len) : absl::string_view();
  }
  // The last value of header `name`, or empty.
  absl::string_view header(const char* name) const;
  // Producer (CreateTime) timestamp in ms, or -1.
  int64_t timestamp_ms() const;

 private:
  rd_kafka_message_t* m_;
};

// Decides where newly assigned partitions start: returns the next offset per
// partition (or RD_KAFKA_OFFSET_BEGINNING), and is told of revocations before
// they take effect, so the caller can commit first.
class PartitionListener {
 public:
  virtual ~PartitionListener() = default;
  virtual std::map<int32_t, int64_t> OnAssigned(const std::string& topic, const std::vector<int32_t>& partitions) = 0;
  virtual void OnRevoked(const std::string& topic, const std::vector<int32_t>& partitions) = 0;
  // True for a member that only wants the assignment (which partitions it
  // holds), not the records: its partitions are paused as they are assigned.
  virtual bool PauseAssigned() const { return false; }
};

// A consumer-group member with manual offset management: Kafka's committed
// offsets are never used. Lifetime: borrows `listener`. One thread.
class GroupConsumer {
 public:
  static absl::StatusOr<std::unique_ptr<GroupConsumer>> Create(const Endpoint& endpoint, const std::string& group_id,
                                                               const Config& extra, PartitionListener* listener);
  ~GroupConsumer();
  absl::Status Subscribe(const std::vector<std::string>& topics);
  // Returns nullopt on timeout.
  std::optional<Message> Poll(int timeout_ms);
  // Current assignment as (topic, partition).
  std::vector<std::pair<std::string, int32_t>> Assignment() const;
  // The number of partitions assigned (cheap; the engine thread's view).
  int assigned() const { return assigned_; }
  // The high watermark of each assigned partition as last fetched (no
  // request: librdkafka's cache; partitions not fetched yet are left out).
  std::vector<std::pair<std::pair<std::string, int32_t>, int64_t>> CachedHighWatermarks() const;
  // High watermark (offset of the next message to be written), queried.
  absl::StatusOr<int64_t> HighWatermark(const std::string& topic, int32_t partition, int timeout_ms);
  // Leaves the group (revoking the assignment through the listener) within
  // `timeout_ms`; DeadlineExceeded when the broker did not let it finish:
  // then the handle is destroyed without waiting further, and the group
  // moves the partitions after its session timeout.
  absl::Status Close(int timeout_ms = 30000);

 private:
  static void Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts, void* opaque);
  rd_kafka_t* rk_ = nullptr;
  PartitionListener* listener_ = nullptr;
  bool closed_ = false;
  bool closed_cleanly_ = true;
  int assigned_ = 0;
};

// Asks the cluster for its metadata every `interval` on a thread of its
// own, so that readiness can tell whether the brokers answer.
// Lifetime: owns its handle and thread; the destructor stops both.
// Thread-safe.
class BrokerProbe {
 public:
  static absl::StatusOr<std::unique_ptr<BrokerProbe>> Start(const Endpoint& endpoint, const Config& extra,
                                                            std::chrono::milliseconds interval);
  ~BrokerProbe();
  // OK when the last probe was answered; Unavailable naming the bootstrap
  // and librdkafka's reason otherwise (also before the first answer).
  absl::Status status() const;

 private:
  BrokerProbe() = default;
  void Loop(std::chrono::milliseconds interval);
  rd_kafka_t* rk_ = nullptr;
  std::string bootstrap_;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                                               // guarded by mu_
  absl::Status status_ = absl::UnavailableError("not probed yet");  // guarded by mu_
};

// Reads chosen partitions of one topic from chosen offsets, outside any
// consumer group: nothing is committed and no group rebalances, so it never
// disturbs the engine's group. Used for the rule control topic (every
// instance reads all of it) and by backtests over a topic.
// One thread. Lifetime: owns its handle.
class PartitionReader {
 public:
  // Reads nothing until Assign.
  static absl::StatusOr<std::unique_ptr<PartitionReader>> Create(const Endpoint& endpoint, const std::string& topic);
  // `start`: partition -> first offset (RD_KAFKA_OFFSET_BEGINNING allowed).
  absl::Status Assign(const std::map<int32_t, int64_t>& start);
  ~PartitionReader();
  // Partition count of `topic`, from the cluster's metadata; NotFound when
  // the topic does not exist.
  static absl::StatusOr<int> PartitionCount(const Endpoint& endpoint, const std::string& topic, int timeout_ms);
  // Returns nullopt on timeout. End-of-partition events come as messages
  // with is_partition_eof().
  std::optional<Message> Poll(int timeout_ms);
  absl::StatusOr<int64_t> HighWatermark(int32_t partition, int timeout_ms);

 private:
  PartitionReader() = default;
  rd_kafka_t* rk_ = nullptr;
  std::string topic_;
};

// Reads `topics` from the beginning with a fresh member of `group_id` and
// calls `on_record` for every record, until every assigned partition has
// reached its end. Returns the number of records, or DeadlineExceeded when
// the end is not reached within `timeout_ms`.
absl::StatusOr<int64_t> ReadTopicsToEnd(const Endpoint& endpoint, const std::vector<std::string>& topics,
                                        const std::string& group_id, int timeout_ms,
                                        const std::function<void(const Message&)>& on_record);

absl::Status KafkaError(rd_kafka_resp_err_t err, absl::string_view what);

// The cluster's id (Kafka's cluster UUID; the embedded broker's is not
// unique), asked of the cluster.
absl::StatusOr<std::string> ClusterId(const Endpoint& endpoint, int timeout_ms);

// The low and high watermarks of `partitions` of `topic`, asked of the
// cluster; partitions the topic does not have are left out (a topic that
// does not exist has none).
absl::StatusOr<std::map<int32_t, std::pair<int64_t, int64_t>>> QueryWatermarks(const Endpoint& endpoint,
                                                                               const std::string& topic,
                                                                               const std::vector<int32_t>& partitions,
                                                                               int timeout_ms);

// A failure to produce one record, by what the caller should do about it:
//  - InvalidArgument: the broker (or the client's own limits) refuses this
//    record for good: too large, invalid, a topic it may not write to.
//    Sending it again gives the same answer.
//  - Aborted: the idempotent producer hit a fatal error and must be
//    recreated; the record itself may be fine.
//  - Unavailable: anything else (broker down, timeouts, leader changes, a
//    topic not created yet): retry later.
absl::Status ProduceError(rd_kafka_resp_err_t err, absl::string_view what);

}  // namespace centinela::kafka

#endif  // CENTINELA_CONNECTORS_KAFKA_KAFKA_H_
