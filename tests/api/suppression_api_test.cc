// Suppressed false matches over real HTTP on 127.0.0.1, against a rules
// registry in RocksDB on disk: an investigator proposes, a supervisor other
// than the proposer confirms (maker-checker), every step is in the audit
// log, suppressions are searchable, and /v1/screen then skips the pair and
// says so.
#include "absl/strings/match.h"
#include "absl/time/time.h"
#include "api/http_api.h"
#include "base/hash.h"
#include "base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_client.h"
#include "tests/testing/local_control_plane.h"
#include "tests/testing/small_list.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using testing::ApiTestClient;
using ::testing::HasSubstr;

constexpr char kProposal[] =
    R"({"party": {"name": "Jose Mendoza Vargas", "country": "PE", "document": "40000001"}, "list": "ofac", )"
    R"("entry_id": "OFAC-1", "note": "DNI 40000001 belongs to a man born 1988 in Cusco; the listed one is Mexican"})";
constexpr char kScreen[] = R"({"name": "Jose Mendoza Vargas", "country": "PE", "document": "40000001"})";

class SuppressionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lists_.Install(testing::SmallList("ofac", "v1", {{"OFAC-1", "MENDOZA VARGAS, Jose"}}));
    store_ = *Store::Open(dir_.Sub("db"), {});
    std::vector<TokenAuthenticator::Entry> users;
    for (auto [user, role] : {std::pair{"ana", Role::kInvestigator}, std::pair{"sofia", Role::kSupervisor},
                              std::pair{"pedro", Role::kSupervisor}, std::pair{"rita", Role::kRuleAuthor}}) {
      users.push_back({user, role, Sha256Hex(std::string("token-") + user)});
    }
    tokens_ = std::make_unique<TokenAuthenticator>(*TokenAuthenticator::Create(std::move(users)));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    control_ = std::make_unique<testing::LocalControlPlane>(*rules::PackRegistry::Open(store_.get()));
    ApiOptions o;
    o.port = 0;
    o.rules = control_.get();
    o.lists = &lists_;
    o.suppression_days = 90;
    server_ = *ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
    client_ = std::make_unique<ApiTestClient>(server_->base_url());
  }
  v1::Suppression Answer(const std::string& body) {
    return ApiTestClient::Parse<v1::SuppressionResult>(body).suppression();
  }

  testing::TempDir dir_;
  screening::ListSet lists_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<testing::LocalControlPlane> control_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<ApiTestClient> client_;
};

TEST_F(SuppressionApiTest, ProposedByAnInvestigatorConfirmedByAnotherSupervisorThenScreeningSkipsIt) {
  auto [before_code, before] = client_->Post("/v1/screen", kScreen, "ana");
  ASSERT_EQ(before_code, 200) << before;
  ASSERT_EQ(ApiTestClient::Parse<v1::ScreenResult>(before).hits_size(), 1) << before;

  EXPECT_EQ(client_->Post("/v1/suppressions", kProposal, "rita").first, 403);  // rule authors do not
  auto [code, body] = client_->Post("/v1/suppressions", kProposal, "ana");
  ASSERT_EQ(code, 201) << body;
  v1::Suppression s = Answer(body);
  EXPECT_EQ(s.id(), "S-1");
  EXPECT_EQ(s.state(), v1::SUPPRESSION_PROPOSED);
  EXPECT_EQ(s.party_key(), "doc:PE:40000001");
  EXPECT_EQ(s.entry_name(), "MENDOZA VARGAS, Jose");
  EXPECT_EQ(s.list_version(), "v1");
  // Proposed is not applied yet.
  EXPECT_EQ(ApiTestClient::Parse<v1::ScreenResult>(client_->Post("/v1/screen", kScreen, "ana").second).hits_size(), 1);
  // An investigator cannot confirm; a second proposal of the pair is a conflict.
  EXPECT_EQ(client_->Post("/v1/suppressions/S-1/confirm", R"({"note": "ok"})", "ana").first, 403);
  auto [dup_code, dup] = client_->Post("/v1/suppressions", kProposal, "sofia");
  EXPECT_EQ(dup_code, 409) << dup;
  EXPECT_THAT(dup, HasSubstr("already have S-1"));

  auto [ok_code, ok] = client_->Post("/v1/suppressions/S-1/confirm", R"({"note": "checked at RENIEC"})", "sofia");
  ASSERT_EQ(ok_code, 200) << ok;
  s = Answer(ok);
  EXPECT_EQ(s.state(), v1::SUPPRESSION_ACTIVE);
  EXPECT_EQ(s.decided_by(), "sofia");
  absl::Time decided;
  std::string err;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, s.decided_at(), &decided, &err)) << err;
  EXPECT_EQ(s.expires_micros() - absl::ToUnixMicros(decided), 90 * kMicrosPerDay);

  // Screening skips the pair and says which suppression did.
  auto [screened_code, screened] = client_->Post("/v1/screen", kScreen, "ana");
  ASSERT_EQ(screened_code, 200) << screened;
  const auto result = ApiTestClient::Parse<v1::ScreenResult>(screened);
  EXPECT_EQ(result.hits_size(), 0) << screened;
  ASSERT_EQ(result.skipped_size(), 1) << screened;
  EXPECT_THAT(result.skipped(0).suppression(),
              HasSubstr("skipped: S-1 (false match proposed by ana, confirmed by sofia"));
  // A namesake with another document is still a hit.
  auto other = ApiTestClient::Parse<v1::ScreenResult>(
      client_->Post("/v1/screen", R"({"name": "Jose Mendoza Vargas", "country": "PE", "document": "40000002"})", "ana")
          .second);
  EXPECT_EQ(other.hits_size(), 1);

  // Searchable, by party, state and user; every step audited.
  auto [listed_code, listed] = client_->Get("/v1/suppressions?party=mendoza&state=active", "pedro");
  ASSERT_EQ(listed_code, 200) << listed;
  EXPECT_EQ(ApiTestClient::Parse<v1::SuppressionList>(listed).suppressions_size(), 1);
  EXPECT_EQ(ApiTestClient::Parse<v1::SuppressionList>(client_->Get("/v1/suppressions?state=revoked", "ana").second)
                .suppressions_size(),
            0);
  EXPECT_EQ(client_->Get("/v1/suppressions/S-1", "ana").first, 200);
  auto entries = AuditLog::Read(audit_->path(), 1, 1000);
  ASSERT_TRUE(entries.ok()) << entries.status();
  std::vector<std::string> done;
  for (const v1::AuditEntry& e : *entries) {
    if (!e.attempt() && absl::StartsWith(e.action(), "suppressions.") && e.action() != "suppressions.list" &&
        e.action() != "suppressions.get") {
      done.push_back(absl::StrCat(e.user(), " ", e.action(), " ", e.outcome(), " ", e.target().substr(0, 3)));
    }
  }
  EXPECT_THAT(done, ::testing::ElementsAre("rita suppressions.propose 403 ", "ana suppressions.propose 201 S-1",
                                           "ana suppressions.confirm 403 ", "sofia suppressions.propose 409 doc",
                                           "sofia suppressions.confirm 200 S-1"));

  // Revoked: screening hits again.
  ASSERT_EQ(client_->Post("/v1/suppressions/S-1/revoke", R"({"note": "new evidence"})", "pedro").first, 200);
  EXPECT_EQ(ApiTestClient::Parse<v1::ScreenResult>(client_->Post("/v1/screen", kScreen, "ana").second).hits_size(), 1);
}

TEST_F(SuppressionApiTest, TheProposerCannotConfirm) {
  ASSERT_EQ(client_->Post("/v1/suppressions", kProposal, "sofia").first, 201);
  auto [code, body] = client_->Post("/v1/suppressions/S-1/confirm", R"({"note": "mine"})", "sofia");
  EXPECT_EQ(code, 409) << body;
  EXPECT_THAT(body, HasSubstr("maker-checker: sofia proposed S-1"));
  EXPECT_EQ(client_->Post("/v1/suppressions/S-1/reject", R"({"note": "not enough"})", "pedro").first, 200);
  auto [again, again_body] = client_->Post("/v1/suppressions/S-1/confirm", R"({"note": "ok"})", "pedro");
  EXPECT_EQ(again, 409);
  EXPECT_THAT(again_body, HasSubstr("SUPPRESSION_REJECTED, not proposed"));
}

TEST_F(SuppressionApiTest, BadRequestsNameWhatIsWrong) {
  auto post = [&](const std::string& body) { return client_->Post("/v1/suppressions", body, "ana"); };
  auto [list_code, list] = post(R"({"party": {"name": "X Y"}, "list": "nope", "entry_id": "OFAC-1", "note": "n"})");
  EXPECT_EQ(list_code, 404);
  EXPECT_THAT(list, HasSubstr("no list named 'nope'"));
  auto [entry_code, entry] = post(R"({"party": {"name": "X Y"}, "list": "ofac", "entry_id": "OFAC-9", "note": "n"})");
  EXPECT_EQ(entry_code, 404);
  EXPECT_THAT(entry, HasSubstr("no entry 'OFAC-9' on ofac@v1"));
  auto [note_code, note] = post(R"({"party": {"name": "X Y"}, "list": "ofac", "entry_id": "OFAC-1"})");
  EXPECT_EQ(note_code, 400);
  EXPECT_THAT(note, HasSubstr("note"));
  auto [name_code, name] = post(R"({"party": {"name": ""}, "list": "ofac", "entry_id": "OFAC-1", "note": "n"})");
  EXPECT_EQ(name_code, 400);
  EXPECT_THAT(name, HasSubstr("party.name"));
  EXPECT_EQ(post(R"({"party": {"name": "X"}, "lst": "ofac"})").first, 400);  // unknown field
  auto [state_code, state] = client_->Get("/v1/suppressions?state=maybe", "ana");
  EXPECT_EQ(state_code, 400);
  EXPECT_THAT(state, HasSubstr("state"));
  EXPECT_EQ(client_->Get("/v1/suppressions?colour=red", "ana").first, 400);
  EXPECT_EQ(client_->Get("/v1/suppressions/S-7", "ana").first, 404);
  EXPECT_EQ(client_->Post("/v1/suppressions/S-7/confirm", R"({"note": "x"})", "sofia").first, 404);
  EXPECT_EQ(client_->Post("/v1/suppressions/S-1/confirm", "{}", "sofia").first, 400);  // no note
}

}  // namespace
}  // namespace centinela::api
