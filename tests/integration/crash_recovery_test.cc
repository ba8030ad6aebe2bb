// Kill -9 the engine (a separate process) in the middle of a stream, several
// times, restart it, and compare with uninterrupted runs over the same input
// on one partition and on sixteen: the same alert ids with the same
// contents, every input record counted exactly once, every alert delivered
// to its topics.
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "centinela/v1/alert.pb.h"
#include "engine/state/store.h"
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

// "commit records=.. consumed=N ..." -> N
int64_t ConsumedOf(const std::string& line) {
  for (absl::string_view part : absl::StrSplit(line, ' ')) {
    int64_t v;
    if (absl::ConsumePrefix(&part, "consumed=") && absl::SimpleAtoi(part, &v)) return v;
  }
  return -1;
}

// Acceptance of issue 18, runs 1 and 2 and kill -9 on one instance: the
// same feed on 1 partition, on 16 partitions written in a shuffled order,
// and on 16 partitions with the engine killed at five moments, gives the
// same alerts byte for byte (detected_at aside).
TEST(CrashRecovery, OneOrSixteenPartitionsAndKillNineGiveTheSameAlerts) {
  testing::TempDir dir;
  EngineConfig broker_config;
  broker_config.embedded_partitions = 1;
  auto cluster = StartEmbeddedBroker(broker_config);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string bs = (*cluster)->bootstrap();
  ASSERT_TRUE((*cluster)->CreateTopic("fiu.sixteen", 16).ok());
  for (const char* prefix : {"one.", "sixteen.", "crash."}) {
    for (const char* t : {"uif", "sunat", "dlq"}) ASSERT_TRUE((*cluster)->CreateTopic(absl::StrCat(prefix, t), 1).ok());
  }

  gen::GenOptions g;
  g.count = kRecords;
  g.cases_per_typology = 30;
  g.invalid = 10;
  testing::PublishFeed(bs, "fiu.transactions", g);                        // 1 partition
  testing::PublishFeedShuffled(bs, "fiu.sixteen", 16, g, /*seed=*/1234);  // 16, shuffled

  auto write_config = [&](const std::string& prefix, const std::string& input) {
    const std::string path = dir.Sub(prefix + "yaml");
    std::ofstream(path) << "kafka:\n  input_topic: " << input << "\n  uif_topic: " << prefix
                        << "uif\n  sunat_topic: " << prefix << "sunat\n  dlq_topic: " << prefix << "dlq\n"
                        << "rules: {pack: " << CENTINELA_SOURCE_DIR << "/rules/packs/peru.yaml}\n"
                        << "fx: {file: " << CENTINELA_SOURCE_DIR << "/deploy/config/fx.yaml}\n"
                        << "engine: {batch_max_records: 500, batch_max_ms: 50}\n";
    return path;
  };
  const std::string log = dir.Sub("engine.log");
  auto run_to_end = [&](const std::string& cfg, const std::string& data) {
    Subprocess run({CentinelaBinary(), "run", "--config", cfg, "--bootstrap", bs, "--data-dir", data,
                    "--until-caught-up", "--progress-ms", "0"},
                   log);
    while (run.ReadLine()) {
    }
    EXPECT_EQ(run.Wait(), 0) << cfg;
  };
  run_to_end(write_config("one.", "fiu.transactions"), dir.Sub("one"));
  run_to_end(write_config("sixteen.", "fiu.sixteen"), dir.Sub("sixteen"));

  // Killed five times, each after a different amount of progress.
  const std::string crash_cfg = write_config("crash.", "fiu.sixteen");
  int kills = 0;
  for (int64_t kill_after : {1000, 4000, 9000, 14000, 19000}) {
    Subprocess engine({CentinelaBinary(), "run", "--config", crash_cfg, "--bootstrap", bs, "--data-dir",
                       dir.Sub("crash"), "--until-caught-up", "--log-commits", "--progress-ms", "0"},
                      log);
    bool killed = false;
    while (auto line = engine.ReadLine()) {
      if (ConsumedOf(*line) >= kill_after) {
        engine.Kill(SIGKILL);  // while it works on the next batch
        killed = true;
        break;
      }
    }
    ASSERT_TRUE(killed) << "engine finished before reaching " << kill_after;
    EXPECT_EQ(engine.Wait(), 128 + SIGKILL);
    ++kills;
  }
  ASSERT_EQ(kills, 5);
  run_to_end(crash_cfg, dir.Sub("crash"));

  int64_t one_consumed = 0, sixteen_consumed = 0, crash_consumed = 0;
  const auto one = testing::StoredAlertsById(dir.Sub("one"), &one_consumed);
  const auto sixteen = testing::StoredAlertsById(dir.Sub("sixteen"), &sixteen_consumed);
  const auto crashed = testing::StoredAlertsById(dir.Sub("crash"), &crash_consumed);
  EXPECT_EQ(one_consumed, kRecords);
  EXPECT_EQ(sixteen_consumed, kRecords);
  EXPECT_EQ(crash_consumed, kRecords);  // every record changed state exactly once
  ASSERT_GT(one.size(), 100u);
  testing::ExpectSameAlerts(one, sixteen, "on 16 partitions written in a shuffled order");
  testing::ExpectSameAlerts(one, crashed, "on 16 partitions after five kill -9");

  // Every alert of the crashed run reached each of its topics at least once.
  testing::ExpectEveryAlertDelivered(crashed, bs, "crash.uif", "crash.sunat");
  EXPECT_GE(testing::ReadTopic(bs, "crash.dlq").size(), 10u);
}

}  // namespace
}  // namespace centinela
