// The engine streaming 50,000 records while the embedded cluster (three
// brokers) misbehaves through librdkafka's own fault injection: failed
// Fetch, Produce and OffsetCommit requests, every broker down and back,
// partition leaders moved. Compared with a run of the same input without
// faults: the same alerts byte for byte, every record counted exactly once,
// every alert delivered once the brokers are back, and /readyz following
// the brokers.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "centinela/v1/alert.pb.h"
#include "centinela/v1/investigation.pb.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/api_client.h"
#include "tests/testing/engine_harness.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/stored_alerts.h"

namespace centinela {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kRecords = 50000;
constexpr int kBrokers = 3;

// One request in flight per connection, for every client of the faulted run.
// librdkafka's idempotent producer takes a later batch's acknowledgement as
// proof that the earlier batches of the partition were written, because a
// real broker refuses a sequence number with a gap. The mock cluster does
// not check sequence numbers: with several batches in flight, an earlier one
// failed by an injected error (and so not written) was reported delivered
// once a later one succeeded, and an alert went missing from its topic (the
// first SUNAT alert, in about one run in four). With one request in flight
// no later batch can overtake a failed one, so the mock behaves as a broker
// does; against a real cluster the default is safe.
const kafka::Config kOneInFlight = {{"max.in.flight.requests.per.connection", "1"}};

gen::GenOptions Feed() {
  gen::GenOptions o;
  o.seed = 17;
  o.count = kRecords;
  o.cases_per_typology = 4;
  o.invalid = 40;
  return o;
}

// Polls `path` until it answers `code` (at most `limit`); false if it never did.
bool WaitStatus(testing::ApiTestClient& client, const std::string& path, int code, std::chrono::seconds limit) {
  const auto until = Clock::now() + limit;
  while (Clock::now() < until) {
    if (client.Get(path, "").first == code) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a poll interval, not a wait for a race
  }
  return false;
}

// Produces the feed in slices of 10,000 as the engine reads it, never more
// than 20,000 ahead: the embedded broker keeps about 40,000 records of this
// feed per partition (librdkafka's mock log deletes its oldest segments
// beyond a few MB, as a real broker's retention does). Returns the records.
std::vector<gen::GeneratedRecord> Stream(testing::EngineHarness& engine) {
  std::vector<gen::GeneratedRecord> records;
  const absl::Status generated = gen::Generate(Feed(), [&](const gen::GeneratedRecord& r) { records.push_back(r); });
  EXPECT_TRUE(generated.ok()) << generated;
  kafka::Config producer_config = kOneInFlight;
  producer_config["compression.type"] = "lz4";
  auto producer = kafka::Producer::Create(engine.config().bootstrap, producer_config);
  EXPECT_TRUE(producer.ok()) << producer.status();
  if (!producer.ok()) return records;
  constexpr int64_t kSlice = 10000;
  for (int64_t from = 0; from < int64_t(records.size()); from += kSlice) {
    if (from >= 2 * kSlice && engine.WaitCommitted(from - 2 * kSlice) < from - 2 * kSlice) break;
    for (int64_t i = from; i < std::min<int64_t>(from + kSlice, records.size()); ++i) {
      const auto& r = records[size_t(i)];
      EXPECT_TRUE((*producer)
                      ->Produce(engine.config().input_topic, -1, r.key, r.payload, {{"content-type", r.content_type}})
                      .ok());
    }
  }
  EXPECT_TRUE((*producer)->Flush(300000).ok());  // across the outage: librdkafka retries until it is over
  return records;
}

// The engine's outbox, as an operator reads it.
v1::OutboxOverview Outbox(testing::ApiTestClient& client) {
  auto [code, body] = client.Get("/v1/outbox", "sofia");
  EXPECT_EQ(code, 200) << body;
  return testing::ApiTestClient::Parse<v1::OutboxOverview>(body);
}

void MoveLeaders(kafka::MockCluster& cluster, const EngineConfig& c, int32_t broker) {
  for (const std::string& t : {c.input_topic, c.uif_topic, c.sunat_topic, c.dlq_topic}) {
    ASSERT_TRUE(cluster.SetPartitionLeader(t, 0, broker).ok()) << t;
  }
}

TEST(FaultInjectionTest, RequestErrorsOutagesAndLeaderChangesLoseNothingAndCountNothingTwice) {
  // The same input without faults.
  std::map<std::string, std::string> reference;
  int64_t reference_consumed = 0;
  {
    testing::EngineHarness engine(1, kBrokers);
    engine.Start();
    Stream(engine);
    ASSERT_EQ(engine.WaitCommitted(kRecords), kRecords);
    engine.Stop();
    reference = testing::StoredAlertsById(engine.config().data_dir, &reference_consumed);
  }
  ASSERT_EQ(reference_consumed, kRecords);
  ASSERT_GT(reference.size(), 50u);

  testing::EngineHarness engine(1, kBrokers);
  for (const auto& [name, value] : kOneInFlight) engine.config().kafka_properties[name] = value;
  const EngineConfig& config = engine.config();
  kafka::MockCluster& cluster = engine.cluster();
  engine.Start();
  std::vector<gen::GeneratedRecord> records;
  std::thread producer([&] { records = Stream(engine); });
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();  // bounded: Stream waits on the engine at most 240 s per slice
    }
  } join{producer};
  testing::ApiTestClient client(engine.url());
  ASSERT_TRUE(WaitStatus(client, "/readyz", 200, std::chrono::seconds(60)));

  // 1. Requests that fail, each kind several times, transport errors among them.
  ASSERT_GE(engine.WaitCommitted(5000), 5000);
  cluster.PushRequestErrors(kafka::ApiKey::kFetch,
                            {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR__TRANSPORT,
                             RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE});
  cluster.PushRequestErrors(
      kafka::ApiKey::kProduce,
      {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR__TRANSPORT,
       RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  cluster.PushRequestErrors(
      kafka::ApiKey::kOffsetCommit,
      {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR__TRANSPORT});

  // 2. Every broker down: not ready while they are, ready again after.
  ASSERT_GE(engine.WaitCommitted(15000), 15000);
  for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(cluster.SetBrokerDown(b).ok());
  EXPECT_TRUE(WaitStatus(client, "/readyz", 503, std::chrono::seconds(30)));
  EXPECT_EQ(client.Get("/healthz", "").first, 200);
  const int64_t during_outage = engine.committed();
  for (int b = 1; b <= kBrokers; ++b) ASSERT_TRUE(cluster.SetBrokerUp(b).ok());
  EXPECT_TRUE(WaitStatus(client, "/readyz", 200, std::chrono::seconds(60)));

  // 3. Leaders move, twice, for the input and every output topic.
  ASSERT_GE(engine.WaitCommitted(30000), 30000);
  MoveLeaders(cluster, config, 2);
  ASSERT_GE(engine.WaitCommitted(40000), 40000);
  MoveLeaders(cluster, config, 3);

  producer.join();
  int64_t invalid = 0;
  for (const auto& r : records) invalid += r.label == "invalid";
  ASSERT_EQ(int64_t(records.size()), kRecords);
  ASSERT_EQ(engine.WaitCommitted(kRecords), kRecords);
  // Everything is delivered once the brokers are back.
  const auto until = Clock::now() + std::chrono::seconds(120);
  v1::OutboxOverview outbox = Outbox(client);
  while (outbox.pending() > 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // poll interval
    outbox = Outbox(client);
  }
  EXPECT_EQ(outbox.pending(), 0);
  EXPECT_EQ(outbox.parked(), 0) << "a transient fault parked a record";
  engine.Stop();
  ASSERT_TRUE(engine.result().ok());
  const Counters& counters = engine.result()->counters;
  fprintf(stderr, "faults: %lld records, %lld committed when the brokers went down, %zu alerts, %lld delivered\n",
          static_cast<long long>(kRecords), static_cast<long long>(during_outage), reference.size(),
          static_cast<long long>(outbox.delivered()));

  // Nothing lost, nothing counted twice.
  EXPECT_EQ(counters.consumed, kRecords);
  EXPECT_EQ(counters.processed + counters.dead_lettered + counters.duplicates, counters.consumed);
  EXPECT_EQ(counters.dead_lettered, invalid);
  EXPECT_EQ(counters.duplicates, 0);
  int64_t consumed = 0;
  const auto faulted = testing::StoredAlertsById(config.data_dir, &consumed);
  EXPECT_EQ(consumed, kRecords);
  testing::ExpectSameAlerts(reference, faulted, "under faults");

  // Every alert on each of its topics; every dead letter on the DLQ.
  testing::ExpectEveryAlertDelivered(faulted, config.bootstrap, config.uif_topic, config.sunat_topic);
  std::set<std::string> dead;
  for (const auto& r : testing::ReadTopic(config.bootstrap, config.dlq_topic)) dead.insert(r.value);
  EXPECT_EQ(int64_t(dead.size()), invalid);
}

}  // namespace
}  // namespace centinela
