// List reloads through the API over real HTTP on 127.0.0.1: a reload that
// names a file reads it only from the configured list directories, only a
// regular file under the size limit, and its errors never echo the file.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "api/http_api.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "screening/lists/list_loader.h"
#include "screening/match/list_set.h"
#include "tests/testing/api_client.h"
#include "tests/testing/test_util.h"
#include "yaml-cpp/yaml.h"

namespace centinela::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "SECRET-TOKEN-7f3a9c";

class ScreeningApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lists_dir_ = dir_.Sub("lists");
    std::filesystem::create_directories(lists_dir_);
    const std::string csv = lists_dir_ + "/pep.csv";
    std::ofstream(csv) << "dni,nombre\n40000001,\"HUAMANI CCORI, Rosalinda\"\n";
    std::ofstream(dir_.Sub("secret.txt")) << kSecret << ",root:x:0:0\n";
    const std::string yaml = "{name: pep, format: csv, path: " + csv +
                             ", category: pep, mapping: {header: true, columns: {id: dni, name: nombre}}}";
    auto spec = screening::ParseListSpec(YAML::Load(yaml), "test", dir_.path());
    ASSERT_TRUE(spec.ok()) << spec.status();
    lists_.SetFileRules(1 << 20, *screening::CanonicalDirs({lists_dir_}));
    ASSERT_TRUE(lists_.Load(*spec).ok());
    store_ = *Store::Open(dir_.Sub("db"), {});
    tokens_ = std::make_unique<TokenAuthenticator>(
        *TokenAuthenticator::Create({{"sofia", Role::kSupervisor, Sha256Hex("token-sofia")}}));
    audit_ = *AuditLog::Open(dir_.Sub("audit.log"));
    ApiOptions o;
    o.port = 0;
    o.lists = &lists_;
    server_ = *ApiServer::Start(store_.get(), tokens_.get(), audit_.get(), o);
    client_ = std::make_unique<testing::ApiTestClient>(server_->base_url());
  }

  std::pair<int, std::string> Reload(const std::string& path) {
    return client_->Post("/v1/lists/pep/load", "{\"path\": \"" + path + "\"}", "sofia");
  }

  testing::TempDir dir_;
  std::string lists_dir_;
  screening::ListSet lists_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<testing::ApiTestClient> client_;
};

// Issue 17, defect 4: a reload read any file the engine could read, echoed its
// first line in the error, and /dev/zero exhausted memory.
TEST_F(ScreeningApiTest, AReloadReadsOnlyRegularFilesInTheListDirectoriesAndNeverEchoesThem) {
  const std::string version = lists_.Get("pep")->meta().version;
  // Outside the list directories, directly, through "..", or through a
  // symlink placed inside them: refused before anything is read.
  ASSERT_EQ(symlink(dir_.Sub("secret.txt").c_str(), (lists_dir_ + "/link.csv").c_str()), 0);
  ASSERT_EQ(symlink("/dev/zero", (lists_dir_ + "/zero.csv").c_str()), 0);
  for (const std::string& path :
       {std::string("/etc/passwd"), std::string("/dev/zero"), dir_.Sub("secret.txt"), lists_dir_ + "/../secret.txt",
        lists_dir_ + "/link.csv", lists_dir_ + "/zero.csv", std::string("/proc/self/environ")}) {
    auto [code, body] = Reload(path);
    EXPECT_EQ(code, 403) << path << " -> " << body;
    EXPECT_THAT(body, HasSubstr("outside the list directories")) << path;
    EXPECT_THAT(body, Not(HasSubstr(kSecret))) << path;
    EXPECT_THAT(body, Not(HasSubstr("root:"))) << path;
  }
  // Inside them: a FIFO (no hang), a file over the size limit, a file that
  // is not a list: refused naming the file (and line), never quoting it.
  ASSERT_EQ(mkfifo((lists_dir_ + "/fifo.csv").c_str(), 0600), 0);
  {
    std::ofstream big(lists_dir_ + "/big.csv");
    big << std::string(2 << 20, 'x');
  }
  std::ofstream(lists_dir_ + "/not-a-list.csv") << kSecret << ",root:x:0:0\n";
  const std::vector<std::pair<std::string, std::string>> refused = {
      {lists_dir_ + "/fifo.csv", "is not a regular file"},
      {lists_dir_ + "/big.csv", "more than the limit of 1048576 (screening.max_list_bytes)"},
      {lists_dir_ + "/not-a-list.csv", "not-a-list.csv:1: no column 'dni' (for id) in the header (2 columns)"},
      {lists_dir_ + "/missing.csv", "No such file"},
  };
  for (const auto& [path, why] : refused) {
    auto [code, body] = Reload(path);
    EXPECT_EQ(code, absl::StrContains(path, "missing") ? 404 : 422) << path << " -> " << body;
    EXPECT_THAT(body, HasSubstr(why)) << path;
    EXPECT_THAT(body, Not(HasSubstr(kSecret))) << path;
  }
  EXPECT_EQ(lists_.Get("pep")->meta().version, version);  // nothing changed
  // A list file in the directory loads.
  std::ofstream(lists_dir_ + "/pep2.csv") << "dni,nombre\n40000002,\"TAPIA VILCHEZ, Augusto\"\n";
  auto [code, body] = Reload(lists_dir_ + "/pep2.csv");
  EXPECT_EQ(code, 200) << body;
  EXPECT_NE(lists_.Get("pep")->meta().version, version);
}

TEST(ListFile, OnlyRegularFilesUnderTheLimitAreRead) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("a.csv")) << "0123456789";
  screening::ListFileRules rules;
  rules.max_bytes = 10;
  EXPECT_EQ(*screening::ReadListFile(dir.Sub("a.csv"), "list file", rules), "0123456789");
  rules.max_bytes = 9;
  EXPECT_TRUE(absl::IsInvalidArgument(screening::ReadListFile(dir.Sub("a.csv"), "list file", rules).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(screening::ReadListFile("/dev/zero", "list file", rules).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(screening::ReadListFile(dir.path(), "list file", rules).status()));
  EXPECT_TRUE(absl::IsNotFound(screening::ReadListFile(dir.Sub("none.csv"), "list file", rules).status()));
  rules.max_bytes = 100;
  rules.dirs = *screening::CanonicalDirs({dir.path()});
  EXPECT_TRUE(screening::ReadListFile(dir.Sub("a.csv"), "list file", rules).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(screening::ReadListFile("/etc/hostname", "list file", rules).status()));
}

}  // namespace
}  // namespace centinela::api
