// Generated Peruvian names: hundreds of distinct names, drawn common-first.
#include "gen/peruvian_names.h"

#include <map>
#include <random>
#include <set>

#include "gtest/gtest.h"

namespace centinela::gen {
namespace {

TEST(PeruvianNames, HundredsOfDistinctNames) {
  const auto& s = PeruvianSurnames();
  const auto& g = PeruvianGivenNames();
  EXPECT_GE(s.size(), 200u);
  EXPECT_GE(g.size(), 150u);
  EXPECT_EQ(std::set<std::string>(s.begin(), s.end()).size(), s.size());
  EXPECT_EQ(std::set<std::string>(g.begin(), g.end()).size(), g.size());
  for (const auto& x : s) EXPECT_EQ(x.find(' '), std::string::npos) << x;
}

TEST(PeruvianNames, CommonNamesAreDrawnMoreOftenAndEveryNameCanBe) {
  std::mt19937_64 rng(5);
  const size_t n = PeruvianSurnames().size();
  std::map<size_t, int> count;
  for (int i = 0; i < 200000; ++i) {
    const size_t k = PickByRank(n, rng());
    ASSERT_LT(k, n);
    ++count[k];
  }
  // Weight 1 / (rank + 10): the first is (n - 1 + 10) / 10 times the last.
  EXPECT_GT(count[0], 10 * count[n - 1]);
  EXPECT_EQ(count.size(), n);
  std::set<std::string> names;
  for (int i = 0; i < 5000; ++i) names.insert(PeruvianPersonName(rng(), rng(), rng(), rng()));
  EXPECT_GT(names.size(), 4500u);  // distinct people, not twelve surnames recombined
}

}  // namespace
}  // namespace centinela::gen
