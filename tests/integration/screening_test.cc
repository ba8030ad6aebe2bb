// List screening end to end: the engine on a thread with real lists (UN XML,
// OFAC CSV, a CSV PEP list), transactions through the embedded broker, the
// alert topics read back with a Kafka consumer, the API over HTTP, and list
// reloads while the stream runs.
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/yaml_util.h"
#include "centinela/v1/alert.pb.h"
#include "centinela/v1/rules.pb.h"
#include "centinela/v1/screening.pb.h"
#include "connectors/kafka/kafka.h"
#include "eval/backtest.h"
#include "eval/screening_eval.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_client.h"
#include "tests/testing/engine_harness.h"
#include "tests/testing/kafka_util.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using testing::ApiTestClient;
using ::testing::HasSubstr;

constexpr const char* kLists = CENTINELA_SOURCE_DIR "/../shared/data/lists/";

using screening::MakeListSpec;

screening::ListSpec PepSpec() {
  const std::string mapping = CENTINELA_SOURCE_DIR "/deploy/config/lists/pep_pe.mapping.yaml";
  screening::ListSpec s =
      MakeListSpec("pep_pe", screening::ListFormat::kCsv, CENTINELA_SOURCE_DIR "/deploy/config/lists/pep_pe_sample.csv",
                   screening::ListCategory::kPep);
  auto doc = LoadYaml(*ReadFile(mapping, "mapping"), mapping);
  EXPECT_TRUE(doc.ok()) << doc.status();
  auto m = screening::ParseCsvListMapping(*doc, mapping);
  EXPECT_TRUE(m.ok()) << m.status();
  s.mapping = *m;
  return s;
}

// A transfer between two parties; background parties get generated
// Peruvian names.
v1::Transaction Transfer(const std::string& id, int i, const std::string& originator, const std::string& beneficiary) {
  v1::Transaction tx = testing::MakeTx(id, testing::DayMicros(testing::kJan5) + int64_t(i) * 1000000, 250000);
  tx.mutable_originator()->set_name(originator);
  tx.mutable_originator()->set_account(absl::StrCat("BCP-O", i));
  tx.mutable_beneficiary()->set_name(beneficiary);
  tx.mutable_beneficiary()->set_account(absl::StrCat("BCP-B", i));
  return tx;
}

void Publish(const std::string& bootstrap, const std::string& topic, const std::vector<v1::Transaction>& txs) {
  auto producer = kafka::Producer::Create(bootstrap, {});
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (const auto& tx : txs) {
    ASSERT_TRUE((*producer)
                    ->Produce(topic, -1, tx.beneficiary().account(), tx.SerializeAsString(),
                              {{"content-type", "application/x-protobuf"}})
                    .ok());
  }
  ASSERT_TRUE((*producer)->Flush(30000).ok());
}

std::vector<v1::Alert> AlertsOn(const std::string& bootstrap, const std::string& topic) {
  std::vector<v1::Alert> out;
  for (const auto& r : testing::ReadTopic(bootstrap, topic)) {
    google::protobuf::util::JsonParseOptions o;
    o.ignore_unknown_fields = true;
    v1::Alert a;
    if (google::protobuf::util::JsonStringToMessage(r.value, &a, o).ok() || a.ParseFromString(r.value)) {
      out.push_back(std::move(a));
    }
  }
  return out;
}

const v1::Alert* ByTypology(const std::vector<v1::Alert>& alerts, const std::string& typology) {
  for (const auto& a : alerts) {
    if (a.typology_id() == typology) return &a;
  }
  return nullptr;
}

TEST(ScreeningTest, SanctionedAndPepPartiesRaiseExplainedAlertsOnTheUifTopic) {
  testing::EngineHarness engine(2);
  engine.config().lists = {
      MakeListSpec("un", screening::ListFormat::kUn, std::string(kLists) + "un_consolidated_2026-02.xml"),
      MakeListSpec("ofac", screening::ListFormat::kOfac, std::string(kLists) + "ofac-small/sdn.csv"), PepSpec()};
  engine.Start();
  std::vector<v1::Transaction> txs;
  const std::vector<std::string> names = eval::GeneratePeruvianNames(400, 99);
  for (int i = 0; i + 1 < int(names.size()); i += 2) {
    txs.push_back(Transfer(absl::StrCat("bg-", i), i, names[size_t(i)], names[size_t(i) + 1]));
  }
  // UN CDi.001 ERIC BADEGE, misspelt, as beneficiary.
  txs.push_back(Transfer("sanctioned-1", 1000, "Maria Quispe Flores", "Erik Badege"));
  // OFAC (small sample) entity as beneficiary, with a legal form added.
  v1::Transaction ofac =
      Transfer("sanctioned-2", 1001, "Jorge Ramos Torres", "Iran Aircraft Manufacturing Industrial Co. Ltd.");
  ofac.mutable_beneficiary()->set_kind(v1::COMPANY);
  ofac.mutable_beneficiary()->set_document_type(v1::NON_RESIDENT);
  ofac.mutable_beneficiary()->set_document_number("IR-0001");
  ofac.mutable_beneficiary()->set_country("IR");
  txs.push_back(ofac);
  // A PEP of the (fictitious) national list as originator, by DNI.
  v1::Transaction pep = Transfer("pep-1", 1002, "Rosalinda Huamani Ccori", "Carlos Rojas Vega");
  pep.mutable_originator()->set_document_number("40000001");
  txs.push_back(pep);
  Publish(engine.config().bootstrap, engine.config().input_topic, txs);
  ASSERT_EQ(engine.WaitCommitted(int64_t(txs.size())), int64_t(txs.size()));

  const std::vector<v1::Alert> uif = AlertsOn(engine.config().bootstrap, engine.config().uif_topic);
  // Severity follows evidence: the misspelt name alone is a HIGH alert for
  // review; the entity confirmed by its country is CRITICAL.
  std::map<std::string, std::string> sanctioned_tx;  // transaction -> typology
  for (const auto& a : uif) {
    if (a.typology_id().find("sanctions_") != 0) continue;
    EXPECT_EQ(a.severity(), a.typology_id().find("_name_") != std::string::npos ? v1::HIGH : v1::CRITICAL)
        << a.typology_id();
    for (const auto& h : a.hits()) sanctioned_tx[h.transaction_id()] = a.typology_id();
  }
  // Exactly the two sanctioned parties; none of the 400 generated names.
  EXPECT_EQ(sanctioned_tx, (std::map<std::string, std::string>{{"sanctioned-1", "sanctions_name_match_beneficiary"},
                                                               {"sanctioned-2", "sanctions_match_beneficiary"}}));
  const v1::Alert* un = ByTypology(uif, "sanctions_name_match_beneficiary");
  ASSERT_NE(un, nullptr);
  const auto seen = testing::ObservedValues(*un);
  bool explained = false;
  for (const auto& [name, value] : seen) {
    if (name != "screen(beneficiary, \"sanctions\")") continue;
    explained = true;
    // Entry, matched name, token scores, the evidence and the list version.
    EXPECT_THAT(value, HasSubstr("UN-CDi.001 'ERIC BADEGE'"));
    EXPECT_THAT(value, HasSubstr("erik=eric"));
    EXPECT_THAT(value, HasSubstr("evidence: name only"));
    EXPECT_THAT(value, HasSubstr(" on un@"));
  }
  EXPECT_TRUE(explained) << un->ShortDebugString();
  const v1::Alert* confirmed = ByTypology(uif, "sanctions_match_beneficiary");
  ASSERT_NE(confirmed, nullptr);
  EXPECT_THAT(testing::ObservedValues(*confirmed)["screen(beneficiary, \"sanctions\")"],
              HasSubstr("evidence: nationality or country"));
  const v1::Alert* p = ByTypology(uif, "pep_list_match_originator");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->severity(), v1::MEDIUM);
  EXPECT_THAT(testing::ObservedValues(*p)["screen(originator, \"pep\")"], HasSubstr("40000001"));
  // Not on SUNAT's queue.
  for (const auto& a : AlertsOn(engine.config().bootstrap, engine.config().sunat_topic)) {
    EXPECT_THAT(a.typology_id(), ::testing::Not(HasSubstr("sanctions")));
  }

  // A backtest over the same records, with the same lists, screens alike:
  // the same sanctions and PEP alerts, field for field but detected_at.
  const std::string file = engine.dir().Sub("feed.txt");
  {
    std::ofstream out(file);
    for (const auto& tx : txs)
      out << "application/x-protobuf\t" << absl::BytesToHexString(tx.SerializeAsString()) << '\n';
  }
  eval::BacktestInput in;
  in.file = file;
  eval::BacktestOptions bo;
  bo.pack_path = engine.config().pack_path;
  bo.fx_path = engine.config().fx_path;
  bo.work_dir = engine.dir().Sub("backtest");
  bo.progress = false;
  bo.lists = engine.config().lists;
  auto backtest = eval::RunBacktest(in, bo);
  ASSERT_TRUE(backtest.ok()) << backtest.status();
  std::map<std::string, std::string> live_listed, backtest_listed;
  for (v1::Alert a : uif) {
    if (a.typology_id().find("match_") == std::string::npos) continue;
    a.clear_detected_at();
    live_listed[a.id()] = a.SerializeAsString();
  }
  for (v1::Alert a : backtest->alerts) {
    if (a.typology_id().find("match_") == std::string::npos) continue;
    a.clear_detected_at();
    backtest_listed[a.id()] = a.SerializeAsString();
  }
  EXPECT_EQ(live_listed.size(), 3u);
  EXPECT_EQ(backtest_listed, live_listed);

  // The same screening for compliance officers over the API.
  ApiTestClient api(engine.url());
  auto [code, body] = api.Post("/v1/screen", R"({"name": "Badege, Erik", "dob": "1971", "lists": ["un"]})", "ana");
  ASSERT_EQ(code, 200) << body;
  const auto result = ApiTestClient::Parse<v1::ScreenResult>(body);
  ASSERT_GE(result.hits_size(), 1);
  EXPECT_EQ(result.hits(0).entry_id(), "UN-CDi.001");
  EXPECT_THAT(result.hits(0).factors(), ::testing::Contains(HasSubstr("DOB 1971 fits listed 1971")));
  auto [ccode, cbody] = api.Post("/v1/screen/compare", R"({"a": "金正恩", "b": "Kim Jong Un"})", "ana");
  ASSERT_EQ(ccode, 200) << cbody;
  EXPECT_GE(ApiTestClient::Parse<v1::CompareResult>(cbody).score(), 0.75);
  auto [bcode, bbody] = api.Post(
      "/v1/screen/batch",
      R"({"queries": [{"name": "Erik Badege"}, {"name": "Rosa Mamani"}, {"name": "x", "dob": "soon"}]})", "ana");
  ASSERT_EQ(bcode, 200) << bbody;
  const auto batch = ApiTestClient::Parse<v1::BatchScreenResult>(bbody);
  ASSERT_EQ(batch.results_size(), 3);
  EXPECT_GE(batch.results(0).hits_size(), 1);
  EXPECT_EQ(batch.results(1).hits_size(), 0);
  EXPECT_THAT(batch.results(2).error(), HasSubstr("dob 'soon' is not YYYY"));
  auto [bad, bad_body] = api.Post("/v1/screen", R"({"name": "x", "lists": ["nope"]})", "ana");
  EXPECT_EQ(bad, 404) << bad_body;
  EXPECT_THAT(bad_body, HasSubstr("no list named 'nope'"));
  // An investigator may screen but not reload lists.
  auto [forbidden, fbody] = api.Post("/v1/lists/un/load", "", "ana");
  EXPECT_EQ(forbidden, 403) << fbody;
  engine.Stop();
}

TEST(ScreeningTest, ListsReloadWhileTheStreamRunsAndABrokenFileKeepsThePreviousVersion) {
  testing::EngineHarness engine(4);
  engine.config().lists = {
      MakeListSpec("ofac", screening::ListFormat::kOfac, std::string(kLists) + "ofac-small/sdn.csv")};
  // Reloads may name files here (the shared lists, and this test's own).
  testing::TempDir dir;
  engine.config().list_dirs = {dir.path(), kLists};
  engine.config().list_dirs_configured = true;
  engine.Start();
  ApiTestClient api(engine.url());
  auto info = [&] {
    auto [code, body] = api.Get("/v1/lists", "ana");
    EXPECT_EQ(code, 200) << body;
    return ApiTestClient::Parse<v1::ListsOverview>(body);
  };
  const std::string first_version = info().lists(0).version();
  EXPECT_EQ(info().lists(0).entries(), 17);

  // A generated feed streams while the lists are reloaded.
  constexpr int64_t kRecords = 30000;
  gen::GenOptions g;
  g.count = kRecords;
  g.cases_per_typology = 5;
  g.invalid = 6;
  std::thread producer([&] { testing::PublishFeed(engine.config().bootstrap, engine.config().input_topic, g); });
  ASSERT_GE(engine.WaitCommitted(3000), 3000);

  // A broken file: refused with its file and line; the previous version stays.
  const std::string broken = dir.Sub("sdn.csv");
  std::ofstream(broken) << "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\n";
  auto [code, body] = api.Post("/v1/lists/ofac/load", absl::StrCat(R"({"path": ")", broken, R"("})"), "sofia");
  EXPECT_EQ(code, 422) << body;
  auto refused = ApiTestClient::Parse<v1::LoadListResult>(body);
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.error(), HasSubstr(broken + ":1: expected 12 columns"));
  EXPECT_EQ(refused.active().version(), first_version);
  // Broken XML for a list not configured yet: refused, nothing added.
  const std::string broken_xml = dir.Sub("un.xml");
  std::ofstream(broken_xml) << "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL>\n</CONSOLIDATED_LIST>\n";
  auto [xcode, xbody] =
      api.Post("/v1/lists/un/load", absl::StrCat(R"({"path": ")", broken_xml, R"(", "format": "un"})"), "sofia");
  EXPECT_EQ(xcode, 422) << xbody;
  EXPECT_THAT(xbody, HasSubstr("un.xml:4:3: XML error: mismatched tag"));
  EXPECT_EQ(info().lists_size(), 1);

  // A good file swaps in while records keep flowing.
  const int64_t before = engine.committed();
  auto [ok_code, ok_body] =
      api.Post("/v1/lists/ofac/load", absl::StrCat(R"({"path": ")", kLists, R"(ofac-2019/sdn.csv"})"), "sofia");
  ASSERT_EQ(ok_code, 200) << ok_body;
  const auto loaded = ApiTestClient::Parse<v1::LoadListResult>(ok_body);
  EXPECT_TRUE(loaded.ok());
  EXPECT_NE(loaded.active().version(), first_version);
  EXPECT_EQ(loaded.active().entries(), 7379);
  EXPECT_EQ(info().swaps(), 2);
  producer.join();
  // Every record of the feed was committed: nothing lost around the swaps.
  EXPECT_EQ(engine.WaitCommitted(kRecords), kRecords);
  std::printf("reload: committed %lld records before the swap request, %lld after the feed\n",
              static_cast<long long>(before), static_cast<long long>(engine.committed()));

  // The new version screens: an entry only the 2019 list has.
  v1::Transaction tx = Transfer("after-swap", 5000, "Luis Garcia Paredes", "Aerocaribbean Airlines S.A.");
  tx.mutable_beneficiary()->set_kind(v1::COMPANY);
  tx.mutable_beneficiary()->set_document_type(v1::NON_RESIDENT);
  tx.mutable_beneficiary()->set_document_number("CU-36");
  tx.mutable_beneficiary()->set_country("CU");
  Publish(engine.config().bootstrap, engine.config().input_topic, {tx});
  ASSERT_EQ(engine.WaitCommitted(kRecords + 1), kRecords + 1);
  bool found = false;
  for (const auto& a : AlertsOn(engine.config().bootstrap, engine.config().uif_topic)) {
    for (const auto& h : a.hits()) {
      if (h.transaction_id() != "after-swap") continue;
      found = true;
      EXPECT_EQ(a.typology_id(), "sanctions_match_beneficiary");
      EXPECT_THAT(testing::ObservedValues(a)["screen(beneficiary, \"sanctions\")"],
                  HasSubstr(absl::StrCat("OFAC-36 'AEROCARIBBEAN AIRLINES'")));
      EXPECT_THAT(testing::ObservedValues(a)["screen(beneficiary, \"sanctions\")"],
                  HasSubstr(absl::StrCat("ofac@", loaded.active().version())));
    }
  }
  EXPECT_TRUE(found);

  // The reload went over the control topic (the broken files never did): the
  // same instance restarted, and a new instance with storage of its own,
  // start from the configured ofac-small and then load the published 2019
  // file.
  engine.Stop();
  auto ofac_after_start = [&] {
    engine.Start();
    ApiTestClient restarted(engine.url());
    auto [lcode, lbody] = restarted.Get("/v1/lists", "ana");
    EXPECT_EQ(lcode, 200) << lbody;
    const auto lists = ApiTestClient::Parse<v1::ListsOverview>(lbody);
    engine.Stop();
    return lists;
  };
  v1::ListsOverview again = ofac_after_start();
  ASSERT_EQ(again.lists_size(), 1);
  EXPECT_EQ(again.lists(0).version(), loaded.active().version());
  EXPECT_EQ(again.lists(0).entries(), 7379);
  engine.config().data_dir = dir.Sub("second-db");
  engine.config().instance = "second-instance";
  v1::ListsOverview second = ofac_after_start();
  ASSERT_EQ(second.lists_size(), 1);
  EXPECT_EQ(second.lists(0).version(), loaded.active().version());
  EXPECT_EQ(second.lists(0).entries(), 7379);

  // A reload published by another instance's API reaches a running
  // instance: loaded on its loader thread and swapped in.
  engine.Start();
  ApiTestClient live(engine.url());
  v1::RuleControl from_other;
  v1::ListLoad* load = from_other.mutable_list_load();
  load->set_name("ofac");
  load->set_path(std::string(kLists) + "ofac-small/sdn.csv");
  load->set_format("ofac");
  load->set_category("sanctions");
  load->set_version(first_version);
  from_other.set_by("sofia");
  from_other.set_request_id("reload-from-another-instance");
  auto control = kafka::Producer::Create(engine.config().bootstrap, {});
  ASSERT_TRUE(control.ok()) << control.status();
  ASSERT_TRUE((*control)
                  ->Produce(engine.config().rules_topic, 0, from_other.request_id(), from_other.SerializeAsString())
                  .ok());
  ASSERT_TRUE((*control)->Flush(10000).ok());
  v1::ListsOverview now;
  for (int i = 0; i < 2000; ++i) {
    auto [lcode, lbody] = live.Get("/v1/lists", "ana");
    ASSERT_EQ(lcode, 200) << lbody;
    now = ApiTestClient::Parse<v1::ListsOverview>(lbody);
    if (now.lists(0).version() == first_version) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // polling a condition, bounded
  }
  EXPECT_EQ(now.lists(0).version(), first_version);
  EXPECT_EQ(now.lists(0).entries(), 17);
  engine.Stop();
}

// A false match suppressed through the API (proposed by an investigator,
// confirmed by a supervisor, carried by the control topic) is skipped by the
// stream from then on, for that party only; the audit log has every step.
TEST(ScreeningTest, AConfirmedSuppressionSkipsTheFalseMatchInTheStream) {
  testing::EngineHarness engine(1);
  engine.config().lists = {
      MakeListSpec("un", screening::ListFormat::kUn, std::string(kLists) + "un_consolidated_2026-02.xml")};
  engine.Start();
  auto sanctioned = [&](const std::string& id, int i, const std::string& document) {
    v1::Transaction tx = Transfer(id, i, "Maria Quispe Flores", "Erik Badege");
    tx.mutable_beneficiary()->set_document_number(document);
    tx.mutable_beneficiary()->set_country("PE");
    tx.mutable_beneficiary()->set_kind(v1::PERSON);
    return tx;
  };
  Publish(engine.config().bootstrap, engine.config().input_topic, {sanctioned("before", 1, "40000001")});
  ASSERT_EQ(engine.WaitCommitted(1), 1);

  ApiTestClient api(engine.url());
  auto [code, body] = api.Post("/v1/suppressions",
                               R"({"party": {"name": "Erik Badege", "country": "PE", "document": "40000001"}, )"
                               R"("list": "un", "entry_id": "UN-CDi.001", "note": "a Lima tailor, born 1990"})",
                               "ana");
  ASSERT_EQ(code, 201) << body;
  auto [ccode, cbody] = api.Post("/v1/suppressions/S-1/confirm", R"({"note": "RENIEC record checked"})", "sofia");
  ASSERT_EQ(ccode, 200) << cbody;
  EXPECT_EQ(ApiTestClient::Parse<v1::SuppressionResult>(cbody).suppression().state(), v1::SUPPRESSION_ACTIVE);

  // The same party again, and a namesake with another document.
  Publish(engine.config().bootstrap, engine.config().input_topic,
          {sanctioned("after", 2, "40000001"), sanctioned("namesake", 3, "40000002")});
  ASSERT_EQ(engine.WaitCommitted(3), 3);
  std::set<std::string> alerted;
  for (const auto& a : AlertsOn(engine.config().bootstrap, engine.config().uif_topic)) {
    if (a.typology_id().find("sanctions_") != 0) continue;
    for (const auto& h : a.hits()) alerted.insert(h.transaction_id());
  }
  EXPECT_EQ(alerted, (std::set<std::string>{"before", "namesake"}));
  auto [lcode, lbody] = api.Get("/v1/suppressions?party=badege", "tomas");
  ASSERT_EQ(lcode, 200) << lbody;
  EXPECT_THAT(lbody, HasSubstr("\"decided_by\":\"sofia\""));
  engine.Stop();
}

}  // namespace
}  // namespace centinela
