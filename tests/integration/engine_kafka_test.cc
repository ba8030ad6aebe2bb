// The engine end to end through the Kafka protocol (librdkafka's mock cluster
// on 127.0.0.1) and RocksDB on disk.
#include <map>
#include <set>

#include "centinela/v1/alert.pb.h"
#include "centinela/v1/dead_letter.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "server/embedded_broker.h"
#include "server/runner.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

class EngineKafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
    config_.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml";
    config_.data_dir = dir_.Sub("db");
    config_.embedded_partitions = 4;
    auto cluster = StartEmbeddedBroker(config_);
    ASSERT_TRUE(cluster.ok()) << cluster.status();
    cluster_ = std::move(*cluster);
    config_.bootstrap = cluster_->bootstrap();
  }
  RunSummary RunUntilCaughtUp() {
    RunOptions o;
    o.until_caught_up = true;
    o.progress_every_ms = 0;
    auto s = RunEngine(config_, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : RunSummary{};
  }
  testing::TempDir dir_;
  EngineConfig config_;
  std::unique_ptr<kafka::MockCluster> cluster_;
};

TEST_F(EngineKafkaTest, AlertsEveryInjectedCaseOnItsQueuesAndDeadLettersMalformedRecords) {
  gen::GenOptions g;
  g.count = 12000;
  g.cases_per_typology = 10;
  g.invalid = 10;  // two of each malformed kind
  const auto feed = testing::PublishFeed(config_.bootstrap, config_.input_topic, g);

  const RunSummary run = RunUntilCaughtUp();
  EXPECT_EQ(run.counters.consumed, 12000);
  EXPECT_EQ(run.counters.dead_lettered, 10);
  EXPECT_EQ(run.counters.consumed, run.counters.processed + run.counters.dead_lettered);

  // Every malformed kind is on the DLQ with its reason and source offset.
  std::map<std::string, std::string> reason_by_kind = {
      {"garbage_bytes", "decode: not a valid protobuf"},
      {"bad_json", "decode: invalid JSON"},
      {"missing_amount", "validate: amount: missing"},
      {"unknown_currency", "validate: amount.currency: unknown currency XYZ"},
      {"invalid_ruc", "validate: reporting_entity.ruc: RUC"}};
  const auto dlq = testing::ReadTopic(config_.bootstrap, config_.dlq_topic);
  ASSERT_EQ(dlq.size(), 10u);
  std::multiset<std::string> matched;
  for (const auto& r : dlq) {
    v1::DeadLetter dl;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.value, &dl).ok()) << r.value;
    EXPECT_EQ(dl.source_topic(), "fiu.transactions");
    EXPECT_FALSE(dl.raw().empty());
    for (const auto& [kind, reason] : reason_by_kind) {
      if (dl.reason().rfind(reason, 0) == 0) matched.insert(kind);
    }
  }
  for (const auto& [kind, _] : reason_by_kind) EXPECT_EQ(matched.count(kind), 2u) << kind;

  // Every injected case is alerted, read back from its destination topics.
  std::map<std::string, std::set<std::string>> case_txs;  // case id -> tx ids
  std::map<std::string, std::string> case_typology;
  for (const auto& r : feed) {
    if (r.label != "case") continue;
    case_txs[r.case_id].insert(r.tx_id);
    case_typology[r.case_id] = r.typology;
  }
  const std::set<std::string> uif = {"uif.alerts"}, sunat = {"sunat.alerts"}, both = {"uif.alerts", "sunat.alerts"};
  const std::map<std::string, std::set<std::string>> expected_topics = {
      {"structuring", uif},
      {"mining_cash", both},
      {"border_cash", sunat},
      {"fatf_outbound", uif},
      {"fatf_inbound", uif},
      {"smurfing", uif},
      {"monthly_register", uif},
      {"gold_export_new_company", both},
      {"vraem_cash", uif},
      {"human_trafficking_inflows", uif},
      {"front_company", both},
      {"contraband_split_invoices", sunat},
      {"pep_large", uif},
      {"fan_in", uif},
      {"fan_out", uif},
      // Order-dependent: exact because records are scored in event-time
      // order, whichever of the 4 partitions delivers them first.
      {"rapid_pass_through", uif},
      {"stack", uif},
      {"cycle", uif},
      {"scatter_gather", uif},
      {"gather_scatter", uif},
      {"bipartite", uif},
      {"dormant_reactivated", uif},
      {"profile_deviation", uif}};
  ASSERT_EQ(case_txs.size(), 10 * expected_topics.size());
  std::map<std::string, std::set<std::string>> detected_on;  // case id -> topics
  for (const std::string topic : {"uif.alerts", "sunat.alerts"}) {
    for (const auto& r : testing::ReadTopic(config_.bootstrap, topic)) {
      v1::Alert a;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.value, &a).ok());
      EXPECT_EQ(r.key, a.id());
      EXPECT_FALSE(a.shadow());
      EXPECT_FALSE(a.hits().empty());
      for (const auto& [cid, txs] : case_txs) {
        if (case_typology[cid] != a.typology_id()) continue;
        for (const auto& tx : a.evidence_transaction_ids()) {
          if (txs.count(tx)) detected_on[cid].insert(topic);
        }
      }
    }
  }
  for (const auto& [cid, typ] : case_typology) {
    EXPECT_EQ(detected_on[cid], expected_topics.at(typ)) << cid;
  }
}

TEST_F(EngineKafkaTest, RestartResumesFromOffsetsStoredInRocksDbNotKafka) {
  gen::GenOptions g;
  g.count = 3000;
  g.cases_per_typology = 2;
  testing::PublishFeed(config_.bootstrap, config_.input_topic, g);
  EXPECT_EQ(RunUntilCaughtUp().counters.consumed, 3000);

  g.seed = 7;
  g.count = 2000;
  testing::PublishFeed(config_.bootstrap, config_.input_topic, g);
  // A new consumer group has no Kafka offsets at all: only RocksDB's count.
  config_.group_id = "another-group";
  const RunSummary second = RunUntilCaughtUp();
  EXPECT_EQ(second.counters.consumed, 5000);  // nothing read twice, nothing skipped
  EXPECT_EQ(second.counters.consumed, second.counters.processed + second.counters.dead_lettered);
}

TEST_F(EngineKafkaTest, StoredOffsetOutOfRangeStopsInsteadOfGuessing) {
  gen::GenOptions g;
  g.count = 500;
  g.cases_per_typology = 2;
  testing::PublishFeed(config_.bootstrap, config_.input_topic, g);
  EXPECT_EQ(RunUntilCaughtUp().counters.consumed, 500);
  // A new, empty broker (an in-memory one restarted) with the same database.
  cluster_.reset();
  auto fresh = StartEmbeddedBroker(config_);
  ASSERT_TRUE(fresh.ok());
  config_.bootstrap = (*fresh)->bootstrap();
  RunOptions o;
  o.until_caught_up = true;
  o.progress_every_ms = 0;
  auto s = RunEngine(config_, o);
  ASSERT_FALSE(s.ok());
  // Another cluster (its id differs), or positions out of its range: either
  // way the start stops, saying where the positions came from and the way out.
  EXPECT_THAT(std::string(s.status().message()),
              ::testing::AnyOf(::testing::HasSubstr("where the positions stored in"),
                               ::testing::HasSubstr("is not in the broker's range (0 to 0)")));
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("--accept-lost-input"));
  // With --accept-lost-input it goes on from what the new broker has, and the
  // database (counters, alerts) is kept.
  o.accept_lost_input = true;
  auto accepted = RunEngine(config_, o);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_EQ(accepted->counters.consumed, 500);
  testing::PublishFeed(config_.bootstrap, config_.input_topic, g);
  o.accept_lost_input = false;
  auto again = RunEngine(config_, o);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->counters.consumed, 1000);
  EXPECT_EQ(again->counters.duplicates, 500);  // the same feed again: counted once
}

// kafka.properties go to every client the engine makes: harmless ones
// leave the run unchanged, and a security protocol the (plaintext) broker
// does not speak stops the start with an error naming the broker.
TEST_F(EngineKafkaTest, KafkaPropertiesReachTheEngineClients) {
  gen::GenOptions g;
  g.count = 500;
  g.cases_per_typology = 0;
  testing::PublishFeed(config_.bootstrap, config_.input_topic, g);
  config_.kafka_properties = {{"client.id", "centinela-it"}, {"socket.keepalive.enable", "true"}};
  EXPECT_EQ(RunUntilCaughtUp().counters.consumed, 500);

  config_.kafka_properties = {{"security.protocol", "SASL_PLAINTEXT"},
                              {"sasl.mechanism", "PLAIN"},
                              {"sasl.username", "centinela"},
                              {"sasl.password", "wrong"}};
  RunOptions o;
  o.until_caught_up = true;
  o.progress_every_ms = 0;
  auto s = RunEngine(config_, o);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr(config_.bootstrap)) << s.status();
}

TEST_F(EngineKafkaTest, BrokenRulePackStopsTheEngineWithANamedError) {
  testing::TempDir tmp;
  const std::string pack = tmp.Sub("broken.yaml");
  FILE* f = fopen(pack.c_str(), "w");
  fputs("pack: x\nversion: 1.0.0\nrules:\n  r:\n    when: amount_usd > 5\n", f);
  fclose(f);
  config_.pack_path = pack;
  RunOptions o;
  o.until_caught_up = true;
  auto s = RunEngine(config_, o);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith(pack + ":5:22: rule 'r': cannot compare money"));
}

}  // namespace
}  // namespace centinela
