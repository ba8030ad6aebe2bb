#include <cmath>

#include "base/fx_table.h"
#include "base/hash.h"
#include "base/keys.h"
#include "base/money.h"
#include "base/time_util.h"
#include "gtest/gtest.h"

namespace centinela {
namespace {

TEST(ParseDecimalMinor, ParsesExactlyWithoutFloatingPoint) {
  EXPECT_EQ(*ParseDecimalMinor("9500", 2), 950000);
  EXPECT_EQ(*ParseDecimalMinor("9,500.5", 2), 950050);
  EXPECT_EQ(*ParseDecimalMinor("0.07", 2), 7);
  EXPECT_EQ(*ParseDecimalMinor("3.75", 6), 3750000);
}

TEST(ParseDecimalMinor, RejectsJunkAndExtraDecimals) {
  EXPECT_FALSE(ParseDecimalMinor("", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("12.345", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("-5", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("1e5", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor(".", 2).ok());
}

// Issue 17, defect 3: amounts near INT64_MAX.
TEST(ParseDecimalMinor, RefusesWhatDoesNotFitInsteadOfWrapping) {
  EXPECT_EQ(*ParseDecimalMinor("9000000000000", 6), 9'000'000'000'000'000'000);
  EXPECT_FALSE(ParseDecimalMinor("10000000000000", 6).ok());  // 1e19 micros
  EXPECT_FALSE(ParseDecimalMinor("92233720368547758.08", 2).ok());
  EXPECT_FALSE(ParseDecimalMinor("1", 19).ok());
}

TEST(SaturatingArithmetic, SumsAndRoundingNeverWrap) {
  EXPECT_EQ(SatAdd(INT64_MAX / 2 + 1, INT64_MAX / 2 + 1), INT64_MAX);
  EXPECT_EQ(SatAdd(INT64_MIN, -1), INT64_MIN);
  EXPECT_EQ(SatAdd(5, -7), -2);
  EXPECT_EQ(SatSub(INT64_MIN, 1), INT64_MIN);
  EXPECT_EQ(SatSub(INT64_MAX, -1), INT64_MAX);
  EXPECT_EQ(SatNeg(INT64_MIN), INT64_MAX);
  EXPECT_EQ(SatRound(1e30), INT64_MAX);
  EXPECT_EQ(SatRound(-1e30), INT64_MIN);
  EXPECT_EQ(SatRound(9223372036854775808.0), INT64_MAX);
  EXPECT_EQ(SatRound(std::nan("")), 0);
  EXPECT_EQ(SatRound(2.5), 3);
  EXPECT_EQ(SatRound(-2.5), -3);
}

TEST(Money, FormatsWithGroupingAndCurrency) {
  EXPECT_EQ(FormatMoney({940000, Currency::Usd()}), "USD 9,400.00");
  EXPECT_EQ(FormatMoney({5, Currency::Pen()}), "PEN 0.05");
  EXPECT_EQ(FormatMoney({-123456789, Currency::Pen()}), "PEN -1,234,567.89");
}

TEST(Currency, ExponentsAreTheRealOnesCryptoIncluded) {
  auto exp = [](const char* code) { return CurrencyExponent(*Currency::FromCode(code)); };
  EXPECT_EQ(exp("PEN"), 2);
  EXPECT_EQ(exp("JPY"), 0);
  EXPECT_EQ(exp("KWD"), 3);
  EXPECT_EQ(exp("CLF"), 4);
  EXPECT_EQ(exp("XBT"), 8);
  // A Bitcoin amount under 0.005 is not rounded to zero.
  EXPECT_EQ(*ParseDecimalMinor("0.00001234", exp("XBT")), 1234);
  EXPECT_EQ(FormatMoney(Money{1234, *Currency::FromCode("XBT")}), "XBT 0.00001234");
  EXPECT_EQ(FormatMoney(Money{1500, *Currency::FromCode("KWD")}), "KWD 1.500");
}

TEST(FxTable, ConvertsBetweenExponentsAndRefusesOverflow) {
  auto fx = FxTable::FromFixed({{"XBT", "0.00005"}, {"PEN", "3.85"}, {"KWD", "0.31"}, {"ZZZ", "1000000000"}});
  ASSERT_TRUE(fx.ok()) << fx.status();
  const Currency xbt = *Currency::FromCode("XBT");
  // 0.0001 BTC at 20,000 USD per BTC is 2.00 USD.
  EXPECT_EQ(*fx->Convert(Money{10'000, xbt}, Currency::Usd(), 0), 200);
  // 1 USD is 0.00005 BTC: 5,000 satoshi.
  EXPECT_EQ(*fx->Convert(Money{100, Currency::Usd()}, xbt, 0), 5'000);
  EXPECT_EQ(*fx->Convert(Money{310, *Currency::FromCode("KWD")}, Currency::Usd(), 0), 100);
  // The largest amount into a currency of extreme rate: an error, not a wrap.
  auto huge = fx->Convert(Money{INT64_MAX, Currency::Usd()}, *Currency::FromCode("ZZZ"), 0);
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(Currency, AcceptsOnlyThreeUpperCaseLetters) {
  EXPECT_TRUE(Currency::FromCode("PEN").ok());
  EXPECT_EQ(Currency::FromCode("PEN")->code(), "PEN");
  EXPECT_FALSE(Currency::FromCode("pen").ok());
  EXPECT_FALSE(Currency::FromCode("PENN").ok());
  EXPECT_EQ(*Currency::FromCode("USD"), Currency::Usd());
}

TEST(StableHash, IsDeterministicAndSpreads) {
  EXPECT_EQ(StableHash64("abc"), StableHash64("abc"));
  EXPECT_NE(StableHash64("abc"), StableHash64("abd"));
  EXPECT_NE(StableHash64("abc", 1), StableHash64("abc", 2));
  // Pinned: alert ids must never change between releases.
  EXPECT_EQ(StableHashHex128("centinela").size(), 32u);
  EXPECT_EQ(StableHashHex128("centinela"), StableHashHex128("centinela"));
}

TEST(Keys, BigEndianOrderMatchesNumericOrder) {
  std::string a, b, c;
  PutOrderedInt64(&a, -5);
  PutOrderedInt64(&b, 3);
  PutOrderedInt64(&c, 1LL << 40);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(GetOrderedInt64(a), -5);
  EXPECT_EQ(GetOrderedInt64(c), 1LL << 40);
}

TEST(TimeUtil, DatesRoundTrip) {
  EXPECT_EQ(*ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(*ParseIsoDate("2026-01-05"), 20458);
  EXPECT_EQ(FormatIsoDate(20458), "2026-01-05");
  EXPECT_FALSE(ParseIsoDate("2026-02-30").ok());
  EXPECT_FALSE(ParseIsoDate("2026/01/05").ok());
}

TEST(TimeUtil, DurationsAndFloorDivision) {
  EXPECT_EQ(*ParseDuration("7d"), 7 * kMicrosPerDay);
  EXPECT_EQ(*ParseDuration("24h"), kMicrosPerDay);
  EXPECT_FALSE(ParseDuration("7w").ok());
  EXPECT_FALSE(ParseDuration("0d").ok());
  // Found by fuzz/rules/expr_fuzzer.cc: 99999999999d overflowed int64.
  EXPECT_EQ(*ParseDuration("36525d"), 36525 * kMicrosPerDay);
  auto huge = ParseDuration("99999999999d");
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("longer than 100 years"), std::string::npos);
  EXPECT_FALSE(ParseDuration("9223372036854775807s").ok());
  EXPECT_EQ(FloorDiv(-1, 10), -1);
  EXPECT_EQ(FloorDiv(19, 10), 1);
  EXPECT_EQ(ToMicros(FromMicros(-1500001)), -1500001);
}

}  // namespace
}  // namespace centinela
