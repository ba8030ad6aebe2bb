// The alerts are a function of the input, not of its arrival order
// (docs/event-time.md): the same generated feed, split into partitions and
// delivered in different interleavings, with the event-time frontier
// released as it goes, gives the same alerts byte for byte (detected_at
// aside).
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "base/hash.h"
#include "gen/feed_generator.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "gtest/gtest.h"
#include "tests/testing/pack_harness.h"

namespace centinela {
namespace {

constexpr int kPartitions = 16;

struct Rec {
  int32_t partition;
  int64_t offset;
  std::string payload, content_type;
};

std::vector<Rec> Feed() {
  gen::GenOptions g;
  g.count = 6000;
  g.cases_per_typology = 3;
  g.invalid = 5;
  g.days = 20;
  std::vector<Rec> out;
  std::vector<int64_t> next(kPartitions);
  EXPECT_TRUE(gen::Generate(g, [&](const gen::GeneratedRecord& r) {
                const int32_t p = int32_t(StableHash64(r.key) % kPartitions);
                out.push_back({p, next[p]++, r.payload, r.content_type});
              }).ok());
  return out;
}

// Runs `arrival` through a fresh processor, releasing at the frontier of
// the 16 partitions every `release_every` records; the alerts by id,
// deterministic bytes without detected_at.
std::map<std::string, std::string> RunInOrder(const std::vector<Rec>& arrival, int release_every, Counters* counters) {
  testing::PackHarness h(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  std::vector<SourceStatus> sources;
  for (int p = 0; p < kPartitions; ++p) sources.push_back({"fiu.transactions", p, false});
  int n = 0;
  for (const Rec& r : arrival) {
    EXPECT_TRUE(h.processor()->Process({"fiu.transactions", r.partition, r.offset, r.payload, r.content_type}).ok());
    if (++n % release_every == 0) {
      EXPECT_TRUE(h.processor()->Release(h.processor()->sequencer().Frontier(sources, 0)).ok());
      EXPECT_TRUE(h.processor()->Commit().ok());
    }
  }
  std::map<std::string, std::string> out;
  for (v1::Alert a : h.Alerts()) {
    a.clear_detected_at();
    std::string bytes;
    {
      google::protobuf::io::StringOutputStream sos(&bytes);
      google::protobuf::io::CodedOutputStream cos(&sos);
      cos.SetSerializationDeterministic(true);
      EXPECT_TRUE(a.SerializeToCodedStream(&cos));
    }
    out[a.id()] = bytes;
  }
  *counters = h.processor()->counters();
  return out;
}

TEST(EventOrder, EveryInterleavingOfThePartitionsGivesTheSameAlerts) {
  const std::vector<Rec> feed = Feed();
  Counters in_order;
  const auto reference = RunInOrder(feed, 250, &in_order);
  ASSERT_GT(reference.size(), 20u);
  EXPECT_EQ(in_order.late, 0);

  // Partition after partition: the worst case for arrival order.
  std::vector<Rec> by_partition = feed;
  std::stable_sort(by_partition.begin(), by_partition.end(),
                   [](const Rec& a, const Rec& b) { return a.partition < b.partition; });
  // Random chunks of each partition, in a shuffled order of partitions.
  std::vector<Rec> shuffled;
  {
    std::vector<std::vector<Rec>> queues(kPartitions);
    for (const Rec& r : feed) queues[r.partition].push_back(r);
    std::vector<size_t> at(kPartitions);
    std::mt19937 rng(7);
    while (shuffled.size() < feed.size()) {
      const int p = int(rng() % kPartitions);
      const size_t take = 1 + rng() % 200;
      for (size_t i = 0; i < take && at[p] < queues[p].size(); ++i) shuffled.push_back(queues[p][at[p]++]);
    }
  }
  for (const auto& [name, arrival] :
       {std::pair{"partition after partition", &by_partition}, std::pair{"shuffled chunks", &shuffled}}) {
    Counters c;
    const auto alerts = RunInOrder(*arrival, 250, &c);
    EXPECT_EQ(c.late, 0) << name;
    EXPECT_EQ(c.processed, in_order.processed) << name;
    EXPECT_EQ(c.dead_lettered, in_order.dead_lettered) << name;
    ASSERT_EQ(alerts.size(), reference.size()) << name;
    for (const auto& [id, bytes] : reference) {
      auto it = alerts.find(id);
      ASSERT_NE(it, alerts.end()) << id << " missing when " << name;
      EXPECT_EQ(it->second, bytes) << id << " differs when " << name;
    }
  }
}

}  // namespace
}  // namespace centinela
