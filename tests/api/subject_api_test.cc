// Alert evidence and the subject view over real HTTP on 127.0.0.1: alerts
// and retained transactions written by the real processor into RocksDB on
// disk, read back through the API.
#include <map>

#include "api/http_api.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/api_client.h"
#include "tests/testing/pack_harness.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPack[] = R"yaml(pack: evidence
version: 1.0.0
parameters:
  big_min: USD 1000.00
profiles:
  outflows: {subject: originator.account, counterparty: beneficiary.account}
aggregates:
  in_7d: {subject: beneficiary.account, window: 7d, function: count}
  in_sum_7d: {subject: beneficiary.account, window: 7d, function: sum}
  out_sum_7d: {subject: originator.account, window: 7d, function: sum}
rules:
  big: {when: "amount_usd >= param.big_min"}
typologies:
  big_in: {subject: beneficiary.account, rules: {big: 1}, threshold: 1, severity: high, destinations: [UIF], dedup_window: 30d}
)yaml";

class SubjectApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(h_.processor(), nullptr);
    // Into BCP-2: two from BCP-1 (one as JSON), one from BCP-3. Out of BCP-2:
    // one to BCP-1.
    v1::Transaction t1 = testing::MakeTx("t1", testing::DayMicros(testing::kJan5, 9), 150000, "USD");
    v1::Transaction t2 = testing::MakeTx("t2", testing::DayMicros(testing::kJan5, 10), 20000, "PEN");
    v1::Transaction t3 = testing::MakeTx("t3", testing::DayMicros(testing::kJan5 + 1), 300000, "USD");
    t3.mutable_originator()->set_account("BCP-3");
    t3.mutable_originator()->set_document_number("11112222");
    t3.mutable_originator()->set_name("Minera Sur SAC");
    v1::Transaction t4 = testing::MakeTx("t4", testing::DayMicros(testing::kJan5 + 2), 5000, "USD");
    std::swap(*t4.mutable_originator(), *t4.mutable_beneficiary());
    h_.Feed(t1);
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(t2, &json).ok());
    h_.FeedRaw(json, "application/json");
    h_.Feed(t3);
    h_.Feed(t4);
    alerts_ = h_.Alerts();  // commits
    ASSERT_EQ(alerts_.size(), 1u);

    tokens_ = std::make_unique<TokenAuthenticator>(*TokenAuthenticator::Create(
        {{"ana", Role::kInvestigator, Sha256Hex("token-ana")}, {"rita", Role::kRuleAuthor, Sha256Hex("token-rita")}}));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    ApiOptions o;
    o.port = 0;
    o.pack = &h_.pack();
    server_ = *ApiServer::Start(h_.store(), tokens_.get(), audit_.get(), o);
    client_ = std::make_unique<testing::ApiTestClient>(server_->base_url());
  }

  std::pair<int, std::string> Get(const std::string& path, const std::string& user = "ana") {
    return client_->Get(path, user);
  }
  template <typename M>
  M Parse(const std::string& json) {
    return testing::ApiTestClient::Parse<M>(json);
  }

  testing::PackHarness h_{testing::PackHarness::Inline{kPack}};
  testing::TempDir dir_;
  std::vector<v1::Alert> alerts_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<testing::ApiTestClient> client_;
};

TEST_F(SubjectApiTest, AlertDetailCarriesTheEvidenceTransactionsAsReceived) {
  const v1::Alert& a = alerts_[0];
  ASSERT_EQ(a.subject().id(), "BCP-2");
  auto [code, body] = Get("/v1/alerts/" + a.id());
  ASSERT_EQ(code, 200) << body;
  auto d = Parse<v1::AlertDetail>(body);
  std::vector<std::string> ids;
  for (const auto& tx : d.evidence()) ids.push_back(tx.id());
  EXPECT_THAT(ids, ElementsAre("t1", "t3"));
  EXPECT_EQ(d.missing_evidence_size(), 0);
  EXPECT_EQ(d.evidence(1).originator().name(), "Minera Sur SAC");
  EXPECT_EQ(d.evidence(1).amount().minor_units(), 300000);

  // Past retention (400 days) and the expiry grace (7 days) in event time:
  // the ids stay, the transactions are gone.
  h_.store()->AdvanceExpiryWatermark(testing::DayMicros(testing::kJan5 + 1 + 400 + 7, 13));
  d = Parse<v1::AlertDetail>(Get("/v1/alerts/" + a.id()).second);
  EXPECT_EQ(d.evidence_size(), 0);
  EXPECT_THAT(d.missing_evidence(), ElementsAre("t1", "t3"));
}

// Issue 17, defect 9: transactions were stored by id alone, so an alert fired
// on one party showed another reporting entity's transaction of the same id
// as evidence.
TEST_F(SubjectApiTest, EvidenceResolvesToItsOwnReportingEntitysTransactionOnly) {
  // Another bank reports its own "t1", to another account.
  v1::Transaction other = testing::MakeTx("t1", testing::DayMicros(testing::kJan5 + 3), 999900, "USD");
  other.mutable_reporting_entity()->set_ruc("20512333797");
  other.mutable_beneficiary()->set_account("BBVA-9");
  h_.Feed(other);
  // And the first bank re-sends its "t1" with other content: refused.
  v1::Transaction changed = testing::MakeTx("t1", testing::DayMicros(testing::kJan5, 9), 150001, "USD");
  h_.Feed(changed);
  const std::vector<v1::Alert> alerts = h_.Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(h_.processor()->counters().dead_lettered, 1);
  for (const v1::Alert& a : alerts) {
    auto d = Parse<v1::AlertDetail>(Get("/v1/alerts/" + a.id()).second);
    ASSERT_GE(d.evidence_size(), 1) << a.subject().id();
    const v1::Transaction& t1 = d.evidence(0);
    EXPECT_EQ(t1.id(), "t1");
    if (a.subject().id() == "BCP-2") {
      EXPECT_EQ(t1.amount().minor_units(), 150000);
      EXPECT_EQ(t1.reporting_entity().ruc(), "20100047218");
    } else {
      EXPECT_EQ(a.subject().id(), "BBVA-9");
      EXPECT_EQ(t1.amount().minor_units(), 999900);
      EXPECT_EQ(t1.reporting_entity().ruc(), "20512333797");
    }
  }
  // The subject view of BCP-2 lists its own t1.
  auto v = Parse<v1::SubjectView>(Get("/v1/subjects/account/BCP-2?transactions=10").second);
  for (const auto& tx : v.recent_transactions()) {
    if (tx.id() == "t1") {
      EXPECT_EQ(tx.amount().minor_units(), 150000);
    }
  }
}

TEST_F(SubjectApiTest, AccountViewHasAlertsTransactionsCounterpartiesAndCurrentState) {
  auto [code, body] = Get("/v1/subjects/account/BCP-2?transactions=3");
  ASSERT_EQ(code, 200) << body;
  auto v = Parse<v1::SubjectView>(body);
  ASSERT_EQ(v.alerts_size(), 1);
  EXPECT_EQ(v.alerts(0).typology_id(), "big_in");
  std::vector<std::string> recent;
  for (const auto& tx : v.recent_transactions()) recent.push_back(tx.id());
  EXPECT_THAT(recent, ElementsAre("t4", "t3", "t2"));              // newest first, limited to 3
  EXPECT_EQ(v.recent_transactions(2).amount().currency(), "PEN");  // the JSON record decodes again
  EXPECT_EQ(v.counterparty_transactions_examined(), 4);

  ASSERT_EQ(v.counterparties_size(), 2);
  const v1::CounterpartySummary& bcp1 = v.counterparties(0);  // three transactions
  EXPECT_EQ(bcp1.counterparty(), "BCP-1");
  EXPECT_EQ(bcp1.received_count(), 2);
  EXPECT_EQ(bcp1.sent_count(), 1);
  ASSERT_EQ(bcp1.received_size(), 2);  // per currency, as reported
  EXPECT_EQ(bcp1.received(0).currency(), "PEN");
  EXPECT_EQ(bcp1.received(0).minor_units(), 20000);
  EXPECT_EQ(bcp1.received(1).currency(), "USD");
  EXPECT_EQ(bcp1.received(1).minor_units(), 150000);
  ASSERT_EQ(bcp1.sent_size(), 1);
  EXPECT_EQ(bcp1.sent(0).minor_units(), 5000);
  EXPECT_EQ(v.counterparties(1).counterparty(), "BCP-3");
  EXPECT_EQ(v.counterparties(1).name(), "Minera Sur SAC");

  std::map<std::string, std::string> aggs;
  for (const auto& a : v.aggregates()) aggs[a.name()] = a.value();
  // PEN 200.00 at 3.75 = USD 53.33; 1,500 + 53.33 + 3,000.
  EXPECT_EQ(aggs["in_7d"], "3");
  EXPECT_EQ(aggs["in_sum_7d"], "USD 4,553.33");
  EXPECT_EQ(aggs["out_sum_7d"], "USD 50.00");
  ASSERT_EQ(v.profiles_size(), 1);
  EXPECT_EQ(v.profiles(0).name(), "outflows");
  EXPECT_EQ(v.profiles(0).count(), 1);
  EXPECT_EQ(v.profiles(0).mean().minor_units(), 5000);
  EXPECT_EQ(v.pack_version(), h_.pack().version());

  // Aggregates read at a later event time have left the 7-day window.
  v = Parse<v1::SubjectView>(Get("/v1/subjects/account/BCP-2?as_of=2026-02-01").second);
  for (const auto& a : v.aggregates()) aggs[a.name()] = a.value();
  EXPECT_EQ(aggs["in_7d"], "0");
}

TEST_F(SubjectApiTest, PersonViewByDocumentAndBadRequests) {
  auto v = Parse<v1::SubjectView>(Get("/v1/subjects/document/DNI:12345678").second);
  EXPECT_EQ(v.subject().id(), "1:12345678");
  std::vector<std::string> recent;
  for (const auto& tx : v.recent_transactions()) recent.push_back(tx.id());
  // t4 paid this person (BCP-2's holder to BCP-1's); t3 came from another person.
  EXPECT_THAT(recent, ElementsAre("t4", "t2", "t1"));
  EXPECT_EQ(Parse<v1::SubjectView>(Get("/v1/subjects/document/1:12345678").second).recent_transactions_size(), 3);
  // The search takes the same spelling.
  auto page = Parse<v1::AlertPage>(Get("/v1/alerts?document=DNI:87654321").second);
  EXPECT_EQ(page.alerts_size(), 0);  // alerts here are per account

  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/v1/subjects/document/12345678", "id"},
      {"/v1/subjects/document/XYZ:1", "id"},
      {"/v1/subjects/account/BCP-2?transactions=9999", "transactions"},
      {"/v1/subjects/account/BCP-2?alerts=x", "alerts"},
      {"/v1/subjects/account/BCP-2?as_of=soon", "as_of"},
      {"/v1/subjects/account/BCP-2?colour=red", "colour"}};
  for (const auto& [path, param] : bad) {
    auto [code, body] = Get(path);
    EXPECT_EQ(code, 400) << path;
    EXPECT_EQ(Parse<v1::ApiError>(body).parameter(), param) << path << " -> " << body;
  }
  EXPECT_EQ(Get("/v1/subjects/branch/150101").first, 404);
  EXPECT_EQ(Get("/v1/subjects/account/BCP-2", "rita").first, 403);
  // An unknown subject is an empty view, not an error: nothing is known of it.
  v = Parse<v1::SubjectView>(Get("/v1/subjects/account/NOBODY").second);
  EXPECT_EQ(v.alerts_size() + v.recent_transactions_size() + v.counterparties_size(), 0);
}

}  // namespace
}  // namespace centinela::api
