// The engine as an operator runs it: `centinela run` as a process, its API
// on 127.0.0.1, a broker that goes away, signals, restarts, a second engine
// started by mistake.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "engine/common/hash.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/raw_http.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A loopback port free right now.
int FreePort() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  socklen_t len = sizeof(a);
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    return -1;
  }
  ::close(s);
  return ntohs(a.sin_port);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class EngineProcessTest : public ::testing::Test {
 protected:
  // An engine config: the embedded broker (or `bootstrap`), the API on
  // `port`, storage in `db`.
  std::string Config(int port, const std::string& name, const std::string& bootstrap = "embedded",
                     const std::string& extra = "") {
    const std::string tokens = dir_.Sub("tokens.yaml");
    std::ofstream(tokens) << "tokens:\n  - {user: ana, role: investigator, sha256: " << Sha256Hex("token-ana")
                          << "}\n  - {user: root, role: admin, sha256: " << Sha256Hex("token-root") << "}\n";
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << "kafka: {bootstrap: \"" << bootstrap << "\", bootstrap_file: " << dir_.Sub("bs-" + name)
                        << ", embedded_partitions: 2}\n"
                        << "rules: {pack: " CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml}\n"
                        << "fx: {file: " CENTINELA_SOURCE_DIR "/deploy/config/fx.yaml}\n"
                        << "storage: {path: " << dir_.Sub("db") << "}\n"
                        << "api: {listen: \"127.0.0.1:" << port << "\", tokens: " << tokens << "}\n"
                        << extra;
    return path;
  }

  // Waits (at most 60 s) until an engine answers /healthz on `port`.
  static bool WaitHealthy(int port) {
    const auto until = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < until) {
      testing::RawConnection c(port);
      if (c.ok() &&
          c.StatusOf("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", milliseconds(1000)) == 200) {
        return true;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return false;
  }

  testing::TempDir dir_;
};

// Issue 17, defect 11: a second engine with the same API address started and
// both listened; a second engine on the same data directory is refused by
// RocksDB's lock, and says so.
TEST_F(EngineProcessTest, ASecondEngineIsRefusedOnTheSameAddressAndOnTheSameDataDirectory) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  testing::Subprocess first({testing::CentinelaBinary(), "run", "--config", Config(port, "first.yaml")},
                            dir_.Sub("first.err"));
  ASSERT_TRUE(WaitHealthy(port)) << ReadAll(dir_.Sub("first.err"));

  std::string err;
  EXPECT_EQ(testing::RunCapture({testing::CentinelaBinary(), "run", "--config", Config(port, "second.yaml"),
                                 "--data-dir", dir_.Sub("db2")},
                                &err, dir_.path()),
            1);
  EXPECT_THAT(err, HasSubstr(absl::StrCat("api: cannot listen on 127.0.0.1:", port, ": Address already in use")));

  EXPECT_EQ(testing::RunCapture({testing::CentinelaBinary(), "run", "--config", Config(FreePort(), "third.yaml")}, &err,
                                dir_.path()),
            1);
  EXPECT_THAT(err, HasSubstr("the data directory is in use by another engine (RocksDB's lock"));

  // The first engine still serves.
  testing::RawConnection c(port);
  EXPECT_EQ(c.StatusOf("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", milliseconds(2000)), 200);
  first.Kill(SIGTERM);
  EXPECT_EQ(first.Wait(), 0) << ReadAll(dir_.Sub("first.err"));
}

}  // namespace
}  // namespace centinela
