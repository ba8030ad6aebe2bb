// Detection on AMLworld traffic files (eval/amlworld_eval.h): what counts as
// a false alert, a flagged transaction and a detected attempt, and that a
// real day of traffic replays whole (crypto amounts included).
#include "eval/amlworld_eval.h"

#include <fstream>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela::eval {
namespace {

EvalOptions Options(const testing::TempDir& dir) {
  EvalOptions o;
  o.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/networks.yaml";
  o.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx-amlworld.yaml";
  o.mapping_path = CENTINELA_SOURCE_DIR "/connectors/file/mappings/amlworld.yaml";
  o.work_dir = dir.Sub("db");
  o.progress = false;
  return o;
}

constexpr const char* kHeader =
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment "
    "Currency,Payment Format,Is Laundering\n";

TEST(EvaluateAmlworldTraffic, ScoresTransactionsAndAttemptsFoundOrInjected) {
  testing::TempDir dir;
  // A fan-out of 6 (laundering, in the file) and ordinary transfers.
  std::ofstream tx(dir.Sub("trans.csv"));
  tx << kHeader;
  for (int i = 0; i < 6; ++i) {
    tx << "2022/09/01 0" << i << ":10,001,SRC,00" << i << ",DST" << i << ",1000.00,Euro,1000.00,Euro,ACH,1\n";
  }
  for (int i = 0; i < 20; ++i) {
    tx << "2022/09/01 1" << i % 10 << ":00,010,P" << i << ",011,Q" << i
       << ",3.4e-05,Bitcoin,3.4e-05,Bitcoin,Bitcoin,0\n";
  }
  tx << "2022/09/01 23:00,010,bad-row\n";
  tx.close();
  // Two attempts: the fan-out above, and a cycle of another day that is not
  // in the file (injected).
  std::ofstream p(dir.Sub("patterns.txt"));
  p << "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 6-degree Fan-Out\n";
  for (int i = 0; i < 6; ++i) {
    p << "2022/09/01 0" << i << ":10,001,SRC,00" << i << ",DST" << i << ",1000.00,Euro,1000.00,Euro,ACH,1\n";
  }
  p << "END LAUNDERING ATTEMPT - FAN-OUT\n\n"
       "BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 3 hops\n"
       "2022/09/02 01:00,001,A,002,B,500.00,US Dollar,500.00,US Dollar,ACH,1\n"
       "2022/09/02 02:00,002,B,003,C,490.00,US Dollar,490.00,US Dollar,ACH,1\n"
       "2022/09/02 03:00,003,C,001,A,480.00,US Dollar,480.00,US Dollar,ACH,1\n"
       "END LAUNDERING ATTEMPT - CYCLE\n";
  p.close();
  auto r = EvaluateAmlworldTraffic(dir.Sub("trans.csv"), dir.Sub("patterns.txt"), Options(dir));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows, 29);
  EXPECT_EQ(r->legitimate, 20);  // tiny Bitcoin amounts are kept, not rounded to zero
  EXPECT_EQ(r->laundering, 9);
  EXPECT_EQ(r->injected, 3);
  EXPECT_EQ(r->unmapped, 1);
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_NE(r->errors[0].find("trans.csv:28"), std::string::npos) << r->errors[0];
  EXPECT_EQ(r->dead_lettered, 0);
  EXPECT_EQ(r->by_pattern.at("FAN-OUT").attempts, 1);
  EXPECT_EQ(r->by_pattern.at("FAN-OUT").any_alert, 1);
  EXPECT_EQ(r->by_pattern.at("FAN-OUT").matching_typology, 1);
  EXPECT_EQ(r->by_pattern.at("CYCLE").any_alert, 1);
  EXPECT_EQ(r->by_pattern.at("CYCLE").matching_typology, 1);
  EXPECT_EQ(r->false_alerts, 0);
  EXPECT_EQ(r->transactions.fp, 0);
  EXPECT_GT(r->transactions.tp, 0);
  EXPECT_EQ(r->transactions.tp + r->transactions.fn, 9);
  EXPECT_EQ(TypologyOfPattern("SCATTER-GATHER"), "scatter_gather");
}

TEST(EvaluateAmlworldTraffic, ARealDayReplaysWhole) {
  testing::TempDir dir;
  EvalOptions o = Options(dir);
  o.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
  auto r = EvaluateAmlworldTraffic(
      CENTINELA_SOURCE_DIR "/../shared/data/aml/ibm-hi-small/HI-Small_Trans.sample-day1.csv", "", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rows, 16840);  // every row (the header is not one)
  EXPECT_EQ(r->unmapped, 0) << r->errors.front();
  EXPECT_EQ(r->dead_lettered, 0);
  EXPECT_EQ(r->laundering, 7);
  std::printf("false alerts per 10,000 legitimate: %.2f; laundering in evidence %lld of %lld\n", r->FalseAlertsPer10k(),
              (long long)r->transactions.tp, (long long)r->laundering);
}

TEST(EvaluateAmlworldTraffic, MissingOrEmptyFilesAreErrors) {
  testing::TempDir dir;
  EXPECT_EQ(EvaluateAmlworldTraffic(dir.Sub("none.csv"), "", Options(dir)).status().code(),
            absl::StatusCode::kNotFound);
  std::ofstream(dir.Sub("empty.csv")) << kHeader;
  EXPECT_EQ(EvaluateAmlworldTraffic(dir.Sub("empty.csv"), "", Options(dir)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace centinela::eval
