// The audit log's chain and its anchor in RocksDB, on disk.
#include "api/audit_log.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/http_api.h"
#include "engine/alerts/alert_search.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/alert_fixture.h"
#include "tests/testing/api_client.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using ::testing::HasSubstr;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The first `n` lines of `text`.
std::string FirstLines(const std::string& text, int n) {
  size_t pos = 0;
  for (int i = 0; i < n; ++i) pos = text.find('\n', pos) + 1;
  return text.substr(0, pos);
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = *Store::Open(dir_.Sub("db"), {}); }
  void AppendN(AuditLog& log, int n) {
    for (int i = 0; i < n; ++i) {
      v1::AuditEntry e;
      e.set_action("alerts.get");
      e.set_target(absl::StrCat("al-", i));
      e.set_outcome(200);
      ASSERT_TRUE(log.Append(e).ok());
    }
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

// Issue 17, defect 7: removing entries from the end of audit.log left a
// valid chain, and a restarted engine went on from the shortened chain.
TEST_F(AuditLogTest, CuttingTheTailIsFoundAndTheChainIsNotExtended) {
  const std::string path = dir_.Sub("audit.log");
  StoreAuditAnchor anchor(store_.get());
  {
    auto log = AuditLog::Open(path, &anchor);
    ASSERT_TRUE(log.ok()) << log.status();
    AppendN(**log, 5);
  }
  auto head = anchor.Load();
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->seq, 5);
  EXPECT_EQ(*AuditLog::Verify(path, *head), 5);

  const std::string full = Slurp(path);
  std::ofstream(path, std::ios::trunc) << FirstLines(full, 3);
  EXPECT_TRUE(AuditLog::Verify(path).ok()) << "without the anchor the shortened chain looks valid";
  auto verdict = AuditLog::Verify(path, *head);
  ASSERT_FALSE(verdict.ok());
  EXPECT_THAT(std::string(verdict.status().message()),
              HasSubstr("the log ends at seq 3, but its anchor in the data directory says the chain reached seq 5"));
  auto reopened = AuditLog::Open(path, &anchor);
  ASSERT_FALSE(reopened.ok());
  EXPECT_TRUE(absl::IsDataLoss(reopened.status()));
  EXPECT_THAT(std::string(reopened.status().message()), HasSubstr("does not extend a chain"));
  EXPECT_EQ(Slurp(path), FirstLines(full, 3)) << "nothing was appended";
  // An empty or missing log is a cut tail too.
  std::filesystem::remove(path);
  EXPECT_FALSE(AuditLog::Open(path, &anchor).ok());
  EXPECT_FALSE(AuditLog::Verify(path, *head).ok());
  // Restored from a backup, it opens and goes on.
  std::ofstream(path, std::ios::trunc) << full;
  auto restored = AuditLog::Open(path, &anchor);
  ASSERT_TRUE(restored.ok()) << restored.status();
  AppendN(**restored, 1);
  EXPECT_EQ((*anchor.Load())->seq, 6);
}

TEST_F(AuditLogTest, AReplacedLogIsRefusedAndEntriesTheAnchorMissedAreAdopted) {
  const std::string path = dir_.Sub("audit.log");
  StoreAuditAnchor anchor(store_.get());
  {
    auto log = AuditLog::Open(path, &anchor);
    ASSERT_TRUE(log.ok());
    AppendN(**log, 3);
  }
  // Entries written after the anchor was saved (a crash between the two)
  // chain from it: adopted, and the anchor moves to them.
  {
    auto unanchored = AuditLog::Open(path);  // no anchor: appends without saving it
    ASSERT_TRUE(unanchored.ok());
    AppendN(**unanchored, 2);
  }
  EXPECT_EQ((*anchor.Load())->seq, 3);
  {
    auto log = AuditLog::Open(path, &anchor);
    ASSERT_TRUE(log.ok()) << log.status();
  }
  EXPECT_EQ((*anchor.Load())->seq, 5);
  // A different log of the same length is not the anchored one.
  const std::string other = dir_.Sub("other.log");
  {
    auto log = AuditLog::Open(other);
    ASSERT_TRUE(log.ok());
    v1::AuditEntry e;
    e.set_action("forged");
    for (int i = 0; i < 5; ++i) ASSERT_TRUE((*log)->Append(e).ok());
  }
  std::filesystem::copy_file(other, path, std::filesystem::copy_options::overwrite_existing);
  auto replaced = AuditLog::Open(path, &anchor);
  ASSERT_FALSE(replaced.ok());
  EXPECT_THAT(std::string(replaced.status().message()), HasSubstr("entry seq 5 is not the one anchored"));
}

// An anchor that cannot be saved: a failing audit.
class FailingAnchor : public AuditAnchor {
 public:
  absl::StatusOr<std::optional<AuditHead>> Load() const override { return std::nullopt; }
  absl::Status Save(const AuditHead&) override {
    return fail ? absl::InternalError("anchor: disk full") : absl::OkStatus();
  }
  std::string Describe() const override { return "test"; }
  bool fail = false;
};

// Issue 17, defect 7: the audit entry was written after the handler ran, so
// a request that hung left no trace. Now the attempt comes first, and a
// state change whose attempt cannot be recorded does not happen.
TEST_F(AuditLogTest, AStateChangeWhoseAttemptCannotBeRecordedDoesNotHappen) {
  ASSERT_TRUE(testing::PutAlert(store_.get(), {.id = "a1"}).ok());
  FailingAnchor anchor;
  auto audit = AuditLog::Open(dir_.Sub("audit.log"), &anchor);
  ASSERT_TRUE(audit.ok());
  auto tokens = TokenAuthenticator::Create({{"ana", Role::kInvestigator, Sha256Hex("token-ana")}});
  ApiOptions o;
  o.port = 0;
  auto server = ApiServer::Start(store_.get(), &*tokens, audit->get(), o);
  ASSERT_TRUE(server.ok());
  testing::ApiTestClient client((*server)->base_url());
  anchor.fail = true;
  auto [code, body] = client.Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"n"})", "ana");
  EXPECT_EQ(code, 500) << body;
  EXPECT_THAT(body, HasSubstr("audit_unavailable"));
  auto w = AlertSearch(store_.get()).Workflow("a1");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->version(), 0) << "the transition ran although its attempt was not recorded";
  anchor.fail = false;
  EXPECT_EQ(client.Post("/v1/alerts/a1/transition", R"({"to":"UNDER_REVIEW","note":"n"})", "ana").first, 200);
  EXPECT_EQ(AlertSearch(store_.get()).Workflow("a1")->version(), 1);
}

}  // namespace
}  // namespace centinela::api
