// Bad input to the binary (flags, config, rule pack) gets one clear line
// naming the file, field or flag, and a non-zero exit; never a crash.
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class CliTest : public ::testing::Test {
 protected:
  int Run(const std::vector<std::string>& args) {
    std::vector<std::string> full = {testing::CentinelaBinary()};
    full.insert(full.end(), args.begin(), args.end());
    return testing::RunCapture(full, &err_, dir_.path());
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path) << text;
    return path;
  }
  // One line, starting "centinela: error: ".
  void ExpectOneLineError(const std::string& contains) {
    EXPECT_THAT(err_, StartsWith("centinela: error: "));
    EXPECT_THAT(err_, HasSubstr(contains));
    EXPECT_EQ(std::count(err_.begin(), err_.end(), '\n'), 1) << err_;
  }
  testing::TempDir dir_;
  std::string err_;
};

TEST_F(CliTest, UnknownCommandAndFlagsAreUsageErrors) {
  EXPECT_EQ(Run({"frobnicate"}), 2);
  EXPECT_THAT(err_, HasSubstr("unknown command 'frobnicate'"));
  EXPECT_EQ(Run({"run", "--config", "x.yaml", "--turbo"}), 2);
  ExpectOneLineError("run: unknown flag --turbo");
  EXPECT_EQ(Run({"gen", "--count", "many", "--out", dir_.Sub("f")}), 2);
  ExpectOneLineError("gen: --count must be an integer in [1, 100000000], got \"many\"");
  EXPECT_EQ(Run({"gen", "--count", "300", "--out", dir_.Sub("f")}), 2);
  ExpectOneLineError("gen: --count 300 is too small for --cases 40 and --invalid 0 (up to 4320 injected records)");
  EXPECT_EQ(Run({"gen", "--count", "5000"}), 2);
  ExpectOneLineError("exactly one of --bootstrap HOST:PORT or --out FILE");
  const std::string listed = Write("listed.csv",
                                   "name,kind,country,document,list\n\"A, B\",person,PE,1,sanctions\n"
                                   "\"C, D\",vessel,PE,1,sanctions\n");
  EXPECT_EQ(Run({"gen", "--count", "5000", "--out", dir_.Sub("f"), "--listed", listed}), 2);
  ExpectOneLineError("listed.csv:3: kind 'vessel' is not person or company");
  const std::string bad_list = Write("bad_list.csv", "name,kind,country,document,list\n\"A, B\",person,PE,1,ofac\n");
  EXPECT_EQ(Run({"gen", "--count", "5000", "--out", dir_.Sub("f"), "--listed", bad_list}), 2);
  ExpectOneLineError("bad_list.csv:2: list 'ofac' is not sanctions or pep");
  EXPECT_EQ(Run({"run"}), 2);
  ExpectOneLineError("run: --config FILE is required");
  EXPECT_EQ(Run({"run", "--config"}), 2);
  ExpectOneLineError("run: flag --config needs a value");
}

TEST_F(CliTest, ConfigErrorsNameFileAndKey) {
  EXPECT_EQ(Run({"run", "--config", dir_.Sub("missing.yaml")}), 2);
  ExpectOneLineError("missing.yaml: cannot open config file");
  const std::string cfg = Write("engine.yaml", "kafka:\n  bootstrap: embedded\n  partitons: 3\n");
  EXPECT_EQ(Run({"run", "--config", cfg}), 2);
  ExpectOneLineError(cfg + ":3:3: unknown field 'partitons' in kafka");
}

TEST_F(CliTest, BrokenRulePackIsReportedWithItsPosition) {
  const std::string pack = Write("pack.yaml", "pack: p\nversion: 1.0.0\nrules:\n  r: {when: \"channel == 'CAHS'\"}\n");
  const std::string cfg = Write("engine.yaml", "rules: {pack: pack.yaml}\nfx: {file: " CENTINELA_SOURCE_DIR
                                               "/deploy/config/fx.yaml}\nstorage: {path: db}\n");
  EXPECT_EQ(Run({"run", "--config", cfg}), 1);
  ExpectOneLineError(pack + ":4:25: rule 'r': \"CAHS\" is not a valid value here");
}

TEST_F(CliTest, RunWithEmbeddedBootstrapHostsTheBrokerInProcess) {
  const std::string cfg = Write("engine.yaml",
                                "kafka: {bootstrap: embedded, bootstrap_file: bs.txt, "
                                "embedded_partitions: 2}\nrules: {pack: " CENTINELA_SOURCE_DIR
                                "/rules/packs/peru.yaml}\nfx: {file: " CENTINELA_SOURCE_DIR
                                "/deploy/config/fx.yaml}\nstorage: {path: db}\n");
  // Nothing to consume: it joins, finds both partitions at their end, exits 0.
  EXPECT_EQ(Run({"run", "--config", cfg, "--until-caught-up"}), 0) << err_;
  EXPECT_THAT(err_, HasSubstr("broker: embedded Kafka at 127.0.0.1:"));
  EXPECT_THAT(err_, HasSubstr("consumed=0 processed=0 dead_lettered=0 duplicates=0 (consumed = processed + "
                              "dead-lettered + duplicates)"));
  std::ifstream bs(dir_.Sub("bs.txt"));
  std::string address;
  bs >> address;
  EXPECT_THAT(address, StartsWith("127.0.0.1:"));
}

TEST_F(CliTest, GeneratorWritesADeterministicFile) {
  const std::string a = dir_.Sub("a.txt"), b = dir_.Sub("b.txt");
  ASSERT_EQ(Run({"gen", "--count", "1000", "--cases", "5", "--seed", "9", "--out", a}), 0);
  ASSERT_EQ(Run({"gen", "--count", "1000", "--cases", "5", "--seed", "9", "--out", b}), 0);
  std::ifstream fa(a), fb(b);
  std::string ca((std::istreambuf_iterator<char>(fa)), {}), cb((std::istreambuf_iterator<char>(fb)), {});
  EXPECT_EQ(std::count(ca.begin(), ca.end(), '\n'), 1000);
  EXPECT_EQ(ca, cb);
}

// Issue 19: `lists compare --json` left out score, threshold and match when
// no token paired (protobuf omits zero fields); they are always there.
TEST_F(CliTest, ListsCompareJsonAlwaysCarriesScoreThresholdAndMatch) {
  std::string out;
  ASSERT_EQ(
      testing::RunCapture({testing::CentinelaBinary(), "lists", "compare", "Ana Torres", "Zzyzx Qwerty", "--json"},
                          &err_, dir_.path(), &out),
      0)
      << err_;
  EXPECT_THAT(out, HasSubstr("\"score\":0"));
  EXPECT_THAT(out, HasSubstr("\"threshold\":0.85"));
  EXPECT_THAT(out, HasSubstr("\"match\":false"));
  ASSERT_EQ(testing::RunCapture({testing::CentinelaBinary(), "lists", "compare", "Ana Torres", "Torres, Ana", "--json"},
                                &err_, dir_.path(), &out),
            0);
  EXPECT_THAT(out, HasSubstr("\"match\":true"));
}

}  // namespace
}  // namespace centinela
