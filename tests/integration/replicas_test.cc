// Three engine instances (processes) over the same input, as replicas
// (docs/instances.md): the one delivering is killed with SIGKILL and
// restarted, the next one to deliver is killed for good, and the remaining
// ones finish. Their alerts equal those of one uninterrupted instance byte
// for byte (detected_at aside), and what the alert topics hold last per key
// is exactly those alerts.
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "centinela/v1/alert.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/embedded_broker.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/stored_alerts.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using testing::CentinelaBinary;
using testing::Subprocess;

constexpr int64_t kRecords = 20000;
constexpr int kInstances = 3;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// How many times instance `k`'s log says it took over delivery.
int TakeOvers(const std::string& log) {
  int n = 0;
  for (absl::string_view line : absl::StrSplit(Slurp(log), '\n')) {
    if (absl::StrContains(line, ": delivering (")) ++n;
  }
  return n;
}

// Alert JSON as delivered -> the deterministic bytes StoredAlertsById gives.
std::string Canonical(const std::string& json) {
  v1::Alert a;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &a).ok()) << json.substr(0, 200);
  return testing::CanonicalAlertBytes(a);
}

// Acceptance of issue 18, run 4 in small (and run 3's takeover): the
// instance that delivers is killed -9 and restarted; the next one that
// delivers is killed for good; the others finish, with the alerts of one
// uninterrupted instance, each delivered, the topics' last value per key
// being that alert.
TEST(Replicas, ThreeInstancesSurviveKillingTheDeliveringOneTwice) {
  testing::TempDir dir;
  EngineConfig broker_config;
  broker_config.embedded_partitions = 16;
  auto cluster = StartEmbeddedBroker(broker_config);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string bs = (*cluster)->bootstrap();
  for (const char* prefix : {"ref.", "three."}) {
    for (const char* t : {"uif", "sunat", "dlq"}) ASSERT_TRUE((*cluster)->CreateTopic(absl::StrCat(prefix, t), 1).ok());
  }
  gen::GenOptions g;
  g.count = kRecords;
  g.cases_per_typology = 30;
  g.invalid = 10;
  testing::PublishFeedShuffled(bs, "fiu.transactions", 16, g, /*seed=*/77);

  auto write_config = [&](const std::string& prefix) {
    const std::string path = dir.Sub(prefix + "yaml");
    std::ofstream(path) << "kafka:\n  group_id: " << prefix << "group\n  uif_topic: " << prefix
                        << "uif\n  sunat_topic: " << prefix << "sunat\n  dlq_topic: " << prefix << "dlq\n"
                        << "rules: {pack: " << CENTINELA_SOURCE_DIR << "/rules/packs/peru.yaml}\n"
                        << "fx: {file: " << CENTINELA_SOURCE_DIR << "/deploy/config/fx.yaml}\n"
                        << "engine: {batch_max_records: 500, batch_max_ms: 50}\n";
    return path;
  };
  // The reference: one instance, its own group and topics.
  {
    Subprocess ref({CentinelaBinary(), "run", "--config", write_config("ref."), "--bootstrap", bs, "--data-dir",
                    dir.Sub("ref"), "--instance", "ref", "--until-caught-up", "--progress-ms", "0"},
                   dir.Sub("ref.log"));
    while (ref.ReadLine()) {
    }
    ASSERT_EQ(ref.Wait(), 0) << Slurp(dir.Sub("ref.log"));
  }

  const std::string cfg = write_config("three.");
  std::vector<std::unique_ptr<Subprocess>> instances(kInstances);
  auto log_of = [&](int k) { return dir.Sub(absl::StrCat("i", k, ".log")); };
  auto start = [&](int k) {
    instances[k] = std::make_unique<Subprocess>(
        std::vector<std::string>{CentinelaBinary(), "run", "--config", cfg, "--bootstrap", bs, "--data-dir",
                                 dir.Sub(absl::StrCat("i", k)), "--instance", absl::StrCat("i", k), "--until-caught-up",
                                 "--progress-ms", "0"},
        log_of(k));
  };
  for (int k = 0; k < kInstances; ++k) start(k);
  // Waits (polling the logs, bounded) for an instance to take over delivery
  // once more than `before[k]` times; returns it, or -1.
  auto await_takeover = [&](const std::vector<int>& before) {
    for (int i = 0; i < 1200; ++i) {  // 120 s
      for (int k = 0; k < kInstances; ++k) {
        if (instances[k] && TakeOvers(log_of(k)) > before[k]) return k;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  };
  std::vector<int> before(kInstances, 0);
  const int first = await_takeover(before);
  ASSERT_GE(first, 0) << "no instance took over delivery";
  instances[first]->Kill(SIGKILL);
  EXPECT_EQ(instances[first]->Wait(), 128 + SIGKILL);
  start(first);
  for (int k = 0; k < kInstances; ++k) before[k] = TakeOvers(log_of(k));
  const int second = await_takeover(before);
  ASSERT_GE(second, 0) << "no instance took over after the first was killed";
  instances[second]->Kill(SIGKILL);  // lost for good
  EXPECT_EQ(instances[second]->Wait(), 128 + SIGKILL);
  instances[second].reset();

  int64_t ref_consumed = 0;
  const auto reference = testing::StoredAlertsById(dir.Sub("ref"), &ref_consumed);
  EXPECT_EQ(ref_consumed, kRecords);
  ASSERT_GT(reference.size(), 100u);
  for (int k = 0; k < kInstances; ++k) {
    if (!instances[k]) continue;
    while (instances[k]->ReadLine()) {
    }
    ASSERT_EQ(instances[k]->Wait(), 0) << Slurp(log_of(k));
    int64_t consumed = 0;
    const auto alerts = testing::StoredAlertsById(dir.Sub(absl::StrCat("i", k)), &consumed);
    EXPECT_EQ(consumed, kRecords) << "instance i" << k;
    testing::ExpectSameAlerts(reference, alerts, absl::StrCat("on replica i", k));
  }

  // What a reader of the alert topics keeps (the last value per key) is
  // exactly the reference's alerts, on each of their destinations.
  std::map<std::string, std::string> last_uif, last_sunat;
  for (const auto& r : testing::ReadTopic(bs, "three.uif")) last_uif[r.key] = r.value;
  for (const auto& r : testing::ReadTopic(bs, "three.sunat")) last_sunat[r.key] = r.value;
  size_t want_uif = 0, want_sunat = 0;
  for (const auto& [id, bytes] : reference) {
    v1::Alert a;
    ASSERT_TRUE(a.ParseFromString(bytes));
    for (int d : a.destinations()) {
      const auto& topic = d == v1::UIF ? last_uif : last_sunat;
      ++(d == v1::UIF ? want_uif : want_sunat);
      auto it = topic.find(id);
      ASSERT_NE(it, topic.end()) << id << " not delivered";
      EXPECT_EQ(Canonical(it->second), bytes) << id << ": the last value delivered is not the alert";
    }
  }
  EXPECT_EQ(last_uif.size(), want_uif);
  EXPECT_EQ(last_sunat.size(), want_sunat);
  EXPECT_GE(testing::ReadTopic(bs, "three.dlq").size(), 10u);
}

}  // namespace
}  // namespace centinela
