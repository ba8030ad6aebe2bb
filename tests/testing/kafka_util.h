// Kafka helpers for integration tests: publish a generated feed, and read a
// topic to its end with a real consumer (through the Kafka protocol).
#ifndef CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_
#define CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "connectors/kafka/kafka.h"
#include "gen/feed_generator.h"
#include "gtest/gtest.h"

namespace centinela::testing {

struct ConsumedRecord {
  std::string key;
  std::string value;
  int32_t partition;
};

// Produces the generated feed; returns the records (with labels) in order.
inline std::vector<gen::GeneratedRecord> PublishFeed(const std::string& bootstrap, const std::string& topic,
                                                     const gen::GenOptions& options) {
  std::vector<gen::GeneratedRecord> records;
  auto producer = kafka::Producer::Create(bootstrap, {{"compression.type", "lz4"}});
  EXPECT_TRUE(producer.ok()) << producer.status();
  gen::Generate(options, [&](const gen::GeneratedRecord& r) {
    EXPECT_TRUE((*producer)->Produce(topic, -1, r.key, r.payload, {{"content-type", r.content_type}}).ok());
    records.push_back(r);
  });
  EXPECT_TRUE((*producer)->Flush(30000).ok());
  return records;
}

// Reads every record of `topic` (all partitions) with a fresh consumer group.
inline std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  class FromStart : public kafka::PartitionListener {
   public:
    std::map<int32_t, int64_t> OnAssigned(const std::string&, const std::vector<int32_t>&) override { return {}; }
    void OnRevoked(const std::string&, const std::vector<int32_t>&) override {}
  } listener;
  static int n = 0;
  auto consumer = kafka::GroupConsumer::Create(bootstrap, "test-reader-" + std::to_string(getpid()) + "-" +
                                                              std::to_string(++n), {}, &listener);
  EXPECT_TRUE(consumer.ok());
  EXPECT_TRUE((*consumer)->Subscribe({topic}).ok());
  std::vector<ConsumedRecord> out;
  std::set<int32_t> eof;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto m = (*consumer)->Poll(100);
    if (m && m->is_partition_eof()) eof.insert(m->partition());
    if (m && !m->error()) {
      eof.erase(m->partition());
      out.push_back({std::string(m->key()), std::string(m->payload()), m->partition()});
    }
    auto a = (*consumer)->Assignment();
    if (!a.empty() && eof.size() == a.size()) break;
  }
  (*consumer)->Close();
  return out;
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_
