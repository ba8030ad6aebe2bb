// Kafka helpers for integration tests: publish a generated feed, and read a
// topic to its end with a real consumer (through the Kafka protocol).
#ifndef CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_
#define CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_

#include <random>
#include <string>
#include <vector>

#include "base/hash.h"
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
  const absl::Status generated = gen::Generate(options, [&](const gen::GeneratedRecord& r) {
    EXPECT_TRUE((*producer)->Produce(topic, -1, r.key, r.payload, {{"content-type", r.content_type}}).ok());
    records.push_back(r);
  });
  EXPECT_TRUE(generated.ok()) << generated;
  EXPECT_TRUE((*producer)->Flush(30000).ok());
  return records;
}

// Publishes the generated feed on `partitions` partitions of `topic` (by
// the record's key, as a keyed producer would), writing the partitions in a
// shuffled order: runs of 1 to 500 records of a randomly chosen partition
// at a time (`seed`), each partition in its own order.
inline std::vector<gen::GeneratedRecord> PublishFeedShuffled(const std::string& bootstrap, const std::string& topic,
                                                             int partitions, const gen::GenOptions& options,
                                                             uint32_t seed) {
  std::vector<gen::GeneratedRecord> records;
  const absl::Status generated = gen::Generate(options, [&](const gen::GeneratedRecord& r) { records.push_back(r); });
  EXPECT_TRUE(generated.ok()) << generated;
  auto producer = kafka::Producer::Create(bootstrap, {{"compression.type", "lz4"}});
  EXPECT_TRUE(producer.ok()) << producer.status();
  for (const auto& [p, i] : gen::ShuffledPartitionOrder(records, partitions, seed)) {
    const gen::GeneratedRecord& r = records[i];
    EXPECT_TRUE((*producer)->Produce(topic, p, r.key, r.payload, {{"content-type", r.content_type}}).ok());
  }
  EXPECT_TRUE((*producer)->Flush(30000).ok());
  return records;
}

// Reads every record of `topic` (all partitions) with a fresh consumer group.
inline std::vector<ConsumedRecord> ReadTopic(const std::string& bootstrap, const std::string& topic) {
  static int n = 0;
  std::vector<ConsumedRecord> out;
  auto read =
      kafka::ReadTopicsToEnd(bootstrap, {topic}, "test-reader-" + std::to_string(getpid()) + "-" + std::to_string(++n),
                             60000, [&](const kafka::Message& m) {
                               out.push_back({std::string(m.key()), std::string(m.payload()), m.partition()});
                             });
  EXPECT_TRUE(read.ok()) << read.status();
  return out;
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_KAFKA_UTIL_H_
