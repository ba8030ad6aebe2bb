// The API's connection handling over real TCP on 127.0.0.1: slow and greedy
// clients, and a second server on the same address.
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "api/http_api.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/raw_http.h"
#include "tests/testing/test_util.h"

namespace centinela::api {
namespace {

using std::chrono::milliseconds;
using testing::RawConnection;

constexpr char kHealth[] = "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
constexpr char kSearch[] =
    "GET /v1/alerts HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer token-ana\r\nConnection: close\r\n\r\n";

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(int threads, int request_timeout_ms) {
    store_ = *Store::Open(dir_.Sub("db"), {});
    tokens_ = std::make_unique<TokenAuthenticator>(
        *TokenAuthenticator::Create({{"ana", Role::kInvestigator, Sha256Hex("token-ana")}}));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    ApiOptions o;
    o.port = 0;
    o.threads = threads;
    o.request_timeout_ms = request_timeout_ms;
    auto s = ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
};

// Issue 17, defect 5: with api.threads slow connections open (slowloris),
// /healthz timed out on every probe.
TEST_F(HttpServerTest, SlowClientsNeitherSilenceHealthNorLockOutOtherClients) {
  Start(/*threads=*/4, /*request_timeout_ms=*/2000);
  const int port = server_->port();
  // Twice as many slow connections as workers, each sending its request head
  // one byte at a time.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 8; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(slow.back()->ok());
    ASSERT_TRUE(slow.back()->Send("GET /v1/alerts HTTP/1.1\r\nX-"));
  }
  // Health answers at once, every time, while they trickle.
  for (int probe = 0; probe < 6; ++probe) {
    for (auto& c : slow) c->Send("a");
    RawConnection health(port);
    EXPECT_EQ(health.StatusOf(kHealth, milliseconds(1500)), 200) << "probe " << probe;
    std::this_thread::sleep_for(milliseconds(150));  // the trickle's pace, not a synchronisation
  }
  // Another client address is served in full: the slow client holds at most
  // threads - 2 workers.
  RawConnection other(port, "127.0.0.2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other.StatusOf(kSearch, milliseconds(3000)), 200);
  // The slow client's own extra connections are refused, not queued.
  RawConnection greedy(port);
  EXPECT_EQ(greedy.StatusOf(kSearch, milliseconds(3000)), 429);
  // However slowly they trickle, the server closes them once the request
  // timeout has passed (bounded wait: 10 s).
  int closed = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (closed < int(slow.size()) && std::chrono::steady_clock::now() < until) {
    closed = 0;
    for (auto& c : slow) {
      bool gone = !c->Send("a");
      if (!gone) c->Receive(milliseconds(50), &gone);
      closed += gone;
    }
  }
  EXPECT_EQ(closed, int(slow.size())) << "slow connections still open after their request timeout";
}

// Issue 17, defect 11: a second engine with the same API address started and
// both listened on the port.
TEST_F(HttpServerTest, ASecondServerOnTheSameAddressIsRefusedNamingTheAddress) {
  Start(2, 2000);
  ApiOptions o;
  o.port = server_->port();
  auto second = ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(std::string(second.status().message()),
              ::testing::HasSubstr(absl::StrCat("127.0.0.1:", o.port, ": Address already in use")));
  RawConnection c(server_->port());
  EXPECT_EQ(c.StatusOf(kHealth, milliseconds(2000)), 200);  // the first one still serves
}

}  // namespace
}  // namespace centinela::api
