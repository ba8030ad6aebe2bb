#include "base/fx_table.h"
#include "engine/validate/normalizer.h"
#include "engine/validate/peru_ids.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela {
namespace {

using testing::MakeTx;

TEST(Ruc, AcceptsPublishedValidExamples) {
  EXPECT_TRUE(ValidateRuc("20512333797").ok());
  EXPECT_TRUE(ValidateRuc("20100047218").ok());
}

TEST(Ruc, RejectsWrongCheckDigitPrefixAndLength) {
  EXPECT_NE(ValidateRuc("20512333798").message().find("check digit"), std::string::npos);
  EXPECT_NE(ValidateRuc("30512333797").message().find("prefix"), std::string::npos);
  EXPECT_FALSE(ValidateRuc("2051233379").ok());
  EXPECT_FALSE(ValidateRuc("2051233379X").ok());
}

TEST(Dni, AcceptsEightDigitsAndBothCheckSeries) {
  // 1*3+2*2+3*7+4*6+5*5+6*4+7*3+8*2 = 138; 138 mod 11 = 6 -> '1' or 'E'.
  EXPECT_TRUE(ValidateDni("12345678").ok());
  EXPECT_EQ(DniCheckDigit("12345678"), '1');
  EXPECT_TRUE(ValidateDni("123456781").ok());
  EXPECT_TRUE(ValidateDni("12345678E").ok());
  EXPECT_TRUE(ValidateDni("12345678e").ok());
}

TEST(Dni, RejectsBadCheckCharacterAndLength) {
  const char numeric = DniCheckDigit("12345678");
  const char wrong = numeric == '0' ? '1' : '0';
  EXPECT_NE(ValidateDni(std::string("12345678") + wrong).message().find("check character"), std::string::npos);
  EXPECT_FALSE(ValidateDni("12345678Z").ok());
  EXPECT_FALSE(ValidateDni("1234567").ok());
  EXPECT_FALSE(ValidateDni("1234567A").ok());
}

TEST(FxTable, ConvertsWithTheLatestRateOnOrBeforeTheDay) {
  auto fx = FxTable::FromYaml(R"(
- {date: "2026-01-01", currency: PEN, per_usd: "3.75"}
- {date: "2026-02-01", currency: PEN, per_usd: "4.00"}
)",
                              "fx.yaml");
  ASSERT_TRUE(fx.ok()) << fx.status();
  const int64_t jan15 = *ParseIsoDate("2026-01-15"), feb15 = *ParseIsoDate("2026-02-15");
  EXPECT_EQ(*fx->Convert({375000, Currency::Pen()}, Currency::Usd(), jan15), 100000);
  EXPECT_EQ(*fx->Convert({400000, Currency::Pen()}, Currency::Usd(), feb15), 100000);
  EXPECT_EQ(*fx->Convert({100000, Currency::Usd()}, Currency::Pen(), jan15), 375000);
  // Before the first entry: the earliest rate.
  EXPECT_EQ(*fx->Convert({375000, Currency::Pen()}, Currency::Usd(), jan15 - 100), 100000);
  EXPECT_FALSE(fx->Convert({1, *Currency::FromCode("XYZ")}, Currency::Usd(), jan15).ok());
}

TEST(FxTable, RoundsHalfAwayFromZero) {
  auto fx = FxTable::FromFixed({{"PEN", "3"}});
  ASSERT_TRUE(fx.ok());
  EXPECT_EQ(*fx->Convert({5, Currency::Pen()}, Currency::Usd(), 0), 2);  // 1.67 -> 2
  EXPECT_EQ(*fx->Convert({4, Currency::Pen()}, Currency::Usd(), 0), 1);  // 1.33 -> 1
}

TEST(FxTable, ADuplicateKeyIsAnError) {
  auto fx = FxTable::FromYaml("- {date: \"2026-01-01\", currency: PEN, per_usd: \"3.7\", per_usd: \"37\"}", "fx.yaml");
  EXPECT_THAT(std::string(fx.status().message()), ::testing::StartsWith("fx.yaml:1:55: duplicate key 'per_usd'"));
}

TEST(FxTable, ErrorsNameFileLineAndField) {
  auto fx = FxTable::FromYaml("- {date: \"2026-13-01\", currency: PEN, per_usd: \"3.7\"}\n", "fx.yaml");
  ASSERT_FALSE(fx.ok());
  EXPECT_NE(fx.status().message().find("fx.yaml:1:"), std::string::npos) << fx.status();
  EXPECT_NE(fx.status().message().find("date"), std::string::npos);
  EXPECT_FALSE(FxTable::FromYaml("- {date: \"2026-01-01\", currency: PEN, per_usd: \"-1\"}", "f").ok());
  EXPECT_FALSE(FxTable::FromYaml("rates: 1", "f").ok());
}

class NormalizerTest : public ::testing::Test {
 protected:
  FxTable fx_ = *FxTable::FromFixed({{"PEN", "3.75"}});
  Normalizer normalizer_{&fx_};
};

TEST_F(NormalizerTest, DerivesUsdAndPenAmounts) {
  v1::Transaction tx = MakeTx("t1", testing::DayMicros(testing::kJan5), 3750000, "PEN");
  auto n = normalizer_.Normalize(tx);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->amount_usd, 1000000);
  EXPECT_EQ(n->amount_pen, 3750000);
  EXPECT_EQ(n->event_day, testing::kJan5);
}

TEST_F(NormalizerTest, RejectionsNameTheField) {
  struct Case {
    std::function<void(v1::Transaction&)> mutate;
    std::string field;
  } cases[] = {
      {[](v1::Transaction& t) { t.clear_amount(); }, "amount: missing"},
      {[](v1::Transaction& t) { t.mutable_amount()->set_minor_units(0); }, "amount.minor_units"},
      {[](v1::Transaction& t) { t.mutable_amount()->set_currency("XYZ"); }, "unknown currency XYZ"},
      {[](v1::Transaction& t) { t.mutable_amount()->set_currency("us"); }, "amount.currency"},
      {[](v1::Transaction& t) { t.mutable_reporting_entity()->set_ruc("20100047219"); }, "reporting_entity.ruc"},
      {[](v1::Transaction& t) { t.mutable_originator()->set_document_number("1234"); }, "originator.document_number"},
      {[](v1::Transaction& t) {
         t.mutable_beneficiary()->set_document_type(v1::RUC);
         t.mutable_beneficiary()->set_document_number("20512333790");
       },
       "beneficiary.document_number"},
      {[](v1::Transaction& t) { t.clear_id(); }, "id: missing"},
      {[](v1::Transaction& t) { t.clear_event_time(); }, "event_time: missing"},
      {[](v1::Transaction& t) { t.set_branch_ubigeo("17"); }, "branch_ubigeo"},
      {[](v1::Transaction& t) { t.mutable_originator()->set_country("Peru"); }, "originator.country"},
      {[](v1::Transaction& t) { t.set_channel(v1::CHANNEL_UNSPECIFIED); }, "channel: missing"},
      {[](v1::Transaction& t) { t.mutable_originator()->set_name(std::string(900000, 'A')); },
       "originator.name: 900000 bytes, longer than 300"},
      {[](v1::Transaction& t) { t.mutable_beneficiary()->set_account(std::string(65, '9')); }, "beneficiary.account"},
      {[](v1::Transaction& t) {
         for (int i = 0; i < 33; ++i) (*t.mutable_attributes())[std::to_string(i)] = "x";
       },
       "attributes: 33 entries"},
  };
  for (const Case& c : cases) {
    v1::Transaction tx = MakeTx("t1", testing::DayMicros(testing::kJan5));
    c.mutate(tx);
    auto n = normalizer_.Normalize(tx);
    ASSERT_FALSE(n.ok()) << c.field;
    EXPECT_NE(n.status().message().find(c.field), std::string::npos) << n.status() << " wanted " << c.field;
  }
}

// Issue 17, defect 3: amounts near INT64_MAX were accepted, overflowed the
// window sums, and FX conversion truncated them unchecked.
TEST_F(NormalizerTest, AmountsAboveTheMaximumAreRejectedAndConversionsNeverWrap) {
  FxTable fx = *FxTable::FromFixed({{"PEN", "3.75"}, {"JPY", "150"}, {"GBP", "0.3"}});
  ValidationOptions o;
  o.max_amount_minor[Currency::Pen().packed()] = 400'000'000'000LL * 100;  // PEN 400 billion
  Normalizer n(&fx, o);
  struct Case {
    int64_t minor;
    std::string currency;
    std::string why;
  } rejected[] = {
      {INT64_MAX, "USD", "above the maximum of USD 100,000,000,000.00 (validation.max_amount_usd)"},
      {100'000'000'001LL * 100, "USD", "validation.max_amount_usd"},
      {INT64_MAX, "PEN", "above the maximum of PEN 400,000,000,000.00 (validation.max_amount)"},
      {INT64_MAX, "JPY", "validation.max_amount_usd"},
      // GBP 9.2e16 at 0.3 per USD is USD 3.1e17: beyond int64 cents, an
      // error, not a truncation.
      {INT64_MAX, "GBP", "does not fit in 64-bit minor units"},
  };
  for (const Case& c : rejected) {
    v1::Transaction tx = MakeTx("t1", testing::DayMicros(testing::kJan5), c.minor, c.currency);
    auto r = n.Normalize(tx);
    ASSERT_FALSE(r.ok()) << c.minor << " " << c.currency;
    EXPECT_THAT(std::string(r.status().message()), ::testing::StartsWith("amount.minor_units: ")) << r.status();
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr(c.why)) << r.status();
  }
  // At the maxima: accepted.
  for (const auto& [minor, currency] : std::vector<std::pair<int64_t, std::string>>{{100'000'000'000LL * 100, "USD"},
                                                                                    {400'000'000'000LL * 100, "PEN"}}) {
    auto r = n.Normalize(MakeTx("t1", testing::DayMicros(testing::kJan5), minor, currency));
    EXPECT_TRUE(r.ok()) << r.status();
  }
}

TEST(FxTable, ConversionsThatDoNotFitAreErrorsAndRatesAreBounded) {
  FxTable fx = *FxTable::FromFixed({{"GBP", "0.3"}});
  auto usd = fx.Convert({INT64_MAX, *Currency::FromCode("GBP")}, Currency::Usd(), 0);
  EXPECT_TRUE(absl::IsOutOfRange(usd.status())) << usd.status();
  EXPECT_FALSE(FxTable::FromFixed({{"VES", "2000000000"}}).ok());
  EXPECT_FALSE(FxTable::FromYaml("- {date: \"2026-01-01\", currency: VES, per_usd: \"2000000000\"}", "f").ok());
}

// Issue 17, defect 1: an event time outside protobuf's Timestamp range (or
// merely implausible) used to pass validation and empty the alert it raised.
TEST_F(NormalizerTest, EventTimeOutsideTheAcceptedRangeIsRejectedNamingTheField) {
  const int64_t now = testing::DayMicros(testing::kJan5 + 30);
  ValidationOptions o;
  Normalizer n(&fx_, o, [now] { return now; });
  struct Case {
    int64_t seconds;
    int32_t nanos;
    std::string why;
  } cases[] = {
      {1767225600000, 0, "not a valid timestamp"},  // milliseconds written into seconds
      {1767225600, -5, "not a valid timestamp"},    // negative nanos
      {1767225600, 1'000'000'000, "not a valid timestamp"},
      {INT64_MAX, 0, "not a valid timestamp"},
      {315532800, 0, "before 1990-01-01"},  // 1980-01-01
      {now / kMicrosPerSecond + 2 * 86400, 0, "ahead of the clock"},
  };
  for (const Case& c : cases) {
    v1::Transaction tx = MakeTx("t1", testing::DayMicros(testing::kJan5));
    tx.mutable_event_time()->set_seconds(c.seconds);
    tx.mutable_event_time()->set_nanos(c.nanos);
    auto r = n.Normalize(tx);
    ASSERT_FALSE(r.ok()) << c.seconds << " " << c.nanos;
    EXPECT_THAT(std::string(r.status().message()), ::testing::StartsWith("event_time: ")) << r.status();
    EXPECT_THAT(std::string(r.status().message()), ::testing::HasSubstr(c.why)) << r.status();
  }
  // The edges of the range are accepted: the minimum, and up to a day ahead.
  for (int64_t micros : {o.min_event_micros, now + kMicrosPerDay}) {
    v1::Transaction tx = MakeTx("t1", micros);
    EXPECT_TRUE(n.Normalize(tx).ok()) << micros;
  }
}

}  // namespace
}  // namespace centinela
