#include "rules/lang/expr.h"

#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "engine/validate/normalizer.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela::rules {
namespace {

class FixedAggregates : public AggregateSource {
 public:
  Value Aggregate(int index) override { return index == 0 ? Value::Number(4) : Value::Null(); }
};

class ExprTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ParamValue threshold;
    threshold.type = Type::kMoney;
    threshold.value = Value::Of(Money{1000000, Currency::Usd()});
    symbols_.params["ros"] = threshold;
    symbols_.lists["fatf"] = {"IR", "KP"};
    symbols_.lists["mining"] = {"17", "2110"};
    symbols_.aggregates["deposits_7d"] = 0;
    symbols_.aggregate_types["deposits_7d"] = Type::kNumber;
    symbols_.aggregates["missing"] = 1;
    symbols_.aggregate_types["missing"] = Type::kNumber;
    tx_ = testing::MakeTx("t", testing::DayMicros(testing::kJan5), 3375000, "PEN");  // USD 9,000.00
    tx_.set_channel(v1::CASH);
    tx_.set_operation(v1::DEPOSIT);
    tx_.set_branch_ubigeo("170101");
    n_ = *Normalizer(&fx_).Normalize(tx_);
  }
  bool Eval(const std::string& text) {
    auto e = CompileExpr(text, symbols_, Type::kBool);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status();
    if (!e.ok()) return false;
    EvalContext ctx{&n_, &fx_, &aggs_};
    Value v = e->root->Eval(ctx);
    return !v.null && v.b;
  }
  std::string Error(const std::string& text) {
    auto e = CompileExpr(text, symbols_, Type::kBool);
    return e.ok() ? "" : std::string(e.status().message());
  }
  Symbols symbols_;
  FxTable fx_ = *FxTable::FromFixed({{"PEN", "3.75"}});
  FixedAggregates aggs_;
  v1::Transaction tx_;
  NormalizedTx n_;
};

TEST_F(ExprTest, ComparesEnumsAndMoney) {
  EXPECT_TRUE(Eval(R"(channel == "CASH" and operation == "DEPOSIT")"));
  EXPECT_FALSE(Eval(R"(channel == "WIRE")"));
  EXPECT_TRUE(Eval("amount_usd between param.ros * 0.7 and param.ros * 0.99"));
  EXPECT_FALSE(Eval("amount_usd > param.ros"));
  EXPECT_TRUE(Eval("amount_usd == USD(9000)"));
  // Money in different currencies is compared through the FX table.
  EXPECT_TRUE(Eval("amount == USD(9000.00)"));
  EXPECT_TRUE(Eval("amount_pen > USD(8999.99)"));
}

TEST_F(ExprTest, ListsPrefixesAndNegation) {
  EXPECT_TRUE(Eval("starts_with_any(branch_ubigeo, list.mining)"));
  EXPECT_FALSE(Eval("originator.country in list.fatf"));
  EXPECT_TRUE(Eval("originator.country not in list.fatf"));
  EXPECT_TRUE(Eval(R"(operation in ["DEPOSIT", "WITHDRAWAL"])"));
  EXPECT_TRUE(Eval(R"(not (channel == "WIRE") or false)"));
  EXPECT_TRUE(Eval(R"(starts_with(branch_ubigeo, "17"))"));
  tx_.mutable_beneficiary()->set_name("Minera Aurifera del Sur SAC");
  n_ = *Normalizer(&fx_).Normalize(tx_);
  EXPECT_TRUE(Eval(R"(contains(beneficiary.name, "AURIFERA"))"));
  EXPECT_FALSE(Eval(R"(contains(beneficiary.name, "AURIFERAS"))"));
  EXPECT_FALSE(Eval(R"(contains(originator.name, "A"))"));  // null name
}

TEST_F(ExprTest, AggregatesAndNullsAreNeverSilentlyZero) {
  EXPECT_TRUE(Eval("agg.deposits_7d >= 3"));
  EXPECT_FALSE(Eval("agg.missing >= 0"));  // null compares false
  EXPECT_FALSE(Eval("agg.missing < 1"));
  EXPECT_FALSE(Eval("present(agg.missing)"));
  EXPECT_FALSE(Eval("originator.ciiu == \"0729\""));
  EXPECT_FALSE(Eval("present(originator.ciiu)"));
  EXPECT_FALSE(Eval("originator.account_age_days < 100000"));  // no opening date
}

TEST_F(ExprTest, TypeErrorsPointAtTheOffendingToken) {
  EXPECT_EQ(Error("amount_usd > 9000"),
            "11:cannot compare money with number (write money literals as USD(10000) or PEN(5500.00))");
  EXPECT_EQ(Error(R"(channel == "CAHS")").substr(0, 26), "11:\"CAHS\" is not a valid v");
  EXPECT_EQ(Error("amount_usd"), "0:expression must be bool, got money");
  EXPECT_EQ(Error("foo.bar == 1").substr(0, 24), "0:unknown name 'foo.bar'");
  EXPECT_EQ(Error("agg.nope > 1"), "0:unknown aggregate 'nope'");
  EXPECT_EQ(Error("list.nope == 1"), "0:unknown list 'nope'");
  EXPECT_EQ(Error("channel == \"CASH\" and"), "21:unexpected end of expression");
  EXPECT_EQ(Error("1 + \"a\" == 2"), "2:cannot apply '+' to number and string");
  EXPECT_EQ(Error("x ! y"), "2:unexpected character '!'");
  EXPECT_EQ(Error("frob(1)").substr(0, 25), "0:unknown function 'frob'");
}

TEST_F(ExprTest, RecordsObservedLeavesForExplanations) {
  auto e = CompileExpr("amount_usd > param.ros and agg.deposits_7d >= 3", symbols_, Type::kBool);
  ASSERT_TRUE(e.ok());
  std::vector<std::string> names;
  for (const auto& o : e->observed) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"amount_usd", "param.ros", "agg.deposits_7d"}));
  EvalContext ctx{&n_, &fx_, &aggs_};
  EXPECT_EQ(FormatValue(*e->observed[0].node, e->observed[0].node->Eval(ctx)), "USD 9,000.00");
  EXPECT_EQ(FormatValue(*e->observed[2].node, e->observed[2].node->Eval(ctx)), "4");
}

TEST_F(ExprTest, ExplainsWhichEntryOfANamedListMatched) {
  tx_.mutable_originator()->set_country("KP");
  n_ = *Normalizer(&fx_).Normalize(tx_);
  auto e = CompileExpr(
      "originator.country in list.fatf and starts_with_any(branch_ubigeo, list.mining) and "
      "beneficiary.country not in list.fatf and originator.country in [\"KP\"]",
      symbols_, Type::kBool);
  ASSERT_TRUE(e.ok()) << e.status();
  EvalContext ctx{&n_, &fx_, &aggs_};
  auto seen = [&] {
    std::map<std::string, std::string> out;
    for (const auto& o : e->observed) {
      if (absl::StrContains(o.name, " list.")) out[o.name] = FormatValue(*o.node, o.node->Eval(ctx));
    }
    return out;
  };
  // The list entry each test matched; `not in` and literal lists explain nothing.
  EXPECT_EQ(seen(), (std::map<std::string, std::string>{{"originator.country in list.fatf", "KP"},
                                                        {"branch_ubigeo prefix in list.mining", "17"}}));
  tx_.mutable_originator()->set_country("PE");
  n_ = *Normalizer(&fx_).Normalize(tx_);
  EXPECT_EQ(seen()["originator.country in list.fatf"], "null");  // nothing matched
}

TEST_F(ExprTest, TimesAndDurations) {
  // 2026-01-05 12:00 UTC, a Monday.
  EXPECT_TRUE(Eval("weekday == 1 and weekday(event_time) == 1 and hour(event_time) == 12"));
  EXPECT_TRUE(Eval("year(event_time) == 2026"));
  EXPECT_TRUE(Eval("hour_of_day == 12"));
  EXPECT_FALSE(Eval("weekday >= 6"));
  tx_.mutable_originator()->set_account_opened("2025-12-26");
  n_ = *Normalizer(&fx_).Normalize(tx_);
  EXPECT_TRUE(Eval("event_time - originator.account_opened == 10d + 12h"));
  EXPECT_TRUE(Eval("days_since(originator.account_opened) == 10.5"));
  EXPECT_TRUE(Eval("days(event_time - originator.account_opened) between 10 and 11"));
  EXPECT_TRUE(Eval("originator.account_opened + 30d > event_time"));
  EXPECT_TRUE(Eval("hours(90m) == 1.5 and 2 * 12h == 1d and 36h / 12h == 3"));
  EXPECT_TRUE(Eval("event_time - 1d < event_time"));
  // A missing date is null, never the epoch.
  EXPECT_FALSE(Eval("days_since(beneficiary.account_opened) > 0"));
  EXPECT_FALSE(Eval("present(beneficiary.account_opened)"));
  EXPECT_EQ(Error("event_time > 5"), "11:cannot compare time with number");
  EXPECT_EQ(Error("event_time + event_time > event_time"), "11:cannot apply '+' to time and time");
  EXPECT_EQ(Error("days(event_time) > 1").substr(0, 46), "5:argument 1 of days must be duration, got tim");
}

TEST_F(ExprTest, SameTextFoldsCaseAccentsAndPunctuation) {
  tx_.mutable_originator()->set_name("José  Pérez-Soto");
  tx_.mutable_beneficiary()->set_name(" JOSE PEREZ SOTO. ");
  n_ = *Normalizer(&fx_).Normalize(tx_);
  EXPECT_TRUE(Eval("same_text(originator.name, beneficiary.name)"));
  EXPECT_TRUE(Eval(R"(same_text(originator.name, "jose perez soto"))"));
  EXPECT_TRUE(Eval(R"(same_text("Ñandú S.A.C.", "NANDU SAC") == false)"));  // "S.A.C." folds to "S A C"
  EXPECT_TRUE(Eval(R"(same_text("Ñandú S A C", "nandu s.a.c"))"));
  EXPECT_FALSE(Eval(R"(same_text(originator.name, "JOSE PEREZ"))"));
  EXPECT_FALSE(Eval(R"(same_text(originator.name, "JOSEPEREZSOTO"))"));
  EXPECT_FALSE(Eval(R"(same_text(originator.ciiu, ""))"));  // null never equals
}

}  // namespace
}  // namespace centinela::rules

namespace centinela::rules {
namespace {

// Scores parties by name, as a stand-in for the engine's ListSet: this test
// is about the language (parsing, typing, nulls, explanations).
class ScoresByName : public ScreeningSource {
 public:
  Value Screen(ScreenedParty party, absl::string_view list) override {
    ++calls;
    last_list = std::string(list);
    if (list == "unloaded") return Value::Null();
    return Value::Number(party == ScreenedParty::kBeneficiary ? 0.93 : 0.0);
  }
  Value Confirmed(ScreenedParty party, absl::string_view list) override {
    if (list == "unloaded") return Value::Null();
    return Value::Bool(party == ScreenedParty::kBeneficiary && list == "un");
  }
  std::string Explain(ScreenedParty party, absl::string_view list) override {
    return absl::StrCat("0.93 UN-QDi.001 (", list, ")");
  }
  int calls = 0;
  std::string last_list;
};

TEST_F(ExprTest, ScreenReadsTheNamedPartyAndList) {
  ScoresByName lists;
  auto e = CompileExpr(R"(screen(beneficiary, "sanctions") >= 0.9 and not (screen(originator, "un") >= 0.9))", symbols_,
                       Type::kBool);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->screen_lists, (std::vector<std::string>{"sanctions", "un"}));
  EvalContext ctx{&n_, &fx_, &aggs_, nullptr, &lists};
  Value v = e->root->Eval(ctx);
  EXPECT_TRUE(!v.null && v.b);
  EXPECT_EQ(lists.calls, 2);
  // The explanation of the leaf names the list entry.
  ASSERT_EQ(e->observed.size(), 2u);
  EXPECT_EQ(e->observed[0].name, "screen(beneficiary, \"sanctions\")");
  EXPECT_EQ(e->observed[0].node->Explain(ctx), "0.93 UN-QDi.001 (sanctions)");
  // Without lists (or with an unloaded one) screen() is null and compares false.
  EvalContext none{&n_, &fx_, &aggs_};
  EXPECT_FALSE(e->root->Eval(none).b);
  auto unloaded = CompileExpr(R"(screen(beneficiary, "unloaded") >= 0.0)", symbols_, Type::kBool);
  ASSERT_TRUE(unloaded.ok());
  EXPECT_FALSE(unloaded->root->Eval(ctx).b);
  EXPECT_EQ(unloaded->observed[0].node->Explain(ctx), "null");
}

TEST_F(ExprTest, ScreenConfirmedIsABoolOfTheSameParty) {
  ScoresByName lists;
  auto e =
      CompileExpr(R"(screen(beneficiary, "un") >= 0.9 and screen_confirmed(beneficiary, "un"))", symbols_, Type::kBool);
  ASSERT_TRUE(e.ok()) << e.status();
  EvalContext ctx{&n_, &fx_, &aggs_, nullptr, &lists};
  EXPECT_TRUE(e->root->Eval(ctx).b);
  ASSERT_EQ(e->observed.size(), 2u);
  EXPECT_EQ(e->observed[1].name, "screen_confirmed(beneficiary, \"un\")");
  auto originator = CompileExpr(R"(screen_confirmed(originator, "un"))", symbols_, Type::kBool);
  ASSERT_TRUE(originator.ok()) << originator.status();
  EXPECT_FALSE(originator->root->Eval(ctx).b);
  // A number is not a bool, and the arguments are checked as screen()'s.
  EXPECT_EQ(Error(R"(screen_confirmed(originator, "un") >= 0.9)").substr(0, 2), "35");
  EXPECT_EQ(Error(R"(screen_confirmed(amount_usd, "un"))").substr(0, 50),
            "17:first argument of screen_confirmed must be orig");
  auto unloaded = CompileExpr(R"(screen_confirmed(beneficiary, "unloaded"))", symbols_, Type::kBool);
  ASSERT_TRUE(unloaded.ok());
  EXPECT_TRUE(unloaded->root->Eval(ctx).null);
}

TEST_F(ExprTest, ScreenArgumentsAreChecked) {
  EXPECT_EQ(Error(R"(screen(amount_usd, "un") > 0.9)"),
            "7:first argument of screen must be originator or beneficiary: screen(originator|beneficiary, \"list or "
            "category\")");
  EXPECT_EQ(Error(R"(screen(originator, param.ros) > 0.9)").substr(0, 60),
            "19:second argument of screen must name a list (\"un\", \"ofac\")");
  EXPECT_EQ(Error(R"(screen(originator, "UN") > 0.9)").substr(0, 20), "19:second argument o");
  EXPECT_EQ(Error(R"(screen(originator "un") > 0.9)").substr(0, 30), "18:expected ',' after the part");
  EXPECT_EQ(Error(R"(screen(originator, "un", 3) > 0.9)").substr(0, 16), "23:expected ')':");
  EXPECT_EQ(Error(R"(screen(originator, "un"))"), "0:expression must be bool, got number");
  // Scores under the floor read as 0: a threshold there would act as the floor.
  EXPECT_EQ(Error(R"(screen(originator, "un") >= 0.7)"),
            "25:screen() reads scores under 0.80 as 0, so comparing it with 0.7 would act as 0.80: use a threshold "
            "from 0.80 to 1, or > 0 for any match");
  EXPECT_EQ(Error(R"(0.5 < screen(beneficiary, "pep"))").substr(0, 40), "4:screen() reads scores under 0.80 as 0,");
  EXPECT_TRUE(CompileExpr(R"(screen(originator, "un") > 0)", symbols_, Type::kBool).ok());
  EXPECT_TRUE(CompileExpr(R"(screen(originator, "un") >= 0.8)", symbols_, Type::kBool).ok());
}

// Found by fuzz/rules/expr_fuzzer.cc: a few thousand '(' overflowed the
// stack of the engine compiling the pack (or of the API validating it).
TEST_F(ExprTest, NestingAndLengthAreBoundedWithAnErrorNotACrash) {
  const std::string deep = std::string(1000, '(') + "true" + std::string(1000, ')');
  EXPECT_NE(Error(deep).find("nested deeper than 64 levels"), std::string::npos) << Error(deep).substr(0, 200);
  std::string nots;
  for (int i = 0; i < 2000; ++i) nots += "not ";
  EXPECT_NE(Error(nots + "true").find("nested deeper than 64 levels"), std::string::npos);
  std::string minus = "amount_usd > ";
  for (int i = 0; i < 2000; ++i) minus += "- ";
  EXPECT_NE(Error(minus + "1").find("nested deeper"), std::string::npos);
  std::string sum = "1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  EXPECT_NE(Error(sum + " > 0").find("more than 4096"), std::string::npos);
  // What a pack really writes is far from either bound.
  EXPECT_TRUE(Eval(std::string(60, '(') + "true" + std::string(60, ')')));
}

}  // namespace
}  // namespace centinela::rules
