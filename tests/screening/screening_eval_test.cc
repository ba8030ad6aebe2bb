// Acceptance measurements of the matcher on the real lists (issue 6): recall
// of perturbed list names, false positives on generated Peruvian names, and
// the cross-script pairs. Prints the figures; asserts the acceptance bounds.
#include "eval/screening_eval.h"

#include <cstdio>

#include "gtest/gtest.h"
#include "screening/match/list_set.h"

namespace centinela::screening {
namespace {

constexpr const char* kLists = CENTINELA_SOURCE_DIR "/../shared/data/lists/";

class ScreeningEvalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    set_ = new ListSet();
    for (const ListSpec& spec : OfacAndUnSpecs(kLists)) {
      auto meta = set_->Load(spec);
      ASSERT_TRUE(meta.ok()) << meta.status();
      std::printf("loaded %s: %lld entries, %lld names, %.0f ms\n", meta->name.c_str(), (long long)meta->entries,
                  (long long)meta->names, meta->load_micros / 1000.0);
    }
  }
  static void TearDownTestSuite() { delete set_; }
  static ListSet* set_;
};
ListSet* ScreeningEvalTest::set_ = nullptr;

TEST_F(ScreeningEvalTest, RecallAndFalsePositivesOnUnAndOfacAtTheDefaultThreshold) {
  eval::ScreeningEvalOptions o;
  o.progress = [](const std::string& s) { std::printf("  %s\n", s.c_str()); };
  auto r = eval::EvaluateScreening(*set_, {"ofac", "un"}, o);
  ASSERT_TRUE(r.ok()) << r.status();
  for (const auto& k : r->by_kind) {
    std::printf("recall %-15s %6lld / %6lld = %.2f%%\n", k.kind.c_str(), (long long)k.found, (long long)k.total,
                100 * k.recall());
  }
  std::printf("recall overall %lld / %lld = %.2f%%\n", (long long)r->counts.tp, (long long)r->positives(),
              100 * r->recall());
  std::printf("false positives %lld / %lld = %.3f%% (set aside as listed: %lld)\n", (long long)r->counts.fp,
              (long long)r->negatives(), 100 * r->fp_rate(), (long long)r->set_aside);
  std::printf("precision %.4f recall %.4f F1 %.4f (%.1f s)\n", r->precision(), r->recall(), r->f1(), r->seconds);
  for (const auto& m : r->misses) std::printf("  miss: %s\n", m.c_str());
  for (const auto& m : r->false_positive_examples) std::printf("  false positive: %s\n", m.c_str());
  EXPECT_GE(r->recall(), 0.98);
  EXPECT_LE(r->fp_rate(), 0.001);
  EXPECT_EQ(r->negatives() + r->set_aside, 100000);
}

TEST_F(ScreeningEvalTest, EveryCrossScriptPairReachesItsMinimumScore) {
  auto pairs = eval::LoadCrossScriptPairs(std::string(kLists) + "cross_script_pairs.csv");
  ASSERT_TRUE(pairs.ok()) << pairs.status();
  ASSERT_GE(pairs->size(), 20u);
  int failed = 0;
  for (const auto& p : *pairs) {
    NormalizedName reading;
    const NameComparison c = CompareNameReadings(p.query, p.expected, &reading);
    const bool ok = c.score >= p.min_score;
    failed += !ok;
    std::printf("%s %-22s %-20s %.3f (min %.2f) latin: %s\n", ok ? "ok  " : "FAIL", p.query.c_str(), p.expected.c_str(),
                c.score, p.min_score, reading.Display().c_str());
    EXPECT_GE(c.score, p.min_score) << p.query << " vs " << p.expected << " (line " << p.line << ")";
  }
  std::printf("cross-script: %zu of %zu pairs reach their minimum\n", pairs->size() - size_t(failed), pairs->size());
}

}  // namespace
}  // namespace centinela::screening
