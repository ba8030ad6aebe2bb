// The investigator API over real HTTP on 127.0.0.1, against RocksDB on disk
// and an audit log file.
#include "api/http_api.h"

#include <fstream>
#include <map>
#include <sstream>

#include "engine/state/outbox.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "tests/testing/alert_fixture.h"
#include "tests/testing/api_client.h"
#include "tests/testing/raw_http.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class HttpApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *Store::Open(dir_.Sub("db"), {});
    std::vector<TokenAuthenticator::Entry> entries;
    for (const auto& [user, role] : std::vector<std::pair<std::string, Role>>{{"ana", Role::kInvestigator},
                                                                              {"sofia", Role::kSupervisor},
                                                                              {"rita", Role::kRuleAuthor},
                                                                              {"root", Role::kAdmin}}) {
      entries.push_back({user, role, Sha256Hex("token-" + user)});
    }
    tokens_ = std::make_unique<TokenAuthenticator>(*TokenAuthenticator::Create(entries));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    ApiOptions o;
    o.port = 0;
    o.max_body_bytes = 4096;
    o.outbox_changed = [this] { ++outbox_changes_; };
    server_ = *ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
    client_ = std::make_unique<testing::ApiTestClient>(server_->base_url());
  }

  httplib::Headers As(const std::string& user) { return testing::ApiTestClient::As(user); }
  std::pair<int, std::string> Get(const std::string& path, const std::string& user = "ana") {
    return client_->Get(path, user);
  }
  std::pair<int, std::string> Post(const std::string& path, const std::string& body, const std::string& user,
                                   httplib::Headers extra = {}) {
    return client_->Post(path, body, user, std::move(extra));
  }
  template <typename M>
  M Parse(const std::string& json) {
    return testing::ApiTestClient::Parse<M>(json);
  }

  std::vector<std::string> Ids(const std::string& query) {
    auto [code, body] = Get("/v1/alerts?" + query);
    EXPECT_EQ(code, 200) << query << " -> " << body;
    std::vector<std::string> ids;
    const auto page = Parse<v1::AlertPage>(body);
    for (const auto& a : page.alerts()) ids.push_back(a.id());
    return ids;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<testing::ApiTestClient> client_;
  std::atomic<int> outbox_changes_{0};
};

TEST_F(HttpApiTest, HealthIsOpenEverythingElseNeedsAToken) {
  EXPECT_EQ(Get("/healthz", "").first, 200);
  EXPECT_EQ(Get("/readyz", "").first, 200);
  auto [code, body] = Get("/v1/alerts", "");
  EXPECT_EQ(code, 401);
  EXPECT_EQ(Parse<v1::ApiError>(body).error(), "unauthorized");
  auto r = client_->raw().Get("/v1/alerts", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(Get("/v1/audit", "").first, 401);
  EXPECT_EQ(Post("/v1/alerts/x/transition", "{}", "nobody").first, 401);
}

// Issue 17, defect 1: an alert protobuf cannot print (an event time beyond
// year 9999) was answered 200 with truncated JSON.
TEST_F(HttpApiTest, AnAlertThatCannotBePrintedIsA500NamingWhyNotATruncated200) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "bad"}).ok());
  std::string stored;
  ASSERT_TRUE(*store_->Get(Cf::kAlerts, "bad", &stored));
  v1::Alert a;
  ASSERT_TRUE(a.ParseFromString(stored));
  a.mutable_created_event_time()->set_seconds(int64_t(1) << 50);
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kAlerts), "bad", a.SerializeAsString());
  ASSERT_TRUE(store_->Write(&batch).ok());
  for (const std::string path : {"/v1/alerts/bad", "/v1/alerts"}) {
    auto [code, body] = Get(path);
    EXPECT_EQ(code, 500) << path << " -> " << body;
    const auto e = Parse<v1::ApiError>(body);
    EXPECT_EQ(e.error(), "internal") << body;
    EXPECT_THAT(e.message(), HasSubstr("cannot print")) << body;
  }
}

TEST_F(HttpApiTest, ParkedOutboxRecordsAreListedAndAnAdminPutsThemBack) {
  v1::ParkedOutboxEntry p;
  p.mutable_entry()->set_topic("centinela.dlq");
  p.mutable_entry()->set_key("fiu.transactions/3/368");
  p.mutable_entry()->set_value(std::string(900, 'x'));
  p.set_error("delivery to centinela.dlq: kafka: Broker: Message size too large (refused for good)");
  p.set_parked_at_micros(testing::DayMicros(testing::kJan5));
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kOutboxParked), OutboxKey(7), p.SerializeAsString());
  ASSERT_TRUE(store_->Write(&batch).ok());
  EXPECT_EQ(Get("/v1/outbox", "ana").first, 403);
  auto [code, body] = Get("/v1/outbox", "sofia");
  ASSERT_EQ(code, 200) << body;
  const auto o = Parse<v1::OutboxOverview>(body);
  EXPECT_EQ(o.pending(), 0);
  EXPECT_EQ(o.parked(), 1);
  ASSERT_EQ(o.parked_records_size(), 1);
  EXPECT_EQ(o.parked_records(0).seq(), 7);
  EXPECT_EQ(o.parked_records(0).topic(), "centinela.dlq");
  EXPECT_EQ(o.parked_records(0).bytes(), 900);
  EXPECT_THAT(o.parked_records(0).error(), HasSubstr("too large"));
  EXPECT_EQ(Post("/v1/outbox/parked/7/retry", "", "sofia").first, 403);
  EXPECT_EQ(Post("/v1/outbox/parked/8/retry", "", "root").first, 404);
  EXPECT_EQ(outbox_changes_.load(), 0);
  auto [retried, rbody] = Post("/v1/outbox/parked/7/retry", "", "root");
  EXPECT_EQ(retried, 200) << rbody;
  EXPECT_EQ(Parse<v1::OutboxOverview>(rbody).pending(), 1);
  EXPECT_EQ(outbox_changes_.load(), 1);
  EXPECT_EQ(Parse<v1::OutboxOverview>(Get("/v1/outbox", "root").second).parked(), 0);
}

TEST_F(HttpApiTest, RolesGetWhatTheyMayAndA403Otherwise) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "a1"}).ok());
  const std::map<std::string, std::vector<int>> expected = {// user: search, detail, audit
                                                            {"ana", {200, 200, 403}},
                                                            {"sofia", {200, 200, 403}},
                                                            {"rita", {403, 403, 403}},
                                                            {"root", {403, 403, 200}}};
  for (const auto& [user, codes] : expected) {
    EXPECT_EQ(Get("/v1/alerts", user).first, codes[0]) << user;
    EXPECT_EQ(Get("/v1/alerts/a1", user).first, codes[1]) << user;
    auto [code, body] = Get("/v1/audit", user);
    EXPECT_EQ(code, codes[2]) << user;
    if (code == 403) {
      EXPECT_EQ(Parse<v1::ApiError>(body).error(), "forbidden");
    }
  }
  // rule authors and admins may not move alerts either.
  for (const std::string user : {"rita", "root"}) {
    EXPECT_EQ(Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"x"})", user).first, 403) << user;
  }
}

TEST_F(HttpApiTest, EveryFilterAndSort) {
  using testing::AlertSpec;
  ASSERT_TRUE(testing::PutAlert(store_.get(), {"a1", 1, 1.0, "fan_in", "ACC-1", v1::MEDIUM, {v1::UIF}, "150101"}).ok());
  ASSERT_TRUE(
      testing::PutAlert(
          store_.get(),
          {"a2", 2, 2.0, "structuring", "ACC-2", v1::HIGH, {v1::UIF, v1::SUNAT}, "170101", false, "peru@2.2.0+def"})
          .ok());
  ASSERT_TRUE(
      testing::PutAlert(store_.get(), {"a3", 3, 1.5, "fan_in", "ACC-2", v1::HIGH, {v1::SUNAT}, "150102", true}).ok());
  EXPECT_THAT(Ids(""), ElementsAre("a3", "a2", "a1"));
  EXPECT_THAT(Ids("account=ACC-2"), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids("subject_kind=account&subject_id=ACC-1"), ElementsAre("a1"));
  EXPECT_THAT(Ids("document=DNI:10203040"), ElementsAre());
  EXPECT_THAT(Ids("typology=fan_in"), ElementsAre("a3", "a1"));
  EXPECT_THAT(Ids("destination=sunat"), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids("status=NEW"), ElementsAre("a3", "a2", "a1"));
  EXPECT_THAT(Ids("severity=HIGH"), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids("score_min=1.2&score_max=1.8"), ElementsAre("a3"));
  EXPECT_THAT(Ids("from=2026-01-07&to=2026-01-08"), ElementsAre("a2"));
  EXPECT_THAT(Ids("from=2026-01-07T00:00:00Z"), ElementsAre("a3", "a2"));
  EXPECT_THAT(Ids("region=15"), ElementsAre("a3", "a1"));
  EXPECT_THAT(Ids("region=150102"), ElementsAre("a3"));
  EXPECT_THAT(Ids("typology=fan_in&region=1501"), ElementsAre("a3", "a1"));  // the typology-by-region index
  EXPECT_THAT(Ids("typology=fan_in&region=17"), ElementsAre());
  EXPECT_THAT(Ids("typology=structuring&region=17&sort=score"), ElementsAre("a2"));
  EXPECT_THAT(Ids("pack_version=peru@2.2.0%2Bdef"), ElementsAre("a2"));
  EXPECT_THAT(Ids("shadow=true"), ElementsAre("a3"));
  EXPECT_THAT(Ids("shadow=false&typology=fan_in"), ElementsAre("a1"));
  EXPECT_THAT(Ids("sort=score"), ElementsAre("a2", "a3", "a1"));
  EXPECT_THAT(Ids("sort=score&order=asc"), ElementsAre("a1", "a3", "a2"));
  EXPECT_THAT(Ids("order=asc"), ElementsAre("a1", "a2", "a3"));
  // The summary carries what a results table shows.
  auto page = Parse<v1::AlertPage>(Get("/v1/alerts?account=ACC-1").second);
  ASSERT_EQ(page.alerts_size(), 1);
  EXPECT_EQ(page.alerts(0).status(), v1::NEW);
  EXPECT_EQ(page.alerts(0).region_ubigeo(), "150101");
}

TEST_F(HttpApiTest, CursorPaginationStaysStableWhileAlertsArrive) {
  for (int i = 0; i < 7; ++i)
    ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "p" + std::to_string(i), .day = i}).ok());
  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto [code, body] = Get("/v1/alerts?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(code, 200) << body;
    auto page = Parse<v1::AlertPage>(body);
    for (const auto& a : page.alerts()) seen.push_back(a.id());
    cursor = page.next_cursor();
    if (++pages == 1) {
      ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "p-late", .day = 30}).ok());
    }
  } while (!cursor.empty());
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre("p6", "p5", "p4", "p3", "p2", "p1", "p0"));
}

TEST_F(HttpApiTest, EveryTransitionWithNotesVersionsAndReopen) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "w1"}).ok());
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "w2"}).ok());
  const std::string t = "/v1/alerts/w1/transition";
  auto [c0, b0] = Post(t, R"({"to":"UNDER_REVIEW"})", "ana");
  EXPECT_EQ(c0, 400);
  EXPECT_EQ(Parse<v1::ApiError>(b0).parameter(), "note");
  auto [c1, b1] = Post(t, R"({"to":"UNDER_REVIEW","note":"taking it"})", "ana", {{"If-Match", "\"0\""}});
  ASSERT_EQ(c1, 200) << b1;
  EXPECT_EQ(Parse<v1::AlertWorkflow>(b1).version(), 1);
  // Someone who still holds version 0 gets a conflict, not an overwrite.
  auto [c2, b2] = Post(t, R"({"to":"DISMISSED","note":"nothing","expected_version":0})", "sofia");
  EXPECT_EQ(c2, 409);
  EXPECT_THAT(Parse<v1::ApiError>(b2).message(), HasSubstr("version 1"));
  EXPECT_EQ(Post(t, R"({"to":"ESCALATED_TO_ROS","note":"ROS drafted","expected_version":1})", "ana").first, 200);
  // Closed: only a supervisor reopens.
  EXPECT_EQ(Post(t, R"({"to":"UNDER_REVIEW","note":"again","expected_version":2})", "ana").first, 403);
  EXPECT_EQ(Post(t, R"({"to":"UNDER_REVIEW","note":"new facts","expected_version":2})", "sofia").first, 200);
  EXPECT_EQ(Post(t, R"({"to":"DISMISSED","note":"explained by payroll","expected_version":3})", "ana").first, 200);
  EXPECT_EQ(Post(t, R"({"to":"NEW","note":"x","expected_version":4})", "sofia").first, 400);
  // The other path from NEW, and a transition that skips review.
  EXPECT_EQ(Post("/v1/alerts/w2/transition", R"({"to":"DISMISSED","note":"x"})", "ana").first, 400);
  // Detail shows the history and the ETag to send back.
  auto r = client_->raw().Get("/v1/alerts/w1", As("ana"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("ETag"), "\"4\"");
  auto d = Parse<v1::AlertDetail>(r->body);
  ASSERT_EQ(d.workflow().history_size(), 4);
  EXPECT_EQ(d.workflow().status(), v1::DISMISSED);
  EXPECT_EQ(d.workflow().history(2).by(), "sofia");
  EXPECT_EQ(d.alert().id(), "w1");
  EXPECT_THAT(Ids("status=DISMISSED"), ElementsAre("w1"));
  EXPECT_THAT(Ids("status=NEW"), ElementsAre("w2"));
}

TEST_F(HttpApiTest, BadRequestsNameTheParameterAndNeverCrash) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "a1"}).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {{"colour=red", "colour"},
                                                                {"limit=0", "limit"},
                                                                {"limit=abc", "limit"},
                                                                {"status=OPEN", "status"},
                                                                {"severity=7", "severity"},
                                                                {"score_min=-1", "score_min"},
                                                                {"from=yesterday", "from"},
                                                                {"region=153", "region"},
                                                                {"sort=name", "sort"},
                                                                {"order=up", "order"},
                                                                {"shadow=yes", "shadow"},
                                                                {"cursor=xyz", "cursor"},
                                                                {"subject_id=ACC-1", "subject_kind"},
                                                                {"document=10203040", "document"},
                                                                {"limit=1&limit=2", "limit"},
                                                                {"from=2026-02-01&to=2026-01-01", "from"}};
  for (const auto& [query, param] : bad) {
    auto [code, body] = Get("/v1/alerts?" + query);
    EXPECT_EQ(code, 400) << query;
    EXPECT_EQ(Parse<v1::ApiError>(body).parameter(), param) << query << " -> " << body;
  }
  auto [c404, b404] = Get("/v1/alerts/al-does-not-exist");
  EXPECT_EQ(c404, 404);
  EXPECT_EQ(Parse<v1::ApiError>(b404).error(), "not_found");
  EXPECT_EQ(Get("/v1/nothing-here").first, 404);
  EXPECT_EQ(Post("/v1/alerts/a1/transition", "not json", "ana").first, 400);
  EXPECT_EQ(Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"x","colour":1})", "ana").first, 400);
  EXPECT_EQ(Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"x"})", "ana", {{"If-Match", "abc"}}).first,
            400);
  auto [c413, b413] = Post("/v1/alerts/a1/transition", std::string(10000, 'x'), "ana");
  EXPECT_EQ(c413, 413);
  // Still serving.
  EXPECT_EQ(Get("/v1/alerts").first, 200);
}

// Issue 17, defect 7: 404s, wrong methods, 413s and 400s raised before
// routing left no audit entry.
TEST_F(HttpApiTest, EveryRequestUnderV1IsAuditedRefusedOnesIncluded) {
  EXPECT_EQ(Get("/v1/nothing-here", "ana").first, 404);
  auto wrong = client_->raw().Delete("/v1/alerts", As("ana"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 404);
  EXPECT_EQ(Post("/v1/alerts/a1/transition", std::string(10000, 'x'), "ana").first, 413);
  {
    testing::RawConnection raw(server_->port());
    EXPECT_EQ(raw.StatusOf("GARBAGE /v1/alerts\r\n\r\n", std::chrono::milliseconds(3000)), 400);
  }
  EXPECT_EQ(Get("/v1/alerts", "").first, 401);
  EXPECT_EQ(Get("/v1/audit", "ana").first, 403);
  EXPECT_EQ(Get("/healthz", "").first, 200);  // not under /v1/: not audited
  auto entries = AuditLog::Read(audit_->path(), 1, 100);
  ASSERT_TRUE(entries.ok());
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& e : *entries) seen.emplace_back(e.action(), e.outcome());
  EXPECT_THAT(
      seen,
      ElementsAre(std::pair<std::string, int>{"unrouted", 404}, std::pair<std::string, int>{"unrouted", 404},
                  std::pair<std::string, int>{"too_large", 413}, std::pair<std::string, int>{"malformed", 400},
                  std::pair<std::string, int>{"alerts.search", 401}, std::pair<std::string, int>{"audit.list", 403}));
  EXPECT_EQ((*entries)[0].user(), "ana");  // the token is read even for a refusal
  EXPECT_EQ((*entries)[0].query(), "GET /v1/nothing-here");
  EXPECT_EQ((*entries)[1].query(), "DELETE /v1/alerts");
  EXPECT_EQ((*entries)[3].user(), "");
  EXPECT_EQ(*AuditLog::Verify(audit_->path()), 6);
}

TEST_F(HttpApiTest, ReadsAndWritesAreAuditedAndATamperIsFound) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "a1"}).ok());
  ASSERT_EQ(Get("/v1/alerts?typology=fan_in").first, 200);
  ASSERT_EQ(Get("/v1/alerts/a1").first, 200);
  ASSERT_EQ(Get("/v1/alerts", "").first, 401);
  ASSERT_EQ(Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"mine"})", "ana").first, 200);
  auto [code, body] = Get("/v1/audit", "root");
  ASSERT_EQ(code, 200);
  auto page = Parse<v1::AuditPage>(body);
  ASSERT_EQ(page.entries_size(), 5);  // the audit read itself is logged after it answers
  EXPECT_EQ(page.entries(0).action(), "alerts.search");
  EXPECT_EQ(page.entries(0).user(), "ana");
  EXPECT_EQ(page.entries(0).query(), "/v1/alerts?typology=fan_in");
  EXPECT_EQ(page.entries(1).action(), "alerts.get");
  EXPECT_EQ(page.entries(1).target(), "a1");
  EXPECT_EQ(page.entries(2).outcome(), 401);
  EXPECT_EQ(page.entries(2).user(), "");
  // A state-changing request: its attempt first, then its outcome.
  EXPECT_EQ(page.entries(3).action(), "alerts.transition");
  EXPECT_TRUE(page.entries(3).attempt());
  EXPECT_EQ(page.entries(3).outcome(), 0);
  EXPECT_EQ(page.entries(3).target(), "/v1/alerts/a1/transition");
  EXPECT_EQ(page.entries(4).action(), "alerts.transition");
  EXPECT_FALSE(page.entries(4).attempt());
  EXPECT_EQ(page.entries(4).attempt_seq(), page.entries(3).seq());
  EXPECT_EQ(page.entries(4).outcome(), 200);
  EXPECT_EQ(page.entries(4).target(), "a1");
  EXPECT_THAT(page.entries(4).query(), HasSubstr("mine"));
  EXPECT_EQ(page.entries(4).client(), "127.0.0.1");
  EXPECT_EQ(page.entries(4).prev(), page.entries(3).hash());
  ASSERT_TRUE(AuditLog::Verify(audit_->path()).ok());
  EXPECT_EQ(*AuditLog::Verify(audit_->path()), 6);

  // Change one byte of the second entry: the user "ana" becomes "anb".
  server_.reset();
  std::string text;
  {
    std::ifstream in(audit_->path());
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  const size_t second_line = text.find('\n') + 1;
  const size_t pos = text.find("\"ana\"", second_line);
  ASSERT_NE(pos, std::string::npos);
  text[pos + 3] = 'b';
  {
    std::ofstream out(audit_->path(), std::ios::trunc);
    out << text;
  }
  auto verdict = AuditLog::Verify(audit_->path());
  ASSERT_FALSE(verdict.ok());
  EXPECT_THAT(std::string(verdict.status().message()), HasSubstr("audit.log:2: entry seq 2: hash mismatch"));
}

}  // namespace
}  // namespace centinela::api
