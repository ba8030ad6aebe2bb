// Rule deployment end to end: the engine on a thread, the embedded broker,
// RocksDB on disk, the API over HTTP on 127.0.0.1, the control topic
// centinela.rules and the alert topics read back with Kafka consumers.
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "base/keys.h"
#include "base/yaml_util.h"
#include "centinela/v1/alert.pb.h"
#include "centinela/v1/investigation.pb.h"
#include "centinela/v1/rules.pb.h"
#include "engine/state/store.h"
#include "eval/backtest.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rules/pack/rule_pack.h"
#include "tests/testing/api_client.h"
#include "tests/testing/engine_harness.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/pack_variants.h"

namespace centinela {
namespace {

using testing::ApiTestClient;
using ::testing::HasSubstr;
using testing::PeruVariant;

std::string VersionOf(const std::string& text) {
  auto p = rules::RulePack::Parse(text, "variant.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? (*p)->version() : "";
}

std::vector<v1::Alert> StoredAlerts(const std::string& data_dir) {
  StoreOptions so;
  so.read_only = true;
  auto store = Store::Open(data_dir, so);
  EXPECT_TRUE(store.ok()) << store.status();
  std::vector<v1::Alert> out;
  auto it = (*store)->NewIterator(Cf::kAlerts);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    EXPECT_TRUE(out.emplace_back().ParseFromArray(it->value().data(), int(it->value().size())));
  }
  return out;
}

v1::RulesOverview Overview(ApiTestClient& api) {
  auto [code, body] = api.Get("/v1/rules", "ana");
  EXPECT_EQ(code, 200) << body;
  return ApiTestClient::Parse<v1::RulesOverview>(body);
}

// Waits until this instance's latest report satisfies `done` (it reports
// after every control record it applies), bounded by 2,000 reads.
v1::RulesOverview WaitReport(ApiTestClient& api, const std::function<bool(const v1::InstanceReport&)>& done) {
  v1::RulesOverview o;
  for (int i = 0; i < 2000; ++i) {
    o = Overview(api);
    for (const auto& r : o.instances()) {
      if (done(r)) return o;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition, bounded
  }
  ADD_FAILURE() << "no such report; last: " << o.ShortDebugString();
  return o;
}

v1::RulesOverview WaitRequest(ApiTestClient& api, const std::string& request_id) {
  return WaitReport(api, [&](const v1::InstanceReport& r) { return r.request_id() == request_id; });
}

TEST(RuleDeployTest, NewPackDeployedWhileStreamingSwitchesCleanlyBetweenBatches) {
  testing::EngineHarness engine(16);
  engine.Start();
  ApiTestClient api(engine.url());
  constexpr int64_t kRecords = 100000;
  gen::GenOptions g;
  g.count = kRecords;
  g.cases_per_typology = 20;
  g.invalid = 10;
  std::vector<gen::GeneratedRecord> feed;
  std::thread producer([&] { feed = testing::PublishFeed(engine.config().bootstrap, engine.config().input_topic, g); });

  // v2 alerts structuring from 2 near-threshold deposits instead of 3.
  const std::string v2 = PeruVariant("2.4.0", {{"structuring_min_deposits: 3 ", "structuring_min_deposits: 2 "}});
  const std::string v2_version = VersionOf(v2);
  const std::string v1_version = Overview(api).active_version();
  ASSERT_NE(v1_version, v2_version);

  engine.WaitCommitted(20000);
  auto [submit_code, submit_body] = api.Post("/v1/rules?source=peru-2.4.yaml", v2, "rita");
  ASSERT_EQ(submit_code, 201) << submit_body;
  // The author may not approve: a rule author has no approve permission, and
  // the instance refuses an approval recorded under the author's name.
  EXPECT_EQ(api.Post(absl::StrCat("/v1/rules/", v2_version, "/approve"), "", "rita").first, 403);
  EXPECT_EQ(Overview(api).active_version(), v1_version);

  const int64_t before = engine.committed();
  const auto t0 = std::chrono::steady_clock::now();
  auto [code, body] = api.Post(absl::StrCat("/v1/rules/", v2_version, "/approve"), "", "sofia");
  const double approve_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(code, 200) << body;
  const auto result = ApiTestClient::Parse<v1::DeployResult>(body);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.active_version(), v2_version);
  const int64_t after = engine.committed();
  producer.join();
  ASSERT_EQ(engine.WaitCommitted(kRecords), kRecords);
  ASSERT_LT(before, kRecords) << "the switch must happen mid-stream";
  const v1::RulesOverview o =
      WaitReport(api, [&](const v1::InstanceReport& r) { return r.active_version() == v2_version; });
  engine.Stop();

  // Counts reconcile: every record consumed once, scored or dead-lettered.
  StoreOptions so;
  so.read_only = true;
  {
    auto store = Store::Open(engine.config().data_dir, so);
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_EQ(*(*store)->GetCounter(kMetaConsumed), kRecords);
    EXPECT_EQ(*(*store)->GetCounter(kMetaProcessed) + *(*store)->GetCounter(kMetaDeadLettered), kRecords);
    EXPECT_EQ(*(*store)->GetCounter(kMetaDeadLettered), 10);
    auto offsets = (*store)->LoadOffsets(engine.config().input_topic);
    ASSERT_TRUE(offsets.ok());
    int64_t next_total = 0;
    for (const auto& [p, next] : *offsets) next_total += next;
    EXPECT_EQ(next_total, kRecords);
  }
  // Each transaction's alerts carry exactly one pack version; both versions
  // produced alerts.
  std::map<std::string, std::set<std::string>> versions_of_tx;
  std::map<std::string, int> alerts_per_version;
  for (const v1::Alert& a : StoredAlerts(engine.config().data_dir)) {
    ++alerts_per_version[a.pack_version()];
    for (const std::string& tx : a.evidence_transaction_ids()) versions_of_tx[tx].insert(a.pack_version());
    for (const v1::RuleHit& h : a.hits()) versions_of_tx[h.transaction_id()].insert(a.pack_version());
  }
  for (const auto& [tx, versions] : versions_of_tx) ASSERT_EQ(versions.size(), 1u) << tx;
  EXPECT_GT(alerts_per_version[v1_version], 0);
  EXPECT_GT(alerts_per_version[v2_version], 0);
  EXPECT_EQ(alerts_per_version.size(), 2u);
  // The instance reports the version it runs and how long the switch took.
  ASSERT_EQ(o.instances_size(), 1);
  EXPECT_EQ(o.instances(0).instance(), "test-instance");
  EXPECT_EQ(o.instances(0).active_version(), v2_version);
  std::cout << "switch: approve answered in " << approve_ms << " ms; records committed during it: " << after - before
            << "; the instance's switch lag (record timestamp to batch boundary) is in its report below\n";
  for (const auto& r : o.instances()) std::cout << "  report: " << r.ShortDebugString() << "\n";
}

TEST(RuleDeployTest, BrokenPacksAreRefusedWithTheirErrorAndTheRunningVersionIsUntouched) {
  testing::EngineHarness engine(2);
  engine.Start();
  ApiTestClient api(engine.url());
  const std::string v1_version = Overview(api).active_version();
  struct Broken {
    std::string text, error;
  };
  const std::vector<Broken> broken = {
      {PeruVariant("2.5.0", {{"    threshold: 1.0\n    severity: high\n    destinations: [UIF]\n    dedup_window: 7d",
                              "    threshold: [1.0\n"}}),
       "YAML syntax error"},
      {PeruVariant("2.5.1", {{"when: agg.near_threshold_cash_in_7d >= param.structuring_min_deposits",
                              "when: agg.near_threshold_cash_in_7d >= \"three\""}}),
       "broken.yaml:"},
      {PeruVariant("2.5.2", {{"beneficiary.country in list.fatf_call_for_action",
                              "beneficiary.country in list.fatf_blacklist_2031"}}),
       "unknown list 'fatf_blacklist_2031'"},
  };
  for (const Broken& b : broken) {
    auto [code, body] = api.Post("/v1/rules?source=broken.yaml", b.text, "rita");
    EXPECT_EQ(code, 422) << body;
    const auto d = ApiTestClient::Parse<v1::DeployResult>(body);
    EXPECT_FALSE(d.ok());
    EXPECT_THAT(d.error(), HasSubstr(b.error));
    EXPECT_THAT(d.error(), ::testing::MatchesRegex("broken\\.yaml:[0-9]+:[0-9]+: .*"));
    // validate says the same
    auto [vcode, vbody] = api.Post("/v1/rules/validate?source=broken.yaml", b.text, "rita");
    EXPECT_EQ(vcode, 422);
    EXPECT_THAT(vbody, HasSubstr(b.error));
  }
  // Nothing reached the registry.
  EXPECT_EQ(Overview(api).versions_size(), 1);

  // A broken pack that bypasses the API (published straight on the control
  // topic, e.g. by an older or newer instance) is refused by the instance,
  // which keeps running its version and reports the failure.
  auto producer = kafka::Producer::Create(engine.config().bootstrap, {});
  ASSERT_TRUE(producer.ok());
  v1::RuleControl submit;
  submit.mutable_submitted()->set_version("peru@9.9.9+deadbeef");
  submit.mutable_submitted()->set_text(broken[2].text);
  submit.mutable_submitted()->set_source("broken.yaml");
  submit.set_by("mallory");
  submit.set_request_id("direct-1");
  v1::RuleControl approve;
  approve.mutable_approved()->set_version("peru@9.9.9+deadbeef");
  approve.set_by("sofia");
  approve.set_request_id("direct-2");
  for (const auto* r : {&submit, &approve}) {
    ASSERT_TRUE((*producer)->Produce(engine.config().rules_topic, 0, r->request_id(), r->SerializeAsString()).ok());
  }
  ASSERT_TRUE((*producer)->Flush(10000).ok());
  const v1::RulesOverview o = WaitRequest(api, "direct-2");
  EXPECT_EQ(o.active_version(), v1_version);
  ASSERT_EQ(o.instances_size(), 1);
  EXPECT_FALSE(o.instances(0).ok());
  EXPECT_THAT(o.instances(0).error(), HasSubstr("was refused: broken.yaml:"));
  EXPECT_THAT(o.instances(0).error(), HasSubstr("unknown list 'fatf_blacklist_2031'"));
  auto [code, body] = api.Get("/v1/rules/peru@9.9.9+deadbeef", "ana");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(ApiTestClient::Parse<v1::PackRecord>(body).status(), v1::PACK_REFUSED);

  // Still scoring with the running version.
  gen::GenOptions g;
  g.count = 3000;
  g.cases_per_typology = 2;
  testing::PublishFeed(engine.config().bootstrap, engine.config().input_topic, g);
  ASSERT_EQ(engine.WaitCommitted(3000), 3000);
  engine.Stop();
  const auto alerts = StoredAlerts(engine.config().data_dir);
  ASSERT_FALSE(alerts.empty());
  for (const v1::Alert& a : alerts) EXPECT_EQ(a.pack_version(), v1_version);
}

TEST(RuleDeployTest, MakerCheckerHoldsOnEveryInstanceAndRollbackRestoresTheEarlierVersion) {
  testing::EngineHarness engine(2);
  engine.Start();
  ApiTestClient api(engine.url());
  const std::string v1_version = Overview(api).active_version();
  const std::string v2 = PeruVariant("2.6.0", {{"pep_large_min: USD 10000.00", "pep_large_min: USD 8000.00"}});
  const std::string v2_version = VersionOf(v2);
  ASSERT_EQ(api.Post("/v1/rules", v2, "rita").first, 201);
  // An approval recorded under the author's own name (not through the API)
  // is refused by the instance: maker-checker does not rest on roles alone.
  auto producer = kafka::Producer::Create(engine.config().bootstrap, {});
  ASSERT_TRUE(producer.ok());
  v1::RuleControl self_approve;
  self_approve.mutable_approved()->set_version(v2_version);
  self_approve.set_by("rita");
  self_approve.set_request_id("self-approve");
  ASSERT_TRUE(
      (*producer)->Produce(engine.config().rules_topic, 0, "self-approve", self_approve.SerializeAsString()).ok());
  ASSERT_TRUE((*producer)->Flush(10000).ok());
  v1::RulesOverview o = WaitRequest(api, "self-approve");
  EXPECT_EQ(o.active_version(), v1_version);
  EXPECT_THAT(o.instances(0).error(), HasSubstr("maker-checker: rita submitted"));

  auto [code, body] = api.Post(absl::StrCat("/v1/rules/", v2_version, "/approve"), "", "tomas");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(Overview(api).active_version(), v2_version);
  // Approving twice is a conflict, not a second activation.
  EXPECT_EQ(api.Post(absl::StrCat("/v1/rules/", v2_version, "/approve"), "", "sofia").first, 409);
  // An investigator may not roll back; a rule author may, to an approved version only.
  EXPECT_EQ(api.Post("/v1/rules/rollback", "", "ana").first, 403);
  std::tie(code, body) = api.Post("/v1/rules/rollback", "", "rita");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(ApiTestClient::Parse<v1::DeployResult>(body).active_version(), v1_version);
  std::tie(code, body) = api.Post(absl::StrCat("/v1/rules/rollback?version=", "peru@0.0.1%2Bffffffff"), "", "rita");
  EXPECT_EQ(code, 409) << body;
  std::tie(code, body) = api.Get(absl::StrCat("/v1/rules/", v2_version), "ana");
  const auto rec = ApiTestClient::Parse<v1::PackRecord>(body);
  EXPECT_EQ(rec.status(), v1::PACK_RETIRED);
  EXPECT_EQ(rec.approved_by(), "tomas");
  std::vector<std::string> actions;
  for (const auto& e : rec.history()) actions.push_back(e.action());
  EXPECT_THAT(actions, ::testing::ElementsAre("submitted", "approved", "retired"));
  engine.Stop();
}

TEST(RuleDeployTest, ShadowAlertsAreStoredAndSearchableButNeverSentToTheAlertTopics) {
  testing::EngineHarness engine(4);
  engine.Start();
  ApiTestClient api(engine.url());
  // The shadow version alerts more: lower thresholds on several typologies.
  const std::string v2 = PeruVariant("3.0.0", {{"structuring_min_deposits: 3 ", "structuring_min_deposits: 2 "},
                                               {"pep_large_min: USD 10000.00", "pep_large_min: USD 5000.00"}});
  const std::string v2_version = VersionOf(v2);
  ASSERT_EQ(api.Post("/v1/rules", v2, "rita").first, 201);
  auto [code, body] = api.Post(absl::StrCat("/v1/rules/", v2_version, "/shadow"), "", "rita");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(ApiTestClient::Parse<v1::DeployResult>(body).shadow_version(), v2_version);
  gen::GenOptions g;
  g.count = 20000;
  g.cases_per_typology = 10;
  {
    // Two near-threshold cash deposits into one account: a pattern for the
    // shadow version only (it needs 2, the active one 3).
    auto producer = kafka::Producer::Create(engine.config().bootstrap, {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    for (int k = 0; k < 2; ++k) {
      v1::Transaction tx =
          testing::MakeTx(absl::StrCat("pair-", k), testing::DayMicros(testing::kJan5 + 20 + k), 920000, "USD");
      tx.set_channel(v1::CASH);
      tx.set_operation(v1::DEPOSIT);
      tx.mutable_beneficiary()->set_account("SHADOW-ONLY-PAIR");
      ASSERT_TRUE((*producer)
                      ->Produce(engine.config().input_topic, 0, "SHADOW-ONLY-PAIR", tx.SerializeAsString(),
                                {{"content-type", "application/x-protobuf"}})
                      .ok());
    }
    ASSERT_TRUE((*producer)->Flush(30000).ok());
  }
  testing::PublishFeed(engine.config().bootstrap, engine.config().input_topic, g);
  ASSERT_EQ(engine.WaitCommitted(20002), 20002);
  // Searchable with the shadow filter.
  std::tie(code, body) = api.Get("/v1/alerts?shadow=true&limit=5", "ana");
  ASSERT_EQ(code, 200) << body;
  EXPECT_EQ(ApiTestClient::Parse<v1::AlertPage>(body).alerts_size(), 5);
  // The report compares volumes per typology, with the overlap.
  std::tie(code, body) = api.Get("/v1/rules/shadow-report", "rita");
  ASSERT_EQ(code, 200) << body;
  const auto report = ApiTestClient::Parse<v1::ShadowReport>(body);
  EXPECT_EQ(report.shadow_version(), v2_version);
  EXPECT_GT(report.shadow_total(), 0);
  std::map<std::string, v1::ShadowReportRow> rows;
  for (const auto& r : report.typologies()) rows[r.typology_id()] = r;
  EXPECT_GT(rows["structuring"].shadow_only(), 0) << rows["structuring"].ShortDebugString();
  EXPECT_GT(rows["structuring"].both(), 0);
  EXPECT_EQ(rows["mining_cash"].both(), rows["mining_cash"].active());  // unchanged typology: same cases
  engine.Stop();                                                        // delivers the outbox before it returns

  int64_t shadow_stored = 0, active_stored = 0;
  for (const v1::Alert& a : StoredAlerts(engine.config().data_dir)) {
    if (a.shadow()) {
      EXPECT_EQ(a.pack_version(), v2_version);
      ++shadow_stored;
    } else {
      ++active_stored;
    }
  }
  ASSERT_GT(shadow_stored, 0);
  // Consumed from the topics with a Kafka client: every active alert, no shadow one.
  std::set<std::string> sent;
  for (const std::string& topic : {engine.config().uif_topic, engine.config().sunat_topic}) {
    for (const auto& r : testing::ReadTopic(engine.config().bootstrap, topic)) {
      v1::Alert a;
      google::protobuf::util::JsonParseOptions jo;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.value, &a, jo).ok()) << r.value;
      EXPECT_FALSE(a.shadow()) << a.id();
      EXPECT_NE(a.pack_version(), v2_version) << a.id();
      sent.insert(a.id());
    }
  }
  EXPECT_EQ(int64_t(sent.size()), active_stored);
}

TEST(RuleDeployTest, BacktestOverAFileGivesExactlyTheAlertsOfTheLiveEngine) {
  testing::EngineHarness engine(1);  // one partition: the topic's order is the file's
  gen::GenOptions g;
  g.count = 20000;
  g.cases_per_typology = 10;
  g.invalid = 5;
  g.seed = 11;
  const auto feed = testing::PublishFeed(engine.config().bootstrap, engine.config().input_topic, g);
  const std::string file = engine.dir().Sub("feed.txt");
  {
    std::ofstream out(file);
    for (const auto& r : feed) out << r.content_type << '\t' << absl::BytesToHexString(r.payload) << '\n';
  }
  engine.Start();
  ASSERT_EQ(engine.WaitCommitted(20000), 20000);
  engine.Stop();
  std::vector<v1::Alert> live = StoredAlerts(engine.config().data_dir);
  ASSERT_GT(live.size(), 50u);

  eval::BacktestInput in;
  in.kind = eval::BacktestInput::Kind::kFile;
  in.file = file;
  eval::BacktestOptions o;
  o.pack_path = engine.config().pack_path;
  o.fx_path = engine.config().fx_path;
  o.work_dir = engine.dir().Sub("backtest");
  o.progress = false;
  auto r = eval::RunBacktest(in, o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->records, 20000);
  EXPECT_EQ(r->dead_lettered, 5);
  ASSERT_EQ(r->alerts.size(), live.size());
  std::map<std::string, v1::Alert> by_id;
  for (v1::Alert a : live) {
    a.clear_detected_at();  // wall clock: the one field that is not a function of the input
    by_id[a.id()] = a;
  }
  for (v1::Alert a : r->alerts) {
    a.clear_detected_at();
    ASSERT_TRUE(by_id.contains(a.id())) << a.id();
    EXPECT_EQ(a.SerializeAsString(), by_id[a.id()].SerializeAsString()) << a.ShortDebugString();
  }
}

TEST(RuleDeployTest, BacktestOverAFileDoesNotDependOnItsOrder) {
  testing::TempDir dir;
  gen::GenOptions g;
  g.count = 8000;
  g.cases_per_typology = 5;
  g.seed = 19;
  std::vector<std::string> lines;
  ASSERT_TRUE(gen::Generate(g, [&](const gen::GeneratedRecord& r) {
                lines.push_back(absl::StrCat(r.content_type, "\t", absl::BytesToHexString(r.payload)));
              }).ok());
  auto run = [&](const std::vector<std::string>& order, const std::string& name) {
    const std::string file = dir.Sub(name);
    {
      std::ofstream out(file);
      for (const auto& l : order) out << l << '\n';
    }
    eval::BacktestInput in;
    in.kind = eval::BacktestInput::Kind::kFile;
    in.file = file;
    eval::BacktestOptions o;
    o.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
    o.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml";
    o.work_dir = dir.Sub(name + ".db");
    o.progress = false;
    auto r = eval::RunBacktest(in, o);
    EXPECT_TRUE(r.ok()) << r.status();
    std::map<std::string, std::string> alerts;
    if (!r.ok()) return alerts;
    for (v1::Alert a : r->alerts) {
      a.clear_detected_at();
      alerts[a.id()] = a.SerializeAsString();
    }
    return alerts;
  };
  std::vector<std::string> reversed(lines.rbegin(), lines.rend());
  std::vector<std::string> shuffled = lines;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  const auto in_order = run(lines, "in_order.txt");
  ASSERT_GT(in_order.size(), 20u);
  EXPECT_EQ(run(reversed, "reversed.txt"), in_order);
  EXPECT_EQ(run(shuffled, "shuffled.txt"), in_order);
}

}  // namespace
}  // namespace centinela
