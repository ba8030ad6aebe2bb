// Kill -9 the engine (a separate process) in the middle of a stream, several
// times, restart it, and compare with an uninterrupted run over the same
// input: the same alert ids with the same contents, every input record
// counted exactly once, every alert delivered to its topics.
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "centinela/v1/alert.pb.h"
#include "engine/pipeline/embedded_broker.h"
#include "engine/state/store.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
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

TEST(CrashRecovery, KillNineMidStreamGivesTheSameAlertsAsAnUninterruptedRun) {
  testing::TempDir dir;
  EngineConfig broker_config;
  broker_config.embedded_partitions = 1;  // one partition: a total order, so runs are comparable
  auto cluster = StartEmbeddedBroker(broker_config);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  const std::string bs = (*cluster)->bootstrap();
  for (const char* t : {"crash.uif", "crash.sunat", "crash.dlq"}) ASSERT_TRUE((*cluster)->CreateTopic(t, 1).ok());

  gen::GenOptions g;
  g.count = kRecords;
  g.cases_per_typology = 30;
  g.invalid = 10;
  testing::PublishFeed(bs, "fiu.transactions", g);

  auto write_config = [&](const std::string& name, const std::string& prefix) {
    const std::string path = dir.Sub(name);
    std::ofstream(path) << "kafka:\n  uif_topic: " << prefix << "uif\n  sunat_topic: " << prefix
                        << "sunat\n  dlq_topic: " << prefix << "dlq\n"
                        << "rules: {pack: " << CENTINELA_SOURCE_DIR << "/rules/packs/peru.yaml}\n"
                        << "fx: {file: " << CENTINELA_SOURCE_DIR << "/deploy/config/fx.yaml}\n"
                        << "engine: {batch_max_records: 500, batch_max_ms: 50}\n";
    return path;
  };
  const std::string ref_cfg = write_config("ref.yaml", "centinela.");  // uif.alerts etc. are not used below
  const std::string crash_cfg = write_config("crash.yaml", "crash.");
  const std::string log = dir.Sub("engine.log");

  // Uninterrupted reference run.
  {
    Subprocess ref({CentinelaBinary(), "run", "--config", ref_cfg, "--bootstrap", bs, "--data-dir", dir.Sub("ref"),
                    "--until-caught-up", "--progress-ms", "0"},
                   log);
    while (ref.ReadLine()) {
    }
    ASSERT_EQ(ref.Wait(), 0);
  }

  // Killed three times, each after a different amount of progress.
  int kills = 0;
  for (int64_t kill_after : {3000, 9000, 15000}) {
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
  ASSERT_EQ(kills, 3);
  {
    Subprocess engine({CentinelaBinary(), "run", "--config", crash_cfg, "--bootstrap", bs, "--data-dir",
                       dir.Sub("crash"), "--until-caught-up", "--progress-ms", "0"},
                      log);
    while (engine.ReadLine()) {
    }
    ASSERT_EQ(engine.Wait(), 0);
  }

  int64_t ref_consumed = 0, crash_consumed = 0;
  const auto ref = testing::StoredAlertsById(dir.Sub("ref"), &ref_consumed);
  const auto crashed = testing::StoredAlertsById(dir.Sub("crash"), &crash_consumed);
  EXPECT_EQ(ref_consumed, kRecords);
  EXPECT_EQ(crash_consumed, kRecords);  // every record changed state exactly once
  ASSERT_GT(ref.size(), 100u);
  testing::ExpectSameAlerts(ref, crashed, "after crashes");

  // Every alert of the crashed run reached each of its topics at least once.
  testing::ExpectEveryAlertDelivered(crashed, bs, "crash.uif", "crash.sunat");
  EXPECT_EQ(testing::ReadTopic(bs, "crash.dlq").size() >= 10, true);
}

}  // namespace
}  // namespace centinela
