// The investigator commands of the centinela binary against a real API
// server on 127.0.0.1 (alerts in RocksDB on disk): tables, --json, the token
// from a flag or the environment, and the API's errors passed on.
#include <cstdlib>

#include "api/http_api.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/alert_fixture.h"
#include "tests/testing/local_control_plane.h"
#include "tests/testing/small_list.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class CliApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("CENTINELA_TOKEN");
    unsetenv("CENTINELA_API");
    store_ = *Store::Open(dir_.Sub("db"), {});
    ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "al-1", .day = 1, .score = 2.5}).ok());
    ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "al-2", .day = 2, .typology = "structuring"}).ok());
    std::vector<api::TokenAuthenticator::Entry> entries;
    for (const auto& [user, role] : std::vector<std::pair<std::string, api::Role>>{
             {"ana", api::Role::kInvestigator}, {"rita", api::Role::kRuleAuthor}, {"root", api::Role::kAdmin}}) {
      entries.push_back({user, role, Sha256Hex("token-" + user)});
    }
    tokens_ = std::make_unique<api::TokenAuthenticator>(*api::TokenAuthenticator::Create(entries));
    audit_ = *api::AuditLog::Open(dir_.Sub("audit.log"));
    api::ApiOptions o;
    o.port = 0;
    server_ = *api::ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
  }

  // Runs `centinela args... --api URL [--token token-USER]`.
  int Run(std::vector<std::string> args, const std::string& user = "ana") {
    std::vector<std::string> full = {testing::CentinelaBinary()};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--api", server_->base_url()});
    if (!user.empty()) full.insert(full.end(), {"--token", "token-" + user});
    return testing::RunCapture(full, &err_, dir_.path(), &out_);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<api::TokenAuthenticator> tokens_;
  std::unique_ptr<api::AuditLog> audit_;
  std::unique_ptr<api::ApiServer> server_;
  std::string out_, err_;
};

TEST_F(CliApiTest, ListShowAndTransitionPrintTables) {
  ASSERT_EQ(Run({"alerts", "list"}), 0) << err_;
  EXPECT_THAT(out_, StartsWith("ID    TYPOLOGY     SUBJECT        SCORE  SEVERITY  STATUS  CREATED"));
  EXPECT_THAT(out_, HasSubstr("al-2  structuring  account ACC-1  1.00   MEDIUM    NEW     2026-01-07 12:00"));
  EXPECT_THAT(out_, HasSubstr("2 alert(s)"));
  ASSERT_EQ(Run({"alerts", "list", "--typology", "fan_in", "--score-min", "2"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("al-1"));
  EXPECT_THAT(out_, Not(HasSubstr("al-2")));
  ASSERT_EQ(Run({"alerts", "list", "--limit", "1"}), 0);
  EXPECT_THAT(out_, HasSubstr("1 alert(s); more with --cursor "));

  ASSERT_EQ(Run({"alerts", "show", "al-1"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("alert      al-1\n"));
  EXPECT_THAT(out_, HasSubstr("status     NEW  (version 0"));
  EXPECT_THAT(out_, HasSubstr("past retention: tx-al-1"));

  ASSERT_EQ(Run({"alerts", "transition", "al-1", "--to", "under_review", "--note", "taking it"}), 0) << err_;
  EXPECT_EQ(out_, "al-1: UNDER_REVIEW (version 1)\n");
  // A stale version is the API's 409, passed on with its message.
  EXPECT_EQ(Run({"alerts", "transition", "al-1", "--to", "DISMISSED", "--note", "x", "--expected-version", "0"}), 1);
  EXPECT_THAT(err_, StartsWith("centinela: error: HTTP 409 conflict: "));
  ASSERT_EQ(Run({"alerts", "show", "al-1"}), 0);
  EXPECT_THAT(out_, HasSubstr("ana"));
  EXPECT_THAT(out_, HasSubstr("taking it"));
}

TEST_F(CliApiTest, JsonTokenFromTheEnvironmentAndErrors) {
  ASSERT_EQ(Run({"alerts", "list", "--json", "--status", "NEW"}), 0) << err_;
  v1::AlertPage page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(out_, &page).ok()) << out_;
  EXPECT_EQ(page.alerts_size(), 2);

  setenv("CENTINELA_TOKEN", "token-root", 1);
  ASSERT_EQ(Run({"audit", "list"}, /*user=*/""), 0) << err_;
  EXPECT_THAT(out_, StartsWith("SEQ  AT"));
  EXPECT_THAT(out_, HasSubstr("alerts.search"));
  unsetenv("CENTINELA_TOKEN");

  EXPECT_EQ(Run({"alerts", "list"}, "rita"), 1);
  EXPECT_EQ(err_, "centinela: error: HTTP 403 forbidden: role rule_author may not alerts.search\n");
  EXPECT_EQ(Run({"alerts", "list"}, ""), 2);
  EXPECT_THAT(err_, HasSubstr("no token: pass --token TOKEN or set CENTINELA_TOKEN"));
  EXPECT_EQ(Run({"alerts", "list", "--status", "OPEN"}), 1);
  EXPECT_THAT(err_, HasSubstr("HTTP 400 bad_request: status: expected one of"));
  EXPECT_EQ(Run({"alerts", "show", "al-nope"}), 1);
  EXPECT_THAT(err_, HasSubstr("HTTP 404 not_found"));
  EXPECT_EQ(Run({"alerts", "transition", "al-1", "--to", "DISMISSED"}), 2);
  EXPECT_THAT(err_, HasSubstr("--note are required"));
  EXPECT_EQ(Run({"subject", "show", "branch", "150101"}), 2);
  ASSERT_EQ(Run({"subject", "show", "account", "ACC-1"}), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("subject    account ACC-1\n"));
  EXPECT_THAT(out_, HasSubstr("alerts (2)"));

  const std::string url = server_->base_url();
  server_.reset();  // nobody listening any more
  std::vector<std::string> args = {testing::CentinelaBinary(), "alerts", "list", "--api", url, "--token", "t"};
  EXPECT_EQ(testing::RunCapture(args, &err_, dir_.path(), &out_), 1);
  EXPECT_THAT(err_, HasSubstr("cannot reach the API at " + url));
}

// `centinela suppressions` against an API with a list and a rules registry
// (applied at once in place of the control topic).
class CliSuppressionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("CENTINELA_TOKEN");
    unsetenv("CENTINELA_API");
    lists_.Install(testing::SmallList("ofac", "v1", {{"OFAC-1", "MENDOZA VARGAS, Jose"}}));
    store_ = *Store::Open(dir_.Sub("db"), {});
    std::vector<api::TokenAuthenticator::Entry> entries;
    for (const auto& [user, role] : std::vector<std::pair<std::string, api::Role>>{{"ana", api::Role::kInvestigator},
                                                                                   {"sofia", api::Role::kSupervisor}}) {
      entries.push_back({user, role, Sha256Hex("token-" + user)});
    }
    tokens_ = std::make_unique<api::TokenAuthenticator>(*api::TokenAuthenticator::Create(entries));
    audit_ = *api::AuditLog::Open(dir_.Sub("audit.log"));
    control_ = std::make_unique<testing::LocalControlPlane>(*rules::PackRegistry::Open(store_.get()));
    api::ApiOptions o;
    o.port = 0;
    o.rules = control_.get();
    o.lists = &lists_;
    server_ = *api::ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
  }
  int Run(std::vector<std::string> args, const std::string& user) {
    std::vector<std::string> full = {testing::CentinelaBinary()};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--api", server_->base_url(), "--token", "token-" + user});
    return testing::RunCapture(full, &err_, dir_.path(), &out_);
  }

  testing::TempDir dir_;
  screening::ListSet lists_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<api::TokenAuthenticator> tokens_;
  std::unique_ptr<api::AuditLog> audit_;
  std::unique_ptr<testing::LocalControlPlane> control_;
  std::unique_ptr<api::ApiServer> server_;
  std::string out_, err_;
};

TEST_F(CliSuppressionsTest, ProposeConfirmListShowAndRefusals) {
  EXPECT_EQ(
      Run({"suppressions", "propose", "--name", "Jose Mendoza Vargas", "--list", "ofac", "--entry", "OFAC-1"}, "ana"),
      2);
  EXPECT_THAT(err_, HasSubstr("--note is required"));
  ASSERT_EQ(Run({"suppressions", "propose", "--name", "Jose Mendoza Vargas", "--country", "PE", "--document",
                 "40000001", "--list", "ofac", "--entry", "OFAC-1", "--note", "born 1988 in Cusco"},
                "ana"),
            0)
      << err_;
  EXPECT_THAT(out_, StartsWith("S-1  proposed\n"));
  EXPECT_THAT(out_, HasSubstr("party    Jose Mendoza Vargas (doc:PE:40000001)"));
  // An unknown entry: the API's 404, passed on.
  EXPECT_EQ(
      Run({"suppressions", "propose", "--name", "X Y", "--list", "ofac", "--entry", "OFAC-9", "--note", "n"}, "ana"),
      1);
  EXPECT_THAT(err_, HasSubstr("no entry 'OFAC-9' on ofac@v1"));
  // Maker-checker: the refusal, exit 1.
  EXPECT_EQ(Run({"suppressions", "confirm", "S-1", "--note", "ok"}, "ana"), 1);
  EXPECT_THAT(err_, HasSubstr("HTTP 403"));
  ASSERT_EQ(Run({"suppressions", "confirm", "S-1", "--note", "RENIEC checked"}, "sofia"), 0) << err_;
  EXPECT_THAT(out_, StartsWith("S-1  active\n"));
  EXPECT_THAT(out_, HasSubstr("confirmed "));
  EXPECT_THAT(out_, HasSubstr("by sofia: RENIEC checked"));
  ASSERT_EQ(Run({"suppressions", "list", "--state", "active"}, "ana"), 0) << err_;
  EXPECT_THAT(out_, StartsWith("ID   STATE   PARTY                LIST  ENTRY   PROPOSED BY  DECIDED BY  LAPSES"));
  EXPECT_THAT(out_, HasSubstr("S-1  active  Jose Mendoza Vargas  ofac  OFAC-1  ana          sofia"));
  // Screening over the API shows the hit as skipped, and why.
  ASSERT_EQ(Run({"lists", "screen", "Jose Mendoza Vargas", "--country", "PE", "--document", "40000001"}, "ana"), 0)
      << err_;
  EXPECT_THAT(out_, HasSubstr(": 0 hits"));
  EXPECT_THAT(out_, HasSubstr("skipped 1.00 ofac OFAC-1  MENDOZA VARGAS, Jose: skipped: S-1 (false match proposed by "
                              "ana, confirmed by sofia"));
  ASSERT_EQ(Run({"suppressions", "list", "--state", "revoked"}, "ana"), 0);
  EXPECT_EQ(out_, "no suppressions\n");
  EXPECT_EQ(Run({"suppressions", "list", "--state", "maybe"}, "ana"), 1);
  EXPECT_THAT(err_, HasSubstr("state"));
  ASSERT_EQ(Run({"suppressions", "show", "S-1", "--json"}, "ana"), 0);
  EXPECT_THAT(out_, HasSubstr("\"state\":\"SUPPRESSION_ACTIVE\""));
  EXPECT_EQ(Run({"suppressions", "confirm", "S-1", "--note", "again"}, "sofia"), 1);
  EXPECT_THAT(err_, HasSubstr("refused: S-1 is SUPPRESSION_ACTIVE, not proposed"));
  ASSERT_EQ(Run({"suppressions", "revoke", "S-1", "--note", "new evidence"}, "sofia"), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("revoked "));
}

}  // namespace
}  // namespace centinela
