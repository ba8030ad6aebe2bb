#include "connectors/kafka/kafka.h"

#include <chrono>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "librdkafka/rdkafka_mock.h"

namespace centinela::kafka {
namespace {

// The client's own `values`, the endpoint's bootstrap servers, then the
// endpoint's properties over them.
absl::StatusOr<rd_kafka_conf_t*> MakeConf(const Endpoint& endpoint, const Config& values) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v, absl::string_view origin) -> absl::Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return absl::InvalidArgumentError(absl::StrCat(origin, k, "=", v, ": ", err));
    }
    return absl::OkStatus();
  };
  for (const auto& [k, v] : values) {
    if (absl::Status s = set(k, v, "kafka config "); !s.ok()) return s;
  }
  if (!endpoint.bootstrap.empty()) {
    if (absl::Status s = set("bootstrap.servers", endpoint.bootstrap, "kafka config "); !s.ok()) return s;
  }
  for (const auto& [k, v] : endpoint.properties) {
    if (absl::Status s = set(k, v, "kafka.properties: "); !s.ok()) return s;
  }
  return conf;
}

// Silences librdkafka's own stderr logging below warnings.
void QuietLogger(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  if (level <= 4) fprintf(stderr, "kafka: %s: %s\n", fac, buf);
}

// Creates a client handle from `values`; `customize` installs callbacks.
absl::StatusOr<rd_kafka_t*> NewHandle(rd_kafka_type_t type, const Endpoint& endpoint, const Config& values,
                                      void* opaque, const std::function<void(rd_kafka_conf_t*)>& customize,
                                      absl::string_view what) {
  auto conf = MakeConf(endpoint, values);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(*conf, opaque);
  rd_kafka_conf_set_log_cb(*conf, QuietLogger);
  if (customize) customize(*conf);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, *conf, err, sizeof(err));  // takes the conf on success
  if (!rk) {
    rd_kafka_conf_destroy(*conf);
    return absl::InvalidArgumentError(absl::StrCat(what, ": ", err));
  }
  return rk;
}

}  // namespace

absl::Status KafkaError(rd_kafka_resp_err_t err, absl::string_view what) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(what, ": kafka: ", rd_kafka_err2str(err)));
}

absl::Status ProduceError(rd_kafka_resp_err_t err, absl::string_view what) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::OkStatus();
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
      return absl::InvalidArgumentError(absl::StrCat(what, ": kafka: ", rd_kafka_err2str(err), " (refused for good)"));
    case RD_KAFKA_RESP_ERR__FATAL:
      return absl::AbortedError(
          absl::StrCat(what, ": kafka: ", rd_kafka_err2str(err), " (producer must be recreated)"));
    default:
      return absl::UnavailableError(absl::StrCat(what, ": kafka: ", rd_kafka_err2str(err)));
  }
}

absl::string_view ReservedProperty(absl::string_view name) {
  static const auto* reserved = new std::map<std::string, std::string, std::less<>>{
      {"bootstrap.servers", "set kafka.bootstrap instead"},
      {"metadata.broker.list", "set kafka.bootstrap instead"},
      {"group.id", "set kafka.group_id instead"},
      {"enable.auto.commit", "the engine keeps its input offsets in RocksDB, in the batch that applies the records"},
      {"enable.auto.offset.store", "the engine keeps its input offsets in RocksDB"},
      {"auto.offset.reset", "a stored offset out of range is reported, never guessed (--accept-lost-input)"},
      {"enable.partition.eof", "the engine tells caught-up and idle partitions by it"},
      {"enable.idempotence", "alert delivery is idempotent (key = alert id, retried until acknowledged)"},
      {"acks", "an alert counts as delivered once every in-sync replica has it"},
  };
  auto it = reserved->find(name);
  return it == reserved->end() ? absl::string_view() : absl::string_view(it->second);
}

absl::Status CheckProperty(const std::string& name, const std::string& value) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  const rd_kafka_conf_res_t res = rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof(err));
  rd_kafka_conf_destroy(conf);
  if (res != RD_KAFKA_CONF_OK) return absl::InvalidArgumentError(err);
  return absl::OkStatus();
}

// ---------------------------------------------------------------- MockCluster

absl::StatusOr<std::unique_ptr<MockCluster>> MockCluster::Start(int brokers) {
  auto rk = NewHandle(RD_KAFKA_PRODUCER, Endpoint{}, {{"client.id", "centinela-broker"}}, nullptr, nullptr,
                      "embedded broker");
  if (!rk.ok()) return rk.status();
  std::unique_ptr<MockCluster> m(new MockCluster);
  m->handle_ = *rk;
  m->cluster_ = rd_kafka_mock_cluster_new(m->handle_, brokers);
  if (!m->cluster_) return absl::InternalError("embedded broker: rd_kafka_mock_cluster_new failed");
  m->bootstrap_ = rd_kafka_mock_cluster_bootstraps(m->cluster_);
  return m;
}

MockCluster::~MockCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
  if (handle_) rd_kafka_destroy(handle_);
}

absl::Status MockCluster::CreateTopic(const std::string& topic, int partitions) {
  return KafkaError(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1),
                    absl::StrCat("creating topic ", topic));
}

absl::Status MockCluster::SetBrokerDown(int32_t broker_id) {
  return KafkaError(rd_kafka_mock_broker_set_down(cluster_, broker_id),
                    absl::StrCat("setting broker ", broker_id, " down"));
}

absl::Status MockCluster::SetBrokerUp(int32_t broker_id) {
  return KafkaError(rd_kafka_mock_broker_set_up(cluster_, broker_id),
                    absl::StrCat("setting broker ", broker_id, " up"));
}

void MockCluster::PushRequestErrors(ApiKey api, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, int16_t(api), errors.size(), errors.data());
}

absl::Status MockCluster::SetPartitionLeader(const std::string& topic, int32_t partition, int32_t broker_id) {
  return KafkaError(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker_id),
                    absl::StrCat("moving the leader of ", topic, "/", partition, " to broker ", broker_id));
}

// ---------------------------------------------------------------- Producer

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const Endpoint& endpoint, const Config& extra,
                                                           DeliveryCallback on_delivery) {
  Config values = {{"enable.idempotence", "true"},
                   {"acks", "all"},
                   {"linger.ms", "5"},
                   {"batch.num.messages", "10000"},
                   {"queue.buffering.max.messages", "200000"},
                   {"message.timeout.ms", "60000"}};
  for (const auto& [k, v] : extra) values[k] = v;
  std::unique_ptr<Producer> p(new Producer);
  p->on_delivery_ = std::move(on_delivery);
  auto rk = NewHandle(
      RD_KAFKA_PRODUCER, endpoint, values, p.get(),
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_dr_msg_cb(conf, &Producer::DeliveryReport); }, "kafka producer");
  if (!rk.ok()) return rk.status();
  p->rk_ = *rk;
  return p;
}

Producer::~Producer() {
  if (rk_) {
    // Best effort: callers that must know flush (or purge) themselves first.
    if (rd_kafka_flush(rk_, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "kafka: producer closed with %d record(s) not acknowledged\n", rd_kafka_outq_len(rk_));
    }
    rd_kafka_destroy(rk_);
  }
}

void Producer::DeliveryReport(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (!self->on_delivery_) return;
  self->on_delivery_(reinterpret_cast<int64_t>(msg->_private),
                     ProduceError(msg->err, absl::StrCat("delivery to ", rd_kafka_topic_name(msg->rkt))));
}

absl::Status Producer::Produce(const std::string& topic, int32_t partition, absl::string_view key,
                               absl::string_view value, const std::vector<Header>& headers, int64_t opaque) {
  while (true) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!headers.empty()) {
      hdrs = rd_kafka_headers_new(headers.size());
      for (const Header& h : headers) {
        rd_kafka_header_add(hdrs, h.name.data(), ssize_t(h.name.size()), h.value.data(), ssize_t(h.value.size()));
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(opaque)), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return absl::OkStatus();
    if (hdrs) rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return ProduceError(err, absl::StrCat("producing to ", topic));
    rd_kafka_poll(rk_, 50);  // serve delivery reports to make room
  }
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(rk_, timeout_ms); }

absl::Status Producer::Purge() {
  return KafkaError(rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT), "purging the producer");
}

absl::Status Producer::Flush(int timeout_ms) {
  return KafkaError(rd_kafka_flush(rk_, timeout_ms), "flushing producer");
}

// ---------------------------------------------------------------- Message

absl::string_view Message::header(const char* name) const {
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m_, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const void* value = nullptr;
  size_t size = 0;
  if (rd_kafka_header_get_last(hdrs, name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR || !value) return {};
  return absl::string_view(static_cast<const char*>(value), size);
}

int64_t Message::timestamp_ms() const {
  rd_kafka_timestamp_type_t type;
  return rd_kafka_message_timestamp(m_, &type);
}

// ---------------------------------------------------------------- GroupConsumer

absl::StatusOr<std::unique_ptr<GroupConsumer>> GroupConsumer::Create(const Endpoint& endpoint,
                                                                     const std::string& group_id, const Config& extra,
                                                                     PartitionListener* listener) {
  Config values = {{"group.id", group_id},
                   {"enable.auto.commit", "false"},
                   {"enable.auto.offset.store", "false"},
                   {"enable.partition.eof", "true"},
                   // Positions come from the caller (new partitions start at the beginning
                   // explicitly); a stored offset out of range must not be guessed.
                   {"auto.offset.reset", "error"},
                   {"fetch.wait.max.ms", "10"},
                   {"session.timeout.ms", "6000"},
                   {"heartbeat.interval.ms", "500"}};
  for (const auto& [k, v] : extra) values[k] = v;
  std::unique_ptr<GroupConsumer> c(new GroupConsumer);
  c->listener_ = listener;
  auto rk = NewHandle(
      RD_KAFKA_CONSUMER, endpoint, values, c.get(),
      [](rd_kafka_conf_t* conf) { rd_kafka_conf_set_rebalance_cb(conf, &GroupConsumer::Rebalance); }, "kafka consumer");
  if (!rk.ok()) return rk.status();
  c->rk_ = *rk;
  rd_kafka_poll_set_consumer(c->rk_);
  return c;
}

GroupConsumer::~GroupConsumer() {
  if (!rk_) return;
  if (!closed_) {
    if (absl::Status s = Close(); !s.ok()) fprintf(stderr, "kafka: %s\n", std::string(s.message()).c_str());
  }
  if (closed_cleanly_) {
    rd_kafka_destroy(rk_);
  } else {
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }
}

absl::Status GroupConsumer::Close(int timeout_ms) {
  if (!rk_ || closed_) return absl::OkStatus();
  closed_ = true;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  rd_kafka_queue_t* queue = rd_kafka_queue_get_consumer(rk_);
  if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk_, queue)) {
    const std::string why = rd_kafka_error_string(error);
    rd_kafka_error_destroy(error);
    rd_kafka_queue_destroy(queue);
    closed_cleanly_ = false;
    return absl::UnavailableError(absl::StrCat("closing the consumer: ", why));
  }
  // Serve the revocation (rebalance callback) while the group is left.
  while (!rd_kafka_consumer_closed(rk_) && std::chrono::steady_clock::now() < deadline) {
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50)) rd_kafka_message_destroy(m);
  }
  rd_kafka_queue_destroy(queue);
  if (!rd_kafka_consumer_closed(rk_)) {
    closed_cleanly_ = false;
    return absl::DeadlineExceededError(
        absl::StrCat("the consumer did not leave its group within ", timeout_ms,
                     " ms (the broker does not answer); its partitions move after the group's session timeout"));
  }
  return absl::OkStatus();
}

void GroupConsumer::Rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                              void* opaque) {
  auto* self = static_cast<GroupConsumer*>(opaque);
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (int i = 0; i < parts->cnt; ++i) by_topic[parts->elems[i].topic].push_back(parts->elems[i].partition);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (const auto& [topic, partitions] : by_topic) {
      const std::map<int32_t, int64_t> start = self->listener_->OnAssigned(topic, partitions);
      for (int i = 0; i < parts->cnt; ++i) {
        if (topic != parts->elems[i].topic) continue;
        auto it = start.find(parts->elems[i].partition);
        parts->elems[i].offset = it == start.end() ? RD_KAFKA_OFFSET_BEGINNING : it->second;
      }
    }
    if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "kafka: assigning partitions: %s\n", rd_kafka_err2str(e));
    } else {
      self->assigned_ = parts->cnt;
      if (self->listener_->PauseAssigned()) {
        if (rd_kafka_resp_err_t p = rd_kafka_pause_partitions(rk, parts); p != RD_KAFKA_RESP_ERR_NO_ERROR) {
          fprintf(stderr, "kafka: pausing partitions: %s\n", rd_kafka_err2str(p));
        }
      }
    }
  } else {
    for (const auto& [topic, partitions] : by_topic) self->listener_->OnRevoked(topic, partitions);
    self->assigned_ = 0;
    if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, nullptr); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      fprintf(stderr, "kafka: revoking partitions: %s\n", rd_kafka_err2str(e));
    }
  }
}

absl::Status GroupConsumer::Subscribe(const std::vector<std::string>& topics) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(int(topics.size()));
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
  return KafkaError(err, "subscribing");
}

std::optional<Message> GroupConsumer::Poll(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout_ms);
  if (!m) return std::nullopt;
  return Message(m);
}

std::vector<std::pair<std::string, int32_t>> GroupConsumer::Assignment() const {
  std::vector<std::pair<std::string, int32_t>> out;
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk_, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || !list) return out;
  for (int i = 0; i < list->cnt; ++i) out.emplace_back(list->elems[i].topic, list->elems[i].partition);
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

std::vector<std::pair<std::pair<std::string, int32_t>, int64_t>> GroupConsumer::CachedHighWatermarks() const {
  std::vector<std::pair<std::pair<std::string, int32_t>, int64_t>> out;
  for (const auto& tp : Assignment()) {
    int64_t low = -1, high = -1;
    if (rd_kafka_get_watermark_offsets(rk_, tp.first.c_str(), tp.second, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        high >= 0) {
      out.push_back({tp, high});
    }
  }
  return out;
}

absl::StatusOr<int64_t> GroupConsumer::HighWatermark(const std::string& topic, int32_t partition, int timeout_ms) {
  int64_t lo = 0, hi = 0;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_, topic.c_str(), partition, &lo, &hi, timeout_ms);
  if (err) return KafkaError(err, absl::StrCat("watermarks of ", topic, "/", partition));
  return hi;
}

// ---------------------------------------------------------------- BrokerProbe

absl::StatusOr<std::unique_ptr<BrokerProbe>> BrokerProbe::Start(const Endpoint& endpoint, const Config& extra,
                                                                std::chrono::milliseconds interval) {
  Config values;
  for (const auto& [k, v] : extra) values[k] = v;
  std::unique_ptr<BrokerProbe> p(new BrokerProbe);
  p->bootstrap_ = endpoint.bootstrap;
  auto rk = NewHandle(RD_KAFKA_PRODUCER, endpoint, values, nullptr, nullptr, "kafka broker probe");
  if (!rk.ok()) return rk.status();
  p->rk_ = *rk;
  BrokerProbe* self = p.get();
  p->thread_ = std::thread([self, interval] { self->Loop(interval); });
  return p;
}

BrokerProbe::~BrokerProbe() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (rk_) rd_kafka_destroy(rk_);
}

absl::Status BrokerProbe::status() const {
  std::lock_guard<std::mutex> l(mu_);
  return status_;
}

void BrokerProbe::Loop(std::chrono::milliseconds interval) {
  const int timeout_ms = int(std::min<int64_t>(interval.count(), 2000));
  while (true) {
    // Brokers only (no topic): the cheapest request every broker answers.
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 0, nullptr, &md, timeout_ms);
    if (md) rd_kafka_metadata_destroy(md);
    std::unique_lock<std::mutex> l(mu_);
    status_ =
        err == RD_KAFKA_RESP_ERR_NO_ERROR
            ? absl::OkStatus()
            : absl::UnavailableError(absl::StrCat("broker ", bootstrap_, " does not answer: ", rd_kafka_err2str(err)));
    if (cv_.wait_for(l, interval, [this] { return stop_; })) return;
  }
}

// ---------------------------------------------------------------- PartitionReader

absl::StatusOr<std::unique_ptr<PartitionReader>> PartitionReader::Create(const Endpoint& endpoint,
                                                                         const std::string& topic) {
  Config values = {{"group.id", "centinela-reader"},  // required by librdkafka; never joined (assign only)
                   {"enable.auto.commit", "false"},  {"enable.auto.offset.store", "false"},
                   {"enable.partition.eof", "true"}, {"auto.offset.reset", "error"},
                   {"fetch.wait.max.ms", "10"}};
  std::unique_ptr<PartitionReader> r(new PartitionReader);
  r->topic_ = topic;
  auto rk = NewHandle(RD_KAFKA_CONSUMER, endpoint, values, r.get(), nullptr, "kafka partition reader");
  if (!rk.ok()) return rk.status();
  r->rk_ = *rk;
  rd_kafka_poll_set_consumer(r->rk_);
  return r;
}

absl::Status PartitionReader::Assign(const std::map<int32_t, int64_t>& start) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(int(start.size()));
  for (const auto& [partition, offset] : start) {
    rd_kafka_topic_partition_list_add(list, topic_.c_str(), partition)->offset = offset;
  }
  const rd_kafka_resp_err_t err = rd_kafka_assign(rk_, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) return KafkaError(err, absl::StrCat("assigning partitions of ", topic_));
  return absl::OkStatus();
}

PartitionReader::~PartitionReader() {
  if (rk_) {
    rd_kafka_assign(rk_, nullptr);
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
}

absl::StatusOr<int> PartitionReader::PartitionCount(const Endpoint& endpoint, const std::string& topic,
                                                    int timeout_ms) {
  auto rk = NewHandle(RD_KAFKA_PRODUCER, endpoint, {}, nullptr, nullptr, "kafka metadata client");
  if (!rk.ok()) return rk.status();
  // All topics' metadata, not the one topic's: asking for a topic by name
  // may create it on a broker that auto-creates topics.
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(*rk, 1, nullptr, &md, timeout_ms);
  int partitions = -1;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (!err) {
    for (int i = 0; i < md->topic_cnt; ++i) {
      if (topic == md->topics[i].topic) {
        topic_err = md->topics[i].err;
        partitions = md->topics[i].partition_cnt;
      }
    }
  }
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_destroy(*rk);
  if (err) return KafkaError(err, absl::StrCat("metadata of ", endpoint.bootstrap));
  if (topic_err) return KafkaError(topic_err, absl::StrCat("metadata of ", topic));
  if (partitions <= 0)
    return absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist on ", endpoint.bootstrap));
  return partitions;
}

std::optional<Message> PartitionReader::Poll(int timeout_ms) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, timeout_ms);
  if (!m) return std::nullopt;
  return Message(m);
}

absl::StatusOr<int64_t> PartitionReader::HighWatermark(int32_t partition, int timeout_ms) {
  int64_t lo = 0, hi = 0;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), partition, &lo, &hi, timeout_ms);
  if (err) return KafkaError(err, absl::StrCat("watermarks of ", topic_, "/", partition));
  return hi;
}

absl::StatusOr<std::string> ClusterId(const Endpoint& endpoint, int timeout_ms) {
  auto rk = NewHandle(RD_KAFKA_PRODUCER, endpoint, {}, nullptr, nullptr, "kafka metadata client");
  if (!rk.ok()) return rk.status();
  char* id = rd_kafka_clusterid(*rk, timeout_ms);
  std::string out = id ? id : "";
  if (id) rd_kafka_mem_free(*rk, id);
  rd_kafka_destroy(*rk);
  if (out.empty())
    return absl::UnavailableError(absl::StrCat("kafka: ", endpoint.bootstrap, " did not tell its cluster id"));
  return out;
}

absl::StatusOr<std::map<int32_t, std::pair<int64_t, int64_t>>> QueryWatermarks(const Endpoint& endpoint,
                                                                               const std::string& topic,
                                                                               const std::vector<int32_t>& partitions,
                                                                               int timeout_ms) {
  std::map<int32_t, std::pair<int64_t, int64_t>> out;
  auto count = PartitionReader::PartitionCount(endpoint, topic, timeout_ms);
  if (absl::IsNotFound(count.status())) return out;
  if (!count.ok()) return count.status();
  auto rk = NewHandle(RD_KAFKA_CONSUMER, endpoint, {{"group.id", "centinela-watermarks"}}, nullptr, nullptr,
                      "kafka watermark client");
  if (!rk.ok()) return rk.status();
  absl::Status error;
  for (int32_t p : partitions) {
    if (p < 0 || p >= *count) continue;
    int64_t low = 0, high = 0;
    if (rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(*rk, topic.c_str(), p, &low, &high, timeout_ms)) {
      error = KafkaError(e, absl::StrCat("watermarks of ", topic, "/", p));
      break;
    }
    out[p] = {low, high};
  }
  rd_kafka_destroy(*rk);
  if (!error.ok()) return error;
  return out;
}

absl::StatusOr<int64_t> ReadTopicsToEnd(const Endpoint& endpoint, const std::vector<std::string>& topics,
                                        const std::string& group_id, int timeout_ms,
                                        const std::function<void(const Message&)>& on_record) {
  class FromBeginning : public PartitionListener {
   public:
    std::map<int32_t, int64_t> OnAssigned(const std::string&, const std::vector<int32_t>&) override { return {}; }
    void OnRevoked(const std::string&, const std::vector<int32_t>&) override {}
  } listener;
  auto consumer = GroupConsumer::Create(endpoint, group_id, {}, &listener);
  if (!consumer.ok()) return consumer.status();
  if (auto s = (*consumer)->Subscribe(topics); !s.ok()) return s;
  std::set<std::pair<std::string, int32_t>> at_end;
  int64_t records = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = (*consumer)->Poll(100);
    if (m && !m->is_partition_eof()) {
      if (!m->error()) {
        if (!at_end.empty()) at_end.erase({std::string(m->topic()), m->partition()});
        on_record(*m);
        ++records;
      }
      continue;  // completion changes only on an end-of-partition event or an idle poll
    }
    if (m) at_end.insert({std::string(m->topic()), m->partition()});
    const auto assignment = (*consumer)->Assignment();
    bool done = !assignment.empty();
    for (const auto& tp : assignment) done &= at_end.contains(tp);
    if (done) {
      if (absl::Status s = (*consumer)->Close(); !s.ok()) return s;
      return records;
    }
  }
  if (absl::Status s = (*consumer)->Close(); !s.ok()) fprintf(stderr, "kafka: %s\n", std::string(s.message()).c_str());
  return absl::DeadlineExceededError(
      absl::StrCat("reading ", absl::StrJoin(topics, ","), ": end not reached within ", timeout_ms, " ms"));
}

}  // namespace centinela::kafka
