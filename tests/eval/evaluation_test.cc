// The evaluation harness on hand-made data (what counts as detected) and on
// the real AMLworld dev half (a smoke run with generated background).
#include "eval/evaluation.h"

#include <fstream>

#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela::eval {
namespace {

EvalOptions Options(const testing::TempDir& dir, const std::string& mapping) {
  EvalOptions o;
  o.pack_path = CENTINELA_SOURCE_DIR "/rules/packs/networks.yaml";
  o.fx_path = CENTINELA_SOURCE_DIR "/deploy/config/fx-amlworld.yaml";
  o.mapping_path = std::string(CENTINELA_SOURCE_DIR "/connectors/file/mappings/") + mapping;
  o.work_dir = dir.Sub("db");
  o.progress = false;
  return o;
}

TEST(EvaluateAmlworldPatterns, AnAttemptIsDetectedWhenAnAlertHoldsItsTransactions) {
  testing::TempDir dir;
  const std::string path = dir.Sub("patterns.txt");
  std::ofstream out(path);
  out << "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 6-degree Fan-Out\n";
  for (int i = 0; i < 6; ++i) {
    out << "2022/09/01 0" << i << ":10,001,SRC,00" << i << ",DST" << i << ",1000.00,Euro,1000.00,Euro,ACH,1\n";
  }
  out << "END LAUNDERING ATTEMPT - FAN-OUT\n\n";
  out << "BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 3 hops\n"
         "2022/09/01 01:00,001,A,002,B,500.00,US Dollar,500.00,US Dollar,ACH,1\n"
         "2022/09/01 02:00,002,B,003,C,490.00,US Dollar,490.00,US Dollar,ACH,1\n"
         "2022/09/01 03:00,003,C,001,A,480.00,US Dollar,480.00,US Dollar,ACH,1\n"
         "END LAUNDERING ATTEMPT - CYCLE\n";
  out.close();
  auto r = EvaluateAmlworldPatterns(path, Options(dir, "amlworld.yaml"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->by_type["FAN-OUT"].attempts, 1);
  EXPECT_EQ(r->by_type["FAN-OUT"].detected, 1);
  EXPECT_EQ(r->by_type["CYCLE"].attempts, 1);
  EXPECT_EQ(r->by_type["CYCLE"].detected, 1);  // A->B->C->A closes a 3-edge cycle
  EXPECT_EQ(r->attempt_transactions, 9);
  EXPECT_EQ(r->background_alerts, 0);
}

TEST(EvaluateAmlworldPatterns, RunsTheDevHalfWithGeneratedBackground) {
  testing::TempDir dir;
  EvalOptions o = Options(dir, "amlworld.yaml");
  o.background = 5000;
  auto r = EvaluateAmlworldPatterns(
      CENTINELA_SOURCE_DIR "/../shared/data/aml/ibm-hi-small/HI-Small_Patterns.dev-half.txt", o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->errors.empty()) << r->errors.front();
  EXPECT_EQ(r->attempt_transactions, 1604);
  EXPECT_EQ(r->background_transactions, 5000);
  EXPECT_EQ(r->dead_lettered, 0);
  int attempts = 0;
  for (const auto& [type, pr] : r->by_type) attempts += pr.attempts;
  EXPECT_EQ(attempts, 183);
  EXPECT_GT(r->by_type["FAN-IN"].detected, 0);
  EXPECT_GT(r->by_type["FAN-OUT"].detected, 0);
}

TEST(EvaluateAmlsim, ScoresAlertedAccountsAgainstNodeLabels) {
  testing::TempDir dir;
  std::ofstream(dir.Sub("nodes.csv")) << "nodeid,isFraud,init_balance,fraudStep\r\n"
                                         "0,1,1.0,3\r\n1,1,1.0,3\r\n2,1,1.0,3\r\n3,1,1.0,3\r\n4,1,1.0,3\r\n"
                                         "9,1,1.0,3\r\n20,0,1.0,-1\r\n21,0,1.0,-1\r\n";
  std::ofstream tx(dir.Sub("transactions.csv"));
  tx << "sourceNodeId,targetNodeId,value,time\r\n";
  for (int i = 0; i < 5; ++i) tx << i << ",9,150.5," << 3 << "\r\n";  // fan-in of 5 into 9
  tx << "20,21,99.99,4\r\n";
  tx.close();
  EvalOptions o = Options(dir, "amlsim.yaml");
  auto r = EvaluateAmlsim(dir.path(), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->transactions, 6);
  EXPECT_EQ(r->fraud_accounts, 6);
  EXPECT_EQ(r->alerted_accounts, 1);  // account 9, the fan-in subject
  EXPECT_EQ(r->alerted_fraud_accounts, 1);
  EXPECT_DOUBLE_EQ(r->precision(), 1.0);
  EXPECT_DOUBLE_EQ(r->recall(), 1.0 / 6.0);
  // Over both parties of the evidence: the hub and the sender of each
  // transfer the alert holds (at least the one that completed the fan).
  EXPECT_EQ(r->laundering_transactions, 5);
  EXPECT_EQ(r->transacting_fraud_accounts, 6);
  EXPECT_GE(r->flagged_fraud_accounts, 2);
  EXPECT_LE(r->flagged_fraud_accounts, 6);
  EXPECT_EQ(r->flagged_accounts, r->flagged_fraud_accounts);  // account 20 and 21 are in no evidence
  EXPECT_DOUBLE_EQ(r->EvidenceRecall(), double(r->flagged_fraud_accounts) / 6.0);
  EXPECT_EQ(r->alerts_with_laundering, r->alerts);
  EXPECT_DOUBLE_EQ(r->AlertPrecision(), 1.0);
}

}  // namespace
}  // namespace centinela::eval
