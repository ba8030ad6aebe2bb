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
  // Every leg is in some alert's evidence: the fan's (the graph degree's
  // edges) and the cycle's (the path that closes it), not only the transfer
  // scored when the alert fired.
  EXPECT_EQ(r->transactions.tp, 9);
  EXPECT_EQ(r->transactions.fn, 0);
  EXPECT_EQ(r->by_pattern.at("FAN-OUT").wide, 1);  // 6 receivers
  EXPECT_EQ(r->by_pattern.at("FAN-OUT").wide_matching, 1);
  EXPECT_EQ(r->by_pattern.at("CYCLE").wide, 0);  // width is not defined for cycles
  EXPECT_TRUE(r->missed.empty());
  EXPECT_TRUE(r->false_alert_lines.empty());
  EXPECT_EQ(TypologyOfPattern("SCATTER-GATHER"), "scatter_gather");
}

TEST(EvaluateAmlworldTraffic, ATransferToItselfIsNeitherAnInflowNorACounterparty) {
  testing::TempDir dir;
  EvalOptions o = Options(dir);
  o.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";
  // ACC reinvests into itself (an exchange within the account, as AMLworld
  // writes them), then pays 49,000 on within minutes and four other
  // accounts besides: neither a pass-through nor a fan-out of five.
  const std::string day =
      "2022/09/01 00:01,001,ACC,001,ACC,50000.00,US Dollar,50000.00,US Dollar,Reinvestment,0\n"
      "2022/09/01 00:05,001,ACC,002,OUT,49000.00,US Dollar,49000.00,US Dollar,Cheque,0\n"
      "2022/09/01 00:06,001,ACC,003,R1,3000.00,US Dollar,3000.00,US Dollar,ACH,0\n"
      "2022/09/01 00:07,001,ACC,004,R2,3000.00,US Dollar,3000.00,US Dollar,ACH,0\n"
      "2022/09/01 00:08,001,ACC,005,R3,3000.00,US Dollar,3000.00,US Dollar,ACH,0\n"
      "2022/09/01 00:09,001,ACC,001,ACC,10.00,US Dollar,10.00,US Dollar,Reinvestment,0\n";
  std::ofstream(dir.Sub("self.csv")) << kHeader << day;
  auto r = EvaluateAmlworldTraffic(dir.Sub("self.csv"), "", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->alerts, 0);
  // The same payment after an inflow from another account is a pass-through,
  // listed with why it fired and where its row is.
  std::ofstream(dir.Sub("fed.csv"))
      << kHeader << "2022/09/01 00:01,009,FEEDER,001,ACC,50000.00,US Dollar,50000.00,US Dollar,ACH,0\n"
      << day;
  o.work_dir = dir.Sub("db2");
  r = EvaluateAmlworldTraffic(dir.Sub("fed.csv"), "", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->false_alerts, 1);
  EXPECT_EQ(r->false_alerts_by_typology["rapid_pass_through"], 1);
  ASSERT_EQ(r->false_alert_lines.size(), 1u);
  EXPECT_NE(r->false_alert_lines[0].find("rapid_pass_through 001:ACC (pass_through_material"), std::string::npos)
      << r->false_alert_lines[0];
  // Its evidence: the payment, then the inflow it passed on.
  EXPECT_NE(r->false_alert_lines[0].find("evidence " + dir.Sub("fed.csv") + ":4 " + dir.Sub("fed.csv") + ":2"),
            std::string::npos)
      << r->false_alert_lines[0];
}

TEST(EvaluateAmlworldTraffic, ListsTheAttemptsTheMatchingTypologyMissed) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("trans.csv")) << kHeader
                                      << "2022/09/01 00:00,010,P,011,Q,10.00,US Dollar,10.00,US Dollar,ACH,0\n";
  // A fan-in of two senders: below any fan-in degree.
  std::ofstream(dir.Sub("patterns.txt")) << "BEGIN LAUNDERING ATTEMPT - FAN-IN:  Max 2-degree Fan-In\n"
                                            "2022/09/02 01:00,001,A,003,SINK,500.00,US Dollar,500.00,US Dollar,ACH,1\n"
                                            "2022/09/02 02:00,002,B,003,SINK,490.00,US Dollar,490.00,US Dollar,ACH,1\n"
                                            "END LAUNDERING ATTEMPT - FAN-IN\n";
  auto r = EvaluateAmlworldTraffic(dir.Sub("trans.csv"), dir.Sub("patterns.txt"), Options(dir));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->missed.size(), 1u);
  EXPECT_EQ(r->missed[0].type, "FAN-IN");
  EXPECT_EQ(r->missed[0].qualifier, "Max 2-degree Fan-In");
  EXPECT_EQ(r->missed[0].line, 1);
  EXPECT_EQ(r->missed[0].transactions, 2);
  EXPECT_TRUE(r->missed[0].caught_by.empty());
  EXPECT_EQ(r->by_pattern.at("FAN-IN").wide, 0);
}

TEST(AttemptWidth, CountsThePatternsOwnBreadth) {
  using T = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(AttemptWidth("FAN-IN", T{{"A", "X"}, {"B", "X"}, {"C", "X"}, {"A", "X"}}), 3);
  EXPECT_EQ(AttemptWidth("FAN-OUT", T{{"X", "A"}, {"X", "B"}, {"Y", "C"}}), 2);
  // A -> B1..B3 -> C: three intermediaries.
  EXPECT_EQ(
      AttemptWidth("SCATTER-GATHER", T{{"A", "B1"}, {"A", "B2"}, {"A", "B3"}, {"B1", "C"}, {"B2", "C"}, {"B3", "C"}}),
      3);
  // Two senders into H, three receivers from it: min is 2.
  EXPECT_EQ(AttemptWidth("GATHER-SCATTER", T{{"S1", "H"}, {"S2", "H"}, {"H", "R1"}, {"H", "R2"}, {"H", "R3"}}), 2);
  EXPECT_EQ(AttemptWidth("STACK", T{{"A", "B"}, {"B", "C"}}), 0);
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
