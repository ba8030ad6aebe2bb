// The Peru pack run through the real processor on RocksDB (no Kafka): when
// each typology fires, when it must not, and what one commit contains.
#include "engine/pipeline/processor.h"

#include <deque>

#include "base/hash.h"
#include "base/keys.h"
#include "centinela/v1/dead_letter.pb.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/pack_harness.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using testing::DayMicros;
using ::testing::ElementsAre;
using testing::kJan5;
using testing::MakeTx;
using ::testing::UnorderedElementsAre;

class PeruPackTest : public ::testing::Test {
 protected:
  explicit PeruPackTest(const char* pack = CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml") : h_(pack) {}

  void Feed(const v1::Transaction& tx) { h_.Feed(tx); }
  void FeedRaw(const std::string& payload, const std::string& content_type) { h_.FeedRaw(payload, content_type); }
  std::vector<v1::Alert> Alerts() { return h_.Alerts(); }
  std::vector<std::string> Typologies() { return h_.Typologies(); }

  static v1::Transaction CashDeposit(const std::string& id, int64_t micros, int64_t usd_cents,
                                     const std::string& account = "BCP-9") {
    v1::Transaction tx = MakeTx(id, micros, usd_cents, "USD");
    tx.set_channel(v1::CASH);
    tx.set_operation(v1::DEPOSIT);
    tx.mutable_beneficiary()->set_account(account);
    return tx;
  }
  static v1::Transaction MiningWithdrawal(const std::string& id, const std::string& ubigeo, const std::string& ciiu,
                                          int64_t usd_cents) {
    v1::Transaction tx = MakeTx(id, DayMicros(kJan5), usd_cents, "USD");
    tx.set_channel(v1::CASH);
    tx.set_operation(v1::WITHDRAWAL);
    tx.set_branch_ubigeo(ubigeo);
    tx.mutable_originator()->set_document_type(v1::RUC);
    tx.mutable_originator()->set_document_number("20512333797");
    tx.mutable_originator()->set_kind(v1::COMPANY);
    tx.mutable_originator()->set_ciiu(ciiu);
    return tx;
  }

  testing::PackHarness h_;
};

TEST_F(PeruPackTest, StructuringFlagsThreeNearThresholdCashDepositsInAWeek) {
  Feed(CashDeposit("d1", DayMicros(kJan5), 950000));
  Feed(CashDeposit("d2", DayMicros(kJan5 + 2), 900000));
  EXPECT_TRUE(Alerts().empty());  // two are not yet a pattern
  Feed(CashDeposit("d3", DayMicros(kJan5 + 4), 880000));
  Feed(CashDeposit("d4", DayMicros(kJan5 + 5), 910000));
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  const v1::Alert& a = alerts[0];
  EXPECT_EQ(a.typology_id(), "structuring");
  EXPECT_EQ(a.subject().id(), "BCP-9");
  EXPECT_THAT(a.evidence_transaction_ids(), ElementsAre("d3", "d4"));  // merged under one id
  EXPECT_EQ(a.transaction_count(), 2);
  EXPECT_THAT(a.destinations(), ElementsAre(v1::UIF));
  // The explanation carries the values the rules saw at the latest firing.
  bool saw_count = false;
  for (const auto& h : a.hits()) {
    for (const auto& v : h.values()) {
      if (v.name() == "agg.near_threshold_cash_in_7d") {
        EXPECT_EQ(v.value(), "4");
        saw_count = true;
      }
    }
  }
  EXPECT_TRUE(saw_count);
  EXPECT_EQ(a.id(), MakeAlertId(a.pack_version(), "structuring", "account", "BCP-9",
                                FloorDiv(DayMicros(kJan5 + 4), 7 * kMicrosPerDay) * 7 * kMicrosPerDay));
}

TEST_F(PeruPackTest, StructuringIgnoresSpreadOutOrNonCashOrSmallDeposits) {
  Feed(CashDeposit("d1", DayMicros(kJan5), 950000));
  Feed(CashDeposit("d2", DayMicros(kJan5 + 9), 950000));  // outside 7 days
  Feed(CashDeposit("d3", DayMicros(kJan5 + 18), 950000));
  Feed(CashDeposit("s1", DayMicros(kJan5 + 20), 200000));  // small
  Feed(CashDeposit("s2", DayMicros(kJan5 + 20, 13), 200000));
  Feed(CashDeposit("s3", DayMicros(kJan5 + 20, 14), 200000));
  v1::Transaction wire = CashDeposit("w1", DayMicros(kJan5 + 30), 950000);
  wire.set_channel(v1::WIRE);
  for (int i = 0; i < 4; ++i) {
    wire.set_id("w" + std::to_string(i));
    Feed(wire);
  }
  Feed(CashDeposit("o1", DayMicros(kJan5 + 40), 950000, "A"));  // different accounts
  Feed(CashDeposit("o2", DayMicros(kJan5 + 40), 950000, "B"));
  Feed(CashDeposit("o3", DayMicros(kJan5 + 40), 950000, "C"));
  // One depositor's sub-threshold operations do reach the monthly Registro de
  // Operaciones total (US$63,000 within 30 days by day 30): that, not structuring.
  EXPECT_THAT(Typologies(), ::testing::AllOf(::testing::Not(::testing::IsEmpty()),
                                             ::testing::Each(::testing::Eq("monthly_register"))));
}

TEST_F(PeruPackTest, MiningCashNeedsMiningRegionGoldSectorAndSize) {
  Feed(MiningWithdrawal("m1", "170101", "0729", 2000000));                    // Madre de Dios, gold mining
  v1::Transaction other = MiningWithdrawal("m2", "130801", "4662", 2000000);  // Pataz, metals wholesale
  other.mutable_originator()->set_account("BN-7");
  Feed(other);
  EXPECT_THAT(Typologies(), UnorderedElementsAre("mining_cash", "mining_cash"));
}

TEST_F(PeruPackTest, MiningCashIgnoresLimaOrOtherSectorsOrSmallAmounts) {
  Feed(MiningWithdrawal("m1", "150101", "0729", 2000000));  // Lima
  Feed(MiningWithdrawal("m2", "170101", "4711", 2000000));  // retail in Madre de Dios
  Feed(MiningWithdrawal("m3", "170101", "0729", 100000));   // USD 1,000
  EXPECT_TRUE(Alerts().empty());
}

TEST_F(PeruPackTest, BorderCashJustUnderEitherLimitGoesToSunat) {
  v1::Transaction tx = MakeTx("b1", DayMicros(kJan5), 960000, "USD");
  tx.set_channel(v1::CASH);
  tx.set_operation(v1::BORDER_CASH_DECLARATION);
  Feed(tx);
  tx.set_id("b2");
  tx.mutable_amount()->set_minor_units(2950000);
  tx.mutable_originator()->set_document_number("11111111");
  Feed(tx);
  tx.set_id("b3");  // USD 20,000: between the limits, not near either
  tx.mutable_amount()->set_minor_units(2000000);
  tx.mutable_originator()->set_document_number("22222222");
  Feed(tx);
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 2u);
  for (const auto& a : alerts) {
    EXPECT_EQ(a.typology_id(), "border_cash");
    EXPECT_THAT(a.destinations(), ElementsAre(v1::SUNAT));
    EXPECT_EQ(a.subject().kind(), "document");
  }
}

TEST_F(PeruPackTest, FatfFlagsBothDirectionsAboveTheMinimumOnly) {
  v1::Transaction out = MakeTx("f1", DayMicros(kJan5), 500000, "USD");
  out.set_channel(v1::WIRE);
  out.mutable_beneficiary()->set_country("IR");
  Feed(out);
  v1::Transaction in = MakeTx("f2", DayMicros(kJan5), 500000, "USD");
  in.set_channel(v1::WIRE);
  in.mutable_originator()->set_country("KP");
  Feed(in);
  v1::Transaction small = MakeTx("f3", DayMicros(kJan5), 50000, "USD");  // USD 500
  small.mutable_beneficiary()->set_country("IR");
  Feed(small);
  v1::Transaction safe = MakeTx("f4", DayMicros(kJan5), 5000000, "USD");
  safe.mutable_beneficiary()->set_country("US");
  Feed(safe);
  EXPECT_THAT(Typologies(), UnorderedElementsAre("fatf_outbound", "fatf_inbound"));
  // Each alert names the list entry its transaction matched.
  for (const auto& a : Alerts()) {
    std::map<std::string, std::string> seen = testing::ObservedValues(a);
    if (a.typology_id() == "fatf_outbound") {
      EXPECT_EQ(seen["beneficiary.country in list.fatf_call_for_action"], "IR");
    } else {
      EXPECT_EQ(seen["originator.country in list.fatf_call_for_action"], "KP");
    }
  }
}

// Increased monitoring (Bolivia, Venezuela) is a risk factor, not a call for
// action: one material wire is ordinary trade; the second within 30 days
// alerts, naming the count it saw.
TEST_F(PeruPackTest, FatfIncreasedMonitoringAlertsWhenMaterialWiresRepeat) {
  auto wire_to_bolivia = [](const std::string& id, int64_t day, int64_t cents) {
    v1::Transaction tx = MakeTx(id, DayMicros(kJan5 + day), cents, "USD");
    tx.set_channel(v1::WIRE);
    tx.mutable_beneficiary()->set_country("BO");
    return tx;
  };
  Feed(wire_to_bolivia("bo1", 0, 2000000));
  Feed(wire_to_bolivia("bo2", 3, 50000));  // USD 500: not material, not counted
  EXPECT_TRUE(Alerts().empty());
  Feed(wire_to_bolivia("bo3", 40, 2000000));  // the first is 40 days back
  EXPECT_TRUE(Alerts().empty());
  Feed(wire_to_bolivia("bo4", 45, 1500000));
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].typology_id(), "fatf_outbound");
  EXPECT_THAT(alerts[0].evidence_transaction_ids(), ElementsAre("bo4"));
  std::map<std::string, std::string> seen = testing::ObservedValues(alerts[0]);
  EXPECT_EQ(seen["beneficiary.country in list.fatf_increased_monitoring"], "BO");
  EXPECT_EQ(seen["agg.monitored_jurisdiction_out_30d"], "2");
}

TEST_F(PeruPackTest, BadRecordsAreDeadLetteredWithReasonAndCountsReconcile) {
  Feed(MakeTx("ok", DayMicros(kJan5)));
  FeedRaw("garbage\xff", "application/x-protobuf");
  FeedRaw("{\"id\": ", "application/json");
  v1::Transaction no_amount = MakeTx("na", DayMicros(kJan5));
  no_amount.clear_amount();
  Feed(no_amount);
  ASSERT_TRUE(h_.processor()->Flush().ok());
  const Counters& c = h_.processor()->counters();
  EXPECT_EQ(c.consumed, 4);
  EXPECT_EQ(c.processed, 1);
  EXPECT_EQ(c.dead_lettered, 3);
  std::vector<std::string> reasons;
  auto it = h_.store()->NewIterator(Cf::kOutbox);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::OutboxEntry e;
    e.ParseFromArray(it->value().data(), int(it->value().size()));
    EXPECT_EQ(e.topic(), "centinela.dlq");
    v1::DeadLetter dl;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.value(), &dl).ok());
    EXPECT_EQ(dl.source_topic(), "fiu.transactions");
    reasons.push_back(dl.reason().substr(0, 22));
  }
  EXPECT_THAT(reasons, ElementsAre("decode: not a valid pr", "decode: invalid JSON T", "validate: amount: miss"));
}

// Issue 17, defect 1: milliseconds written into event_time.seconds passed
// validation, and the alert it raised reached uif.alerts as a 0-byte value.
TEST_F(PeruPackTest, AnEventTimeOutOfRangeIsDeadLetteredAndNoEmptyMessageIsQueued) {
  v1::Transaction tx = MiningWithdrawal("m1", "170101", "0729", 2000000);  // would alert
  tx.mutable_event_time()->set_seconds(tx.event_time().seconds() * 1000);
  tx.mutable_event_time()->set_nanos(-5);
  Feed(tx);
  ASSERT_TRUE(h_.processor()->Flush().ok());
  EXPECT_EQ(h_.processor()->counters().dead_lettered, 1);
  EXPECT_TRUE(Alerts().empty());
  int queued = 0;
  auto it = h_.store()->NewIterator(Cf::kOutbox);
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++queued) {
    v1::OutboxEntry e;
    ASSERT_TRUE(e.ParseFromArray(it->value().data(), int(it->value().size())));
    ASSERT_FALSE(e.value().empty()) << e.topic();
    EXPECT_EQ(e.topic(), "centinela.dlq");
    v1::DeadLetter dl;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.value(), &dl).ok());
    EXPECT_THAT(dl.reason(), ::testing::StartsWith("validate: event_time: ")) << dl.reason();
  }
  EXPECT_EQ(queued, 1);
}

// Issue 17, defect 1: an alert protobuf cannot print as JSON (here, a wall
// clock beyond year 9999 in detected_at) is an error, never an empty message.
TEST(AlertDelivery, AnAlertThatCannotBePrintedFailsTheCommitInsteadOfQueueingAnEmptyValue) {
  testing::TempDir dir;
  auto store = *Store::Open(dir.Sub("db"), {});
  auto pack = *rules::RulePack::LoadFile(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  FxTable fx = *FxTable::FromFixed({{"PEN", "3.75"}});
  ProcessorOptions o;
  o.wall_clock_micros = [] { return INT64_MAX / 2; };  // year ~146,000 (detected_at)
  auto processor = *Processor::Create(store.get(), pack.get(), &fx, o);
  v1::Transaction tx = MakeTx("m1", DayMicros(kJan5), 2000000, "USD");
  tx.set_channel(v1::CASH);
  tx.set_operation(v1::WITHDRAWAL);
  tx.set_branch_ubigeo("170101");
  tx.mutable_originator()->set_document_type(v1::RUC);
  tx.mutable_originator()->set_document_number("20512333797");
  tx.mutable_originator()->set_kind(v1::COMPANY);
  tx.mutable_originator()->set_ciiu("0729");
  const std::string payload = tx.SerializeAsString();
  ASSERT_TRUE(processor->Process({"fiu.transactions", 0, 0, payload, "application/x-protobuf"}).ok());
  const absl::Status s = processor->Flush();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("cannot print centinela.v1.Alert as JSON")) << s;
  auto it = store->NewIterator(Cf::kOutbox);
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid()) << "nothing may be queued from a failed commit";
}

// Issue 17, defect 2: a malformed record of ~760 KB made a dead letter larger
// than the producer accepts, which then blocked every later alert.
TEST_F(PeruPackTest, ADeadLetterKeepsAPrefixOfAHugeRecordWithItsSizeAndSha256) {
  std::string huge(760'000, '\0');
  for (size_t i = 0; i < huge.size(); ++i) huge[i] = char(0x80 | (i * 7919 % 127));  // not a Transaction
  FeedRaw(huge, "application/x-protobuf");
  ASSERT_TRUE(h_.processor()->Flush().ok());
  auto it = h_.store()->NewIterator(Cf::kOutbox);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  v1::OutboxEntry e;
  ASSERT_TRUE(e.ParseFromArray(it->value().data(), int(it->value().size())));
  EXPECT_LT(e.value().size(), 100'000u) << "the DLQ record must stay far below message.max.bytes";
  v1::DeadLetter dl;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.value(), &dl).ok());
  EXPECT_EQ(dl.raw_size(), 760'000);
  EXPECT_TRUE(dl.raw_truncated());
  EXPECT_EQ(dl.raw(), huge.substr(0, 64 << 10));
  EXPECT_EQ(dl.raw_sha256(), Sha256Hex(huge));
  EXPECT_THAT(dl.reason(), ::testing::StartsWith("decode: not a valid protobuf Transaction (760000 bytes)"));
  // A small record is kept whole.
  FeedRaw("garbage", "application/x-protobuf");
  ASSERT_TRUE(h_.processor()->Flush().ok());
  it = h_.store()->NewIterator(Cf::kOutbox);
  it->SeekToLast();
  ASSERT_TRUE(e.ParseFromArray(it->value().data(), int(it->value().size())));
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.value(), &dl).ok());
  EXPECT_EQ(dl.raw(), "garbage");
  EXPECT_FALSE(dl.raw_truncated());
  EXPECT_EQ(dl.raw_size(), 7);
}

// Issue 17, defect 3: an amount near INT64_MAX was scored (and its window
// sums overflowed).
TEST_F(PeruPackTest, AnAmountAboveTheMaximumIsDeadLetteredAndNothingIsCounted) {
  Feed(CashDeposit("huge", DayMicros(kJan5), INT64_MAX));
  Feed(CashDeposit("huge2", DayMicros(kJan5), INT64_MAX - 1));
  ASSERT_TRUE(h_.processor()->Flush().ok());
  EXPECT_EQ(h_.processor()->counters().processed, 0);
  EXPECT_EQ(h_.processor()->counters().dead_lettered, 2);
  EXPECT_TRUE(Alerts().empty());
}

// Issue 17, defect 9: the same transaction sent 3 times was processed and
// counted 3 times in the aggregates.
TEST_F(PeruPackTest, ARecordTheFrontierHasPassedIsScoredAtOnceCountedAndNamedOnItsAlerts) {
  Feed(CashDeposit("d1", DayMicros(kJan5), 950000));
  Feed(CashDeposit("d3", DayMicros(kJan5 + 4), 880000));
  EXPECT_TRUE(Alerts().empty());  // released: the frontier is past day 4
  EXPECT_EQ(h_.processor()->counters().late, 0);
  // Stamped day 2, it arrives after day 4 was scored: late.
  Feed(CashDeposit("d2", DayMicros(kJan5 + 2), 900000));
  EXPECT_EQ(h_.processor()->counters().late, 1);
  EXPECT_EQ(h_.processor()->counters().buffered, 0);  // scored on arrival, not held
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].typology_id(), "structuring");
  EXPECT_THAT(alerts[0].late_transaction_ids(), ElementsAre("d2"));
  // On time again (after day 4): not late.
  Feed(CashDeposit("d4", DayMicros(kJan5 + 5), 910000));
  int with_d4 = 0;
  for (const v1::Alert& a : Alerts()) {
    if (a.evidence_transaction_ids(a.evidence_transaction_ids_size() - 1) != "d4") continue;
    ++with_d4;
    EXPECT_THAT(a.late_transaction_ids(), ::testing::Not(::testing::Contains("d4")));
  }
  EXPECT_EQ(with_d4, 1);
  EXPECT_EQ(h_.processor()->counters().late, 1);
}

TEST_F(PeruPackTest, RecordsWaitForTheFrontierAndAreScoredInEventTimeOrder) {
  // Arriving newest first, they are scored oldest first: the structuring
  // alert's evidence is in event-time order.
  Feed(CashDeposit("d4", DayMicros(kJan5 + 5), 910000));
  Feed(CashDeposit("d3", DayMicros(kJan5 + 4), 880000));
  Feed(CashDeposit("d2", DayMicros(kJan5 + 2), 900000));
  Feed(CashDeposit("d1", DayMicros(kJan5), 950000));
  EXPECT_EQ(h_.processor()->counters().buffered, 4);
  EXPECT_EQ(h_.processor()->counters().processed, 0);
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_THAT(alerts[0].evidence_transaction_ids(), ElementsAre("d3", "d4"));
  EXPECT_TRUE(alerts[0].late_transaction_ids().empty());
  EXPECT_EQ(h_.processor()->counters().late, 0);
}

TEST_F(PeruPackTest, ATransactionSentAgainCountsOnceAndAnIdReusedForOtherContentIsDeadLettered) {
  const v1::Transaction d1 = CashDeposit("d1", DayMicros(kJan5), 950000);
  Feed(d1);
  Feed(d1);  // the same record again, in the same batch
  ASSERT_TRUE(h_.processor()->Flush().ok());
  Feed(d1);  // and after a commit
  std::string json;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(d1, &json).ok());
  FeedRaw(json, "application/json");  // the same transaction as JSON
  Feed(CashDeposit("d2", DayMicros(kJan5 + 1), 900000));
  // Three near-threshold deposits would be structuring; these are two.
  EXPECT_TRUE(Alerts().empty());
  const Counters& c = h_.processor()->counters();
  EXPECT_EQ(c.consumed, 5);
  EXPECT_EQ(c.processed, 2);
  EXPECT_EQ(c.duplicates, 3);
  EXPECT_EQ(c.dead_lettered, 0);
  // Another record under an id already used by the same reporting entity.
  Feed(CashDeposit("d2", DayMicros(kJan5 + 1), 910000));
  // The same id from another reporting entity is another transaction.
  v1::Transaction other = CashDeposit("d1", DayMicros(kJan5 + 2), 920000);
  other.mutable_reporting_entity()->set_ruc("20512333797");
  Feed(other);
  ASSERT_TRUE(h_.processor()->Flush().ok());
  EXPECT_EQ(c.processed, 3);
  EXPECT_EQ(c.dead_lettered, 1);
  EXPECT_EQ(c.consumed, c.processed + c.dead_lettered + c.duplicates);
  EXPECT_EQ(*h_.store()->GetCounter(kMetaDuplicates), 3);
  auto it = h_.store()->NewIterator(Cf::kOutbox);
  it->SeekToFirst();
  ASSERT_TRUE(it->Valid());
  v1::OutboxEntry e;
  ASSERT_TRUE(e.ParseFromArray(it->value().data(), int(it->value().size())));
  v1::DeadLetter dl;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(e.value(), &dl).ok());
  EXPECT_THAT(dl.reason(), ::testing::StartsWith("duplicate id: reporting entity 20100047218 already sent "
                                                 "transaction d2 with other content"));
  // Now three distinct near-threshold deposits into BCP-9: structuring.
  EXPECT_THAT(Typologies(), ElementsAre("structuring"));
}

TEST_F(PeruPackTest, OneCommitStoresOffsetsAndCountersWithTheState) {
  Feed(MakeTx("a", DayMicros(kJan5)));
  Feed(MakeTx("b", DayMicros(kJan5)));
  // Nothing is visible before the commit...
  EXPECT_TRUE(h_.store()->LoadOffsets("fiu.transactions")->empty());
  EXPECT_EQ(*h_.store()->GetCounter(kMetaConsumed), 0);
  ASSERT_TRUE(h_.processor()->Flush().ok());
  // ...and everything after it.
  EXPECT_EQ(h_.store()->LoadOffsets("fiu.transactions")->at(0), 2);
  EXPECT_EQ(*h_.store()->GetCounter(kMetaConsumed), 2);
  EXPECT_EQ(*h_.store()->GetCounter(kMetaProcessed), 2);
}

TEST_F(PeruPackTest, AlertsAreQueuedOncePerDestinationAndShadowIsNeverQueued) {
  Feed(MiningWithdrawal("m1", "170101", "0729", 2000000));
  ASSERT_TRUE(h_.processor()->Flush().ok());
  std::vector<std::string> topics;
  auto it = h_.store()->NewIterator(Cf::kOutbox);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::OutboxEntry e;
    e.ParseFromArray(it->value().data(), int(it->value().size()));
    topics.push_back(e.topic());
  }
  EXPECT_THAT(topics, ElementsAre("uif.alerts", "sunat.alerts"));
}

// min/max/avg/stddev aggregates, through a small pack of its own.
TEST(AmountStatistics, MinMaxAvgStddevOverTheWindowAndNullWhenEmpty) {
  testing::PackHarness h(testing::PackHarness::Inline{R"yaml(pack: stats
version: 1.0.0
aggregates:
  lo: {subject: beneficiary.account, window: 7d, function: min, filter: channel == "WIRE"}
  hi: {subject: beneficiary.account, window: 7d, function: max}
  mean: {subject: beneficiary.account, window: 7d, function: avg}
  spread: {subject: beneficiary.account, window: 7d, function: stddev}
rules:
  profile: {when: "present(agg.hi) and present(agg.mean) and present(agg.spread) and not present(agg.lo)"}
typologies:
  t: {subject: beneficiary.account, rules: {profile: 1}, threshold: 1, severity: low, destinations: [UIF], dedup_window: 30d}
)yaml"});
  ASSERT_NE(h.processor(), nullptr);
  for (int64_t usd : {100, 200, 600}) {  // USD amounts, ACH (not WIRE)
    h.Feed(MakeTx("s" + std::to_string(usd), DayMicros(kJan5), usd * 100, "USD"));
  }
  // The alert keeps the values of the latest firing (after the third transaction).
  std::map<std::string, std::string> seen = h.FirstHitValues();
  EXPECT_EQ(seen["agg.hi"], "USD 600.00");
  EXPECT_EQ(seen["agg.mean"], "USD 300.00");
  // Population stddev of 100, 200, 600: sqrt(((-200)^2 + (-100)^2 + 300^2) / 3) = 216.0247
  EXPECT_EQ(seen["agg.spread"], "USD 216.02");
  EXPECT_EQ(seen["agg.lo"], "null");  // no WIRE transaction: empty window, null, never 0
}

// A count_distinct and a sum of one subject, window and filter share one
// state (RulePack assigns one owner). A transaction whose `of` value is
// missing still counts towards the sum and count, never as a distinct value.
TEST(SharedWindowState, SumAndCountSeeTransactionsWithoutTheDistinctValue) {
  testing::PackHarness h(testing::PackHarness::Inline{R"yaml(pack: shared
version: 1.0.0
aggregates:
  senders: {subject: beneficiary.account, window: 7d, function: count_distinct, of: originator.account}
  total: {subject: beneficiary.account, window: 7d, function: sum}
  n: {subject: beneficiary.account, window: 7d, function: count}
rules:
  seen: {when: "agg.n >= 3 and agg.senders >= 1 and present(agg.total)"}
typologies:
  t: {subject: beneficiary.account, rules: {seen: 1}, threshold: 1, severity: low, destinations: [UIF], dedup_window: 30d}
)yaml"});
  ASSERT_NE(h.processor(), nullptr);
  ASSERT_EQ(h.pack().aggregates()[1].state_owner, 0);
  v1::Transaction a = MakeTx("a", DayMicros(kJan5), 10000, "USD");
  v1::Transaction b = MakeTx("b", DayMicros(kJan5, 13), 20000, "USD");
  b.mutable_originator()->set_account("BCP-3");
  v1::Transaction cash = MakeTx("cash", DayMicros(kJan5, 14), 40000, "USD");  // walk-in: no originator account
  cash.set_channel(v1::CASH);
  cash.set_operation(v1::DEPOSIT);
  cash.mutable_originator()->clear_account();
  for (const v1::Transaction& tx : {a, b, cash}) {
    h.Feed(tx);
    // Across commits too: the shared state is written and read back once.
    ASSERT_TRUE(h.processor()->Flush().ok());
  }
  EXPECT_EQ(h.processor()->counters().processed, 3);
  std::map<std::string, std::string> seen = h.FirstHitValues();
  EXPECT_EQ(seen["agg.n"], "3");
  EXPECT_EQ(seen["agg.senders"], "2");
  EXPECT_EQ(seen["agg.total"], "USD 700.00");
}

// The same fixture with the network typologies pack.
class NetworksPackTest : public PeruPackTest {
 protected:
  NetworksPackTest() : PeruPackTest(CENTINELA_SOURCE_DIR "/rules/packs/networks.yaml") {}
};

TEST_F(NetworksPackTest, FanInFlagsFiveDistinctSendersWithinThreeDays) {
  for (int i = 0; i < 5; ++i) {
    v1::Transaction tx = MakeTx("in" + std::to_string(i), DayMicros(kJan5, 8 + i), 50000);
    tx.mutable_originator()->set_account("SENDER-" + std::to_string(i));
    tx.mutable_beneficiary()->set_account("HUB");
    Feed(tx);
  }
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].typology_id(), "fan_in");
  EXPECT_EQ(alerts[0].subject().id(), "HUB");
  EXPECT_EQ(alerts[0].hits(0).values(0).value(), "5");
}

TEST_F(NetworksPackTest, FanInIgnoresRepeatSendersAndSlowTrickles) {
  for (int i = 0; i < 8; ++i) {  // one sender, many payments
    v1::Transaction tx = MakeTx("rep" + std::to_string(i), DayMicros(kJan5, 8 + i), 50000);
    tx.mutable_originator()->set_account("SAME");
    tx.mutable_beneficiary()->set_account("HUB-A");
    Feed(tx);
  }
  for (int i = 0; i < 6; ++i) {  // six senders, one every 4 days
    v1::Transaction tx = MakeTx("slow" + std::to_string(i), DayMicros(kJan5 + 4 * i), 50000);
    tx.mutable_originator()->set_account("S-" + std::to_string(i));
    tx.mutable_beneficiary()->set_account("HUB-B");
    Feed(tx);
  }
  EXPECT_TRUE(Alerts().empty());
}

TEST_F(NetworksPackTest, CycleFlagsTheTransferThatReturnsFundsToTheirOrigin) {
  const char* hops[][2] = {{"A", "B"}, {"B", "C"}, {"C", "D"}, {"D", "A"}};
  for (int i = 0; i < 4; ++i) {
    v1::Transaction tx = MakeTx("c" + std::to_string(i), DayMicros(kJan5, 8 + i), 50000);
    tx.mutable_originator()->set_account(hops[i][0]);
    tx.mutable_beneficiary()->set_account(hops[i][1]);
    Feed(tx);
  }
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].typology_id(), "cycle");
  EXPECT_EQ(alerts[0].subject().id(), "D");
  // The closing transfer, then the path it closed (the witnesses of
  // graph.cycle_length), last leg first.
  EXPECT_THAT(alerts[0].evidence_transaction_ids(), ElementsAre("c3", "c2", "c1", "c0"));
  EXPECT_EQ(alerts[0].hits(0).values(0).name(), "graph.cycle_length");
  EXPECT_EQ(alerts[0].hits(0).values(0).value(), "4");
}

TEST_F(NetworksPackTest, CyclesFollowEventTimeNotArrival) {
  // A->B->C->D at 9h, 10h, 11h and D->A stamped 8h, though it arrives last:
  // in event time the money left D at 8h and came back at 11h, so the
  // cycle closes on C->D (subject C), as a replay in event-time order says.
  const struct {
    const char* from;
    const char* to;
    int hour;
  } legs[] = {{"A", "B", 9}, {"B", "C", 10}, {"C", "D", 11}, {"D", "A", 8}};
  int i = 0;
  for (const auto& leg : legs) {
    v1::Transaction tx = MakeTx("c" + std::to_string(i++), DayMicros(kJan5, leg.hour), 50000);
    tx.mutable_originator()->set_account(leg.from);
    tx.mutable_beneficiary()->set_account(leg.to);
    Feed(tx);
  }
  auto alerts = Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].typology_id(), "cycle");
  EXPECT_EQ(alerts[0].subject().id(), "C");
  EXPECT_THAT(alerts[0].evidence_transaction_ids(), ElementsAre("c2", "c1", "c0", "c3"));
  EXPECT_TRUE(alerts[0].late_transaction_ids().empty());
}

TEST_F(NetworksPackTest, FanOutFlagsOneSenderPayingFiveAccounts) {
  for (int i = 0; i < 5; ++i) {
    v1::Transaction tx = MakeTx("out" + std::to_string(i), DayMicros(kJan5 + i / 2), 50000);
    tx.mutable_originator()->set_account("SOURCE");
    tx.mutable_beneficiary()->set_account("DEST-" + std::to_string(i));
    Feed(tx);
  }
  EXPECT_THAT(Typologies(), ElementsAre("fan_out"));
}

}  // namespace
}  // namespace centinela
