// Rule deployment requests over real HTTP on 127.0.0.1, against a registry
// in RocksDB on disk with no version deployed yet (the state of an engine
// whose configured pack has not been offered).

#include <fstream>
#include <sstream>

#include "api/http_api.h"
#include "base/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/api_client.h"
#include "tests/testing/local_control_plane.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using ::testing::HasSubstr;

class RulesApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = *Store::Open(dir_.Sub("db"), {});
    tokens_ = std::make_unique<TokenAuthenticator>(
        *TokenAuthenticator::Create({{"rita", Role::kRuleAuthor, Sha256Hex("token-rita")}}));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    auto registry = rules::PackRegistry::Open(store_.get());
    ASSERT_TRUE(registry.ok()) << registry.status();
    control_ = std::make_unique<testing::LocalControlPlane>(*std::move(registry));
    ApiOptions o;
    o.port = 0;
    o.max_body_bytes = 1 << 20;
    o.rules = control_.get();
    server_ = *ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
    client_ = std::make_unique<testing::ApiTestClient>(server_->base_url());
    std::ifstream in(std::string(CENTINELA_SOURCE_DIR) + "/fuzz/corpus/rule_pack_fuzzer/tiny.yaml");
    std::stringstream text;
    text << in.rdbuf();
    pack_ = text.str();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<testing::LocalControlPlane> control_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<testing::ApiTestClient> client_;
  std::string pack_;
};

// Found by fuzz/api/api_request_fuzzer.cc: a diff against the active
// version when none was active dereferenced null and killed the engine.
TEST_F(RulesApiTest, ADiffWithNoActiveVersionIsAConflictNamingTheParameter) {
  ASSERT_FALSE(pack_.empty());
  auto [validated, vbody] = client_->Post("/v1/rules/validate", pack_, "rita");
  ASSERT_EQ(validated, 200) << vbody;
  auto [code, body] = client_->Post("/v1/rules/diff", pack_, "rita");
  EXPECT_EQ(code, 409) << body;
  EXPECT_THAT(body, HasSubstr("no version is active"));
  EXPECT_THAT(body, HasSubstr("against"));
  // The server is still there.
  EXPECT_EQ(client_->Get("/healthz", "").first, 200);
}

}  // namespace
}  // namespace centinela::api
