// Every typology of rules/packs/peru.yaml on hand-made transactions: when it
// fires and when it must not. Runs through the real processor on RocksDB.
// (structuring, mining_cash, border_cash and fatf_* are in
// tests/engine/processor_test.cc.)
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/pack_harness.h"

namespace centinela {
namespace {

using ::testing::Contains;
using testing::DayMicros;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kJan5;
using testing::MakeTx;
using ::testing::Not;
using ::testing::SizeIs;

constexpr const char* kPeru = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml";

v1::Transaction Usd(const std::string& id, int64_t micros, int64_t dollars) {
  return MakeTx(id, micros, dollars * 100, "USD");
}

// The values a typology's alert recorded, by name, over all its hits.
v1::Transaction WalkInCash(const std::string& id, int64_t micros, int64_t dollars, const std::string& depositor_dni) {
  v1::Transaction tx = Usd(id, micros, dollars);
  tx.set_channel(v1::CASH);
  tx.set_operation(v1::DEPOSIT);
  tx.mutable_originator()->clear_account();
  tx.mutable_originator()->set_document_number(depositor_dni);
  tx.mutable_beneficiary()->set_account("BCP-9");
  return tx;
}

TEST(PeruSmurfing, FourDepositorsOneAccountOneDayAboveTheThreshold) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 4; ++i)
    h.Feed(WalkInCash("c" + std::to_string(i), DayMicros(kJan5, 9 + i), 3000, "4000000" + std::to_string(i)));
  auto alerts = h.AlertsOf("smurfing");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject().id(), "BCP-9");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.cash_depositors_1d"], "4");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.cash_deposits_sum_1d"], "USD 12,000.00");
}

TEST(PeruSmurfing, NotForOneDepositorFewDepositorsOrSpreadOverDays) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 4; ++i) h.Feed(WalkInCash("same" + std::to_string(i), DayMicros(kJan5, 9 + i), 3000, "40000001"));
  for (int i = 0; i < 3; ++i) {
    auto tx = WalkInCash("few" + std::to_string(i), DayMicros(kJan5 + 3, 9 + i), 4000, "4100000" + std::to_string(i));
    h.Feed(tx);
  }
  for (int i = 0; i < 4; ++i)
    h.Feed(WalkInCash("slow" + std::to_string(i), DayMicros(kJan5 + 6 + 2 * i), 3000, "4200000" + std::to_string(i)));
  EXPECT_THAT(h.Typologies(), Not(Contains("smurfing")));
}

TEST(PeruMonthlyRegister, SubThresholdOperationsOfOnePersonReachUsd50kInAMonth) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 6; ++i) h.Feed(Usd("r" + std::to_string(i), DayMicros(kJan5 + 4 * i), 9000));
  auto alerts = h.AlertsOf("monthly_register");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject().kind(), "document");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.person_sub_threshold_ops_30d"], "USD 54,000.00");
}

TEST(PeruMonthlyRegister, NotBelowUsd50kNotForCompaniesNotForOneLargeOperation) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 5; ++i) h.Feed(Usd("p" + std::to_string(i), DayMicros(kJan5 + 4 * i), 9000));  // 45,000
  for (int i = 0; i < 6; ++i) {
    v1::Transaction tx = Usd("c" + std::to_string(i), DayMicros(kJan5 + 4 * i), 9000);
    tx.mutable_originator()->set_kind(v1::COMPANY);
    tx.mutable_originator()->set_document_type(v1::RUC);
    tx.mutable_originator()->set_document_number("20512333797");
    h.Feed(tx);
  }
  v1::Transaction big = Usd("big", DayMicros(kJan5), 60000);
  big.mutable_originator()->set_document_number("33333333");
  h.Feed(big);
  EXPECT_THAT(h.AlertsOf("monthly_register"), IsEmpty());
}

v1::Transaction GoldExportPayment(const std::string& id, const std::string& payer_country, const std::string& opened,
                                  int64_t dollars) {
  v1::Transaction tx = Usd(id, DayMicros(kJan5), dollars);
  tx.set_channel(v1::WIRE);
  tx.set_operation(v1::EXPORT_PAYMENT);
  auto* o = tx.mutable_originator();
  o->set_kind(v1::COMPANY);
  o->set_document_type(v1::NON_RESIDENT);
  o->set_document_number("F-" + id);
  o->set_country(payer_country);
  o->set_account(payer_country + "-INTL-1");
  auto* b = tx.mutable_beneficiary();
  b->set_kind(v1::COMPANY);
  b->set_document_type(v1::RUC);
  b->set_document_number("20512333797");
  b->set_ciiu("0729");
  b->set_account_opened(opened);
  return tx;
}

TEST(PeruGoldExport, NewGoldCompanyPaidFromTheUae) {
  testing::PackHarness h(kPeru);
  h.Feed(GoldExportPayment("g1", "AE", "2025-09-01", 120000));
  auto alerts = h.AlertsOf("gold_export_new_company");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].destinations(), ElementsAre(v1::UIF, v1::SUNAT));
  EXPECT_EQ(testing::ObservedValues(alerts[0])["beneficiary.account_age_days"], "126");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["originator.country"], "AE");
}

TEST(PeruGoldExport, NotForOldCompaniesOtherPayersOrSmallAmounts) {
  testing::PackHarness h(kPeru);
  h.Feed(GoldExportPayment("old", "CH", "2019-03-01", 120000));
  h.Feed(GoldExportPayment("us", "US", "2025-09-01", 120000));
  h.Feed(GoldExportPayment("small", "IN", "2025-09-01", 20000));
  EXPECT_THAT(h.AlertsOf("gold_export_new_company"), IsEmpty());
}

TEST(PeruVraem, CashAtAVraemBranchAndTransfersFromVraemParties) {
  testing::PackHarness h(kPeru);
  v1::Transaction cash = Usd("v1", DayMicros(kJan5), 8000);
  cash.set_channel(v1::CASH);
  cash.set_operation(v1::WITHDRAWAL);
  cash.set_branch_ubigeo("050501");  // La Mar, Ayacucho
  h.Feed(cash);
  v1::Transaction wire = Usd("v2", DayMicros(kJan5), 6000);
  wire.mutable_originator()->set_document_number("55555555");
  wire.mutable_originator()->set_ubigeo("120606");  // Satipo, Junin
  h.Feed(wire);
  EXPECT_EQ(h.AlertsOf("vraem_cash").size(), 2u);
}

TEST(PeruVraem, NotOutsideTheVraemOrForSmallAmounts) {
  testing::PackHarness h(kPeru);
  v1::Transaction cash = Usd("lima", DayMicros(kJan5), 8000);
  cash.set_channel(v1::CASH);
  cash.set_operation(v1::WITHDRAWAL);
  cash.set_branch_ubigeo("150101");
  h.Feed(cash);
  cash.set_id("small");
  cash.set_branch_ubigeo("050501");
  cash.mutable_amount()->set_minor_units(100000);
  h.Feed(cash);
  v1::Transaction cusco_city = Usd("cusco", DayMicros(kJan5), 8000);  // 0801 Cusco, not La Convencion (0809)
  cusco_city.mutable_originator()->set_ubigeo("080101");
  h.Feed(cusco_city);
  EXPECT_THAT(h.AlertsOf("vraem_cash"), IsEmpty());
}

// `n` small transfers into BCP-2 from distinct accounts, `foreign` of them from abroad.
void SmallInflows(testing::PackHarness& h, const std::string& prefix, int n, int foreign, bool company_beneficiary) {
  for (int i = 0; i < n; ++i) {
    v1::Transaction tx = Usd(prefix + std::to_string(i), DayMicros(kJan5 + i * 2), 150 + 10 * i);
    tx.mutable_originator()->set_account(prefix + "-SENDER-" + std::to_string(i));
    tx.mutable_originator()->set_document_number(std::to_string(60000000 + i));
    if (i < foreign) tx.mutable_originator()->set_country(i % 2 ? "ES" : "US");
    if (company_beneficiary) {
      tx.mutable_beneficiary()->set_kind(v1::COMPANY);
      tx.mutable_beneficiary()->set_account("BCP-COMPANY");
    }
    h.Feed(tx);
  }
}

TEST(PeruHumanTrafficking, ManySmallDomesticAndForeignInflowsToOnePerson) {
  testing::PackHarness h(kPeru);
  SmallInflows(h, "ht", 8, 3, false);
  auto alerts = h.AlertsOf("human_trafficking_inflows");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.small_inflow_senders_30d"], "8");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.small_foreign_inflows_30d"], "3");
}

TEST(PeruHumanTrafficking, NotForDomesticOnlyFewSendersOrACompany) {
  {
    testing::PackHarness h(kPeru);
    SmallInflows(h, "dom", 10, 0, false);
    EXPECT_THAT(h.AlertsOf("human_trafficking_inflows"), IsEmpty());
  }
  {
    testing::PackHarness h(kPeru);
    SmallInflows(h, "few", 6, 3, false);
    EXPECT_THAT(h.AlertsOf("human_trafficking_inflows"), IsEmpty());
  }
  {
    testing::PackHarness h(kPeru);
    SmallInflows(h, "co", 8, 3, true);
    EXPECT_THAT(h.AlertsOf("human_trafficking_inflows"), IsEmpty());
  }
}

void CompanyInflows(testing::PackHarness& h, const std::string& account, const std::string& opened, int64_t dollars) {
  for (int i = 0; i < 3; ++i) {
    v1::Transaction tx = Usd(account + std::to_string(i), DayMicros(kJan5 + 3 * i), dollars);
    tx.set_channel(v1::WIRE);
    tx.mutable_beneficiary()->set_kind(v1::COMPANY);
    tx.mutable_beneficiary()->set_account(account);
    tx.mutable_beneficiary()->set_account_opened(opened);
    h.Feed(tx);
  }
}

TEST(PeruFrontCompany, NewCompanyReceivesOutsizedFlows) {
  testing::PackHarness h(kPeru);
  CompanyInflows(h, "NEWCO", "2025-11-15", 80000);
  auto alerts = h.AlertsOf("front_company");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(testing::ObservedValues(alerts[0])["agg.company_inflows_30d"], "USD 240,000.00");
  EXPECT_THAT(alerts[0].destinations(), ElementsAre(v1::UIF, v1::SUNAT));
}

TEST(PeruFrontCompany, NotForEstablishedCompaniesOrModestFlows) {
  testing::PackHarness h(kPeru);
  CompanyInflows(h, "OLDCO", "2015-01-01", 80000);
  CompanyInflows(h, "SMALLCO", "2025-11-15", 50000);  // 150,000 in 30 days
  EXPECT_THAT(h.AlertsOf("front_company"), IsEmpty());
}

v1::Transaction Invoice(const std::string& id, int64_t day, int64_t pen, const std::string& payee) {
  v1::Transaction tx = MakeTx(id, DayMicros(day), pen * 100, "PEN");
  tx.set_operation(v1::PAYMENT);
  tx.mutable_beneficiary()->set_account(payee);
  return tx;
}

TEST(PeruContraband, RepeatedInvoicesJustUnderFourUitOfTheirYearGoToSunat) {
  testing::PackHarness h(kPeru);
  // 2026: 4 UIT = S/ 22,000; 2025: 4 UIT = S/ 21,400.
  for (int i = 0; i < 3; ++i) h.Feed(Invoice("n" + std::to_string(i), kJan5 + 5 * i, 20000, "SUPPLIER-1"));
  for (int i = 0; i < 3; ++i) h.Feed(Invoice("o" + std::to_string(i), kJan5 - 60 + 5 * i, 19000, "SUPPLIER-2"));
  auto alerts = h.AlertsOf("contraband_split_invoices");
  ASSERT_EQ(alerts.size(), 2u);
  for (const auto& a : alerts) {
    EXPECT_THAT(a.destinations(), ElementsAre(v1::SUNAT));
    EXPECT_EQ(a.subject().kind(), "counterparty_pair");
  }
}

TEST(PeruContraband, NotAboveFourUitNotSpreadOverPayeesNotUsingAnotherYearsUit) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 3; ++i) h.Feed(Invoice("a" + std::to_string(i), kJan5 + 5 * i, 23000, "SUPPLIER-1"));
  for (int i = 0; i < 3; ++i)
    h.Feed(Invoice("s" + std::to_string(i), kJan5 + 5 * i, 20000, "SUPPLIER-S" + std::to_string(i)));
  // S/ 21,500 is under 2026's 4 UIT but above 2025's: not "just under" in 2025.
  for (int i = 0; i < 3; ++i) h.Feed(Invoice("y" + std::to_string(i), kJan5 - 60 + 5 * i, 21500, "SUPPLIER-3"));
  EXPECT_THAT(h.AlertsOf("contraband_split_invoices"), IsEmpty());
}

TEST(PeruPep, LargeTransactionsOfPepsOnEitherSide) {
  testing::PackHarness h(kPeru);
  v1::Transaction out = Usd("p1", DayMicros(kJan5), 15000);
  out.mutable_originator()->set_pep(true);
  h.Feed(out);
  v1::Transaction in = Usd("p2", DayMicros(kJan5), 25000);
  in.mutable_originator()->set_document_number("44444444");
  in.mutable_beneficiary()->set_pep(true);
  h.Feed(in);
  EXPECT_EQ(h.AlertsOf("pep_large").size(), 2u);
}

TEST(PeruPep, NotForSmallPepTransactionsOrLargeNonPepOnes) {
  testing::PackHarness h(kPeru);
  v1::Transaction small = Usd("s", DayMicros(kJan5), 5000);
  small.mutable_originator()->set_pep(true);
  h.Feed(small);
  h.Feed(Usd("big", DayMicros(kJan5), 50000));
  EXPECT_THAT(h.AlertsOf("pep_large"), IsEmpty());
}

void InThenOut(testing::PackHarness& h, const std::string& mule, int64_t in_hour, int64_t in_usd, int64_t out_hour,
               int64_t out_usd) {
  v1::Transaction in = Usd(mule + "-in", DayMicros(kJan5, in_hour), in_usd);
  in.mutable_originator()->set_account(mule + "-SOURCE");
  in.mutable_beneficiary()->set_account(mule);
  h.Feed(in);
  v1::Transaction out = Usd(mule + "-out", DayMicros(kJan5, out_hour), out_usd);
  out.mutable_originator()->set_account(mule);
  out.mutable_beneficiary()->set_account(mule + "-DEST");
  h.Feed(out);
}

TEST(PeruPassThrough, SimilarAmountOutWithinHoursOfComingIn) {
  testing::PackHarness h(kPeru);
  InThenOut(h, "MULE", 9, 20000, 15, 19500);
  auto alerts = h.AlertsOf("rapid_pass_through");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject().id(), "MULE");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["graph.pass_through_delay"], "6h");
}

TEST(PeruPassThrough, NotDaysLaterNotADifferentAmountNotOutBeforeIn) {
  testing::PackHarness h(kPeru);
  InThenOut(h, "SLOW", 9, 20000, 9 + 72, 19500);
  InThenOut(h, "PART", 9, 20000, 15, 5000);
  InThenOut(h, "EARLY", 15, 20000, 9, 19500);
  EXPECT_THAT(h.AlertsOf("rapid_pass_through"), IsEmpty());
}

TEST(PeruDormant, AccountSilentForMonthsPaysOutAMaterialSum) {
  testing::PackHarness h(kPeru);
  h.Feed(Usd("early", DayMicros(kJan5 - 249), 100));
  h.Feed(Usd("wake", DayMicros(kJan5), 8000));
  auto alerts = h.AlertsOf("dormant_reactivated");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(testing::ObservedValues(alerts[0])["profile.account_outflows.days_inactive"], "249");
}

TEST(PeruDormant, NotForActiveAccountsNewAccountsOrSmallSums) {
  testing::PackHarness h(kPeru);
  h.Feed(Usd("recent", DayMicros(kJan5 - 35), 100));
  h.Feed(Usd("active", DayMicros(kJan5), 8000));
  v1::Transaction first = Usd("first", DayMicros(kJan5), 8000);  // no history at all: not dormant
  first.mutable_originator()->set_account("NEW-1");
  h.Feed(first);
  v1::Transaction small_early = Usd("se", DayMicros(kJan5 - 300), 100);
  small_early.mutable_originator()->set_account("OLD-2");
  h.Feed(small_early);
  small_early.set_id("small");
  *small_early.mutable_event_time() = FromMicros(DayMicros(kJan5));
  h.Feed(small_early);
  EXPECT_THAT(h.AlertsOf("dormant_reactivated"), IsEmpty());
}

TEST(PeruProfileDeviation, OutflowFarAboveTheAccountsOwnHistoryToANewCounterparty) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 12; ++i) h.Feed(Usd("u" + std::to_string(i), DayMicros(kJan5 - 20 + i), 100 + 10 * i));
  v1::Transaction big = Usd("big", DayMicros(kJan5), 9000);
  big.mutable_beneficiary()->set_account("BCP-77");
  h.Feed(big);
  auto alerts = h.AlertsOf("profile_deviation");
  ASSERT_EQ(alerts.size(), 1u);
  const auto seen = testing::ObservedValues(alerts[0]);
  EXPECT_EQ(seen.at("profile.account_outflows.count"), "12");
  EXPECT_EQ(seen.at("profile.account_outflows.mean"), "USD 155.00");
  EXPECT_EQ(seen.at("profile.account_outflows.new_counterparty"), "true");
  EXPECT_EQ(alerts[0].hits_size(), 3);  // far above, material, new counterparty
}

TEST(PeruProfileDeviation, NotWithinTheProfileOrWithoutEnoughHistory) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 12; ++i) h.Feed(Usd("v" + std::to_string(i), DayMicros(kJan5 - 20 + i), 1000 + 700 * i));
  h.Feed(Usd("usual", DayMicros(kJan5), 9000));  // mean 4,850, stddev ~2,900: within 5 sigma
  for (int i = 0; i < 5; ++i) {
    v1::Transaction tx = Usd("w" + std::to_string(i), DayMicros(kJan5 - 10 + i), 100);
    tx.mutable_originator()->set_account("SHORT");
    h.Feed(tx);
  }
  v1::Transaction big = Usd("big", DayMicros(kJan5), 9000);
  big.mutable_originator()->set_account("SHORT");
  h.Feed(big);
  EXPECT_THAT(h.AlertsOf("profile_deviation"), IsEmpty());
}

v1::Transaction Transfer(const std::string& from, const std::string& to, int64_t hour, int64_t dollars = 2000) {
  v1::Transaction tx = Usd(from + ">" + to, DayMicros(kJan5, hour), dollars);
  tx.mutable_originator()->set_account(from);
  tx.mutable_beneficiary()->set_account(to);
  return tx;
}

TEST(PeruNetworks, ScatterGatherFiveIntermediariesMeetAgain) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("SRC", "B" + std::to_string(i), 1 + i));
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("B" + std::to_string(i), "SINK", 10 + i, 2000));
  auto alerts = h.AlertsOf("scatter_gather");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject().id(), "SINK");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["graph.gather_paths"], "5");
  // The same shape also shows as fan-out of SRC and fan-in of SINK.
  EXPECT_THAT(h.Typologies(), Contains("fan_out"));
  EXPECT_THAT(h.Typologies(), Contains("fan_in"));
}

TEST(PeruNetworks, ScatterGatherNotWithFourPathsOrLegsOutOfTimeOrder) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 4; ++i) h.Feed(Transfer("SRC", "B" + std::to_string(i), 1 + i));
  for (int i = 0; i < 4; ++i) h.Feed(Transfer("B" + std::to_string(i), "SINK", 10 + i));
  // Five more intermediaries that paid the second sink before they were paid.
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("C" + std::to_string(i), "SINK2", 1 + i));
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("SRC2", "C" + std::to_string(i), 10 + i));
  EXPECT_THAT(h.AlertsOf("scatter_gather"), IsEmpty());
}

TEST(PeruNetworks, GatherScatterHubReceivesFromFiveAndPaysFive) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("A" + std::to_string(i), "HUB", 1 + i));
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("HUB", "C" + std::to_string(i), 10 + i));
  auto alerts = h.AlertsOf("gather_scatter");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].subject().id(), "HUB");
}

TEST(PeruNetworks, GatherScatterNotWhenTheHubPaysOnlyFour) {
  testing::PackHarness h(kPeru);
  for (int i = 0; i < 5; ++i) h.Feed(Transfer("A" + std::to_string(i), "HUB", 1 + i));
  for (int i = 0; i < 4; ++i) h.Feed(Transfer("HUB", "C" + std::to_string(i), 10 + i));
  EXPECT_THAT(h.AlertsOf("gather_scatter"), IsEmpty());
}

TEST(PeruNetworks, BipartiteThreeSendersPayTheSameTwoReceivers) {
  testing::PackHarness h(kPeru);
  int hour = 1;
  for (const char* s : {"S0", "S1", "S2"}) {
    for (const char* r : {"R0", "R1"}) {
      h.Feed(Transfer(s, r, hour, 1100 + 100 * hour));
      ++hour;
    }
  }
  auto alerts = h.AlertsOf("bipartite");
  ASSERT_EQ(alerts.size(), 1u);  // when S2 completes the block by paying R1
  EXPECT_EQ(alerts[0].subject().id(), "R1");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["graph.bipartite_senders"], "3");
}

TEST(PeruNetworks, BipartiteNotForTwoSendersOrSendersWithNoOtherReceiverInCommon) {
  testing::PackHarness h(kPeru);
  int hour = 1;
  for (const char* s : {"S0", "S1"}) {
    for (const char* r : {"R0", "R1"}) h.Feed(Transfer(s, r, hour++));
  }
  // Three senders into one account, each also paying an account of its own.
  for (int i = 0; i < 3; ++i) {
    const std::string sender = "P" + std::to_string(i);
    h.Feed(Transfer(sender, "SHOP", hour++));
    h.Feed(Transfer(sender, "OWN" + std::to_string(i), hour++));
  }
  EXPECT_THAT(h.AlertsOf("bipartite"), IsEmpty());
}

TEST(PeruNetworks, StackThreeConsecutiveLayersOfPassThrough) {
  testing::PackHarness h(kPeru);
  h.Feed(Transfer("L0", "L1", 1, 20000));
  h.Feed(Transfer("L1", "L2", 3, 19500));
  h.Feed(Transfer("L2", "L3", 6, 19000));
  h.Feed(Transfer("L3", "L4", 9, 18500));
  auto alerts = h.AlertsOf("stack");
  ASSERT_EQ(alerts.size(), 1u);  // L3 -> L4 is the third layer
  EXPECT_EQ(alerts[0].subject().id(), "L3");
  EXPECT_EQ(testing::ObservedValues(alerts[0])["graph.pass_through_hops"], "3");
  EXPECT_EQ(h.AlertsOf("rapid_pass_through").size(), 3u);  // each layer on its own
}

TEST(PeruNetworks, StackNotWhenALayerKeepsTheMoneyTooLongOrPassesOnADifferentAmount) {
  testing::PackHarness h(kPeru);
  // The middle layer holds the money for three days.
  h.Feed(Transfer("A0", "A1", 1, 20000));
  h.Feed(Transfer("A1", "A2", 3, 19500));
  h.Feed(Transfer("A2", "A3", 3 + 72, 19000));
  h.Feed(Transfer("A3", "A4", 3 + 75, 18500));
  // The second layer passes on a quarter.
  h.Feed(Transfer("B0", "B1", 1, 20000));
  h.Feed(Transfer("B1", "B2", 3, 5000));
  h.Feed(Transfer("B2", "B3", 6, 4900));
  h.Feed(Transfer("B3", "B4", 9, 4800));
  EXPECT_THAT(h.AlertsOf("stack"), IsEmpty());
}

// Five payers or payees within 3 days make a fan only when at least the ROS
// threshold (US$10,000) moves through it: five small payments into one
// account are ordinary (a shop, a landlord).
TEST(PeruNetworks, FanInAndFanOutNeedAMaterialTotal) {
  testing::PackHarness small(kPeru);
  for (int i = 0; i < 6; ++i) small.Feed(Transfer("P" + std::to_string(i), "HUB", 1 + i, 1500));  // US$9,000
  for (int i = 0; i < 6; ++i) small.Feed(Transfer("HUB", "Q" + std::to_string(i), 10 + i, 1500));
  EXPECT_THAT(small.Typologies(), Not(Contains("fan_in")));
  EXPECT_THAT(small.Typologies(), Not(Contains("fan_out")));

  testing::PackHarness material(kPeru);
  for (int i = 0; i < 5; ++i) material.Feed(Transfer("P" + std::to_string(i), "HUB", 1 + i, 2000));  // US$10,000
  for (int i = 0; i < 5; ++i) material.Feed(Transfer("HUB", "Q" + std::to_string(i), 10 + i, 2000));
  auto in = material.AlertsOf("fan_in");
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].subject().id(), "HUB");
  EXPECT_EQ(testing::ObservedValues(in[0])["agg.distinct_senders_3d"], "5");
  EXPECT_THAT(material.AlertsOf("fan_out"), SizeIs(1));
}

TEST(PeruNetworks, FanInFanOutAndCycleShipInThePeruPack) {
  testing::PackHarness h(kPeru);
  h.Feed(Transfer("X", "Y", 1));
  h.Feed(Transfer("Y", "Z", 2));
  h.Feed(Transfer("Z", "X", 3));
  EXPECT_THAT(h.Typologies(), ElementsAre("cycle"));
}

}  // namespace
}  // namespace centinela
