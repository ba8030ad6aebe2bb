// The index and the deciding factors: candidates come from the index (never
// a scan), date of birth and documents confirm or rule out, weak aliases
// count less, results are cached per party and list version.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "screening/match/list_set.h"

namespace centinela::screening {
namespace {

constexpr const char* kLists = CENTINELA_SOURCE_DIR "/../shared/data/lists/";

class MatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    set_ = new ListSet();
    ASSERT_TRUE(set_->Load(OfacAndUnSpecs(kLists)[1]).ok());
  }
  static void TearDownTestSuite() { delete set_; }
  static std::vector<Hit> Screen(const ScreenQuery& q, double threshold = kDefaultThreshold) {
    ScreenOptions o;
    o.threshold = threshold;
    auto hits = set_->Screen(q, {"un"}, o);
    EXPECT_TRUE(hits.ok()) << hits.status();
    return hits.ok() ? *hits : std::vector<Hit>{};
  }
  static ListSet* set_;
};
ListSet* MatchTest::set_ = nullptr;

TEST_F(MatchTest, FindsTheEntryThroughTheIndexAndExplainsIt) {
  ScreenQuery q;
  q.name = "Badege, Erik";
  const std::vector<Hit> hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].entry_id, "UN-CDi.001");
  EXPECT_EQ(hits[0].list, "un");
  EXPECT_EQ(hits[0].list_version, set_->Get("un")->meta().version);
  EXPECT_THAT(hits[0].programs, ::testing::ElementsAre("DRC"));
  ASSERT_EQ(hits[0].tokens.size(), 2u);
  EXPECT_EQ(hits[0].tokens[0].query, "erik");
  EXPECT_EQ(hits[0].tokens[0].listed, "eric");
  // The index handed over a few names to score, not the list's thousands.
  EXPECT_GT(ListIndex::LastScoredCount(), 0);
  EXPECT_LE(ListIndex::LastScoredCount(), 32);
  EXPECT_GT(set_->Get("un")->indexed_names(), 4000u);
}

TEST_F(MatchTest, DateOfBirthConfirmsOrRulesOut) {
  ScreenQuery q;
  q.name = "Eric Badege";
  q.dob = "1971";
  auto hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_THAT(hits[0].factors, ::testing::Contains(::testing::HasSubstr("DOB 1971 fits listed 1971: +0.02")));
  q.dob = "1990-05-01";
  hits = Screen(q);
  EXPECT_TRUE(hits.empty());  // 1.0 x 0.75 is below the threshold
  hits = Screen(q, 0.5);
  ASSERT_FALSE(hits.empty());
  EXPECT_THAT(hits[0].factors,
              ::testing::Contains(::testing::HasSubstr("differs from listed 1971: x0.75 (rules out)")));
  q.dob = "not a date";
  EXPECT_THAT(std::string(set_->Screen(q, {}, {}).status().message()),
              ::testing::HasSubstr("dob 'not a date' is not YYYY"));
}

TEST_F(MatchTest, DocumentNumberConfirmsAWeakNameMatch) {
  // UN entry CDi.002 holds a National Identification Number.
  const ListIndex& un = *set_->Get("un");
  const ListEntry* entry = nullptr;
  for (const auto& e : un.list().entries) {
    if (!e.documents.empty() && e.kind == EntryKind::kPerson && e.names.size() >= 1) {
      entry = &e;
      break;
    }
  }
  ASSERT_NE(entry, nullptr);
  ScreenQuery q;
  // Only part of the name: alone, not a hit.
  q.name = std::string(entry->primary_name().substr(0, entry->primary_name().find(' ')));
  q.document = entry->documents[0].number;
  auto hits = Screen(q, 0.9);
  bool confirmed = false;
  for (const auto& h : hits) confirmed |= h.entry_id == entry->id && h.score >= 0.99;
  EXPECT_TRUE(confirmed) << q.name << " / " << q.document;
}

TEST_F(MatchTest, EvidenceBeyondTheNameIsNamedAndRanked) {
  const ListIndex& un = *set_->Get("un");
  const ListEntry* entry = nullptr;
  for (const auto& e : un.list().entries) {
    if (e.id == "UN-CDi.001") entry = &e;
  }
  ASSERT_NE(entry, nullptr);
  ASSERT_FALSE(entry->nationalities.empty());
  ScreenQuery q;
  q.name = "Erik Badege";  // a near-typo: a strong name score, not an exact name
  auto hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].entry_id, "UN-CDi.001");
  EXPECT_EQ(hits[0].evidence, Evidence::kNameOnly);
  EXPECT_FALSE(hits[0].confirmed());
  q.country = entry->nationalities[0];
  hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].evidence, Evidence::kNationality);
  q.dob = "1971";
  hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].evidence, Evidence::kDateOfBirth);  // stronger than nationality
  // Every part of a strong listed name as written, two distinctive parts.
  q = ScreenQuery{};
  q.name = "Eric Badege";
  hits = Screen(q);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].evidence, Evidence::kExactName);
  EXPECT_STREQ(EvidenceName(hits[0].evidence), "exact name");
}

TEST_F(MatchTest, WeakAliasesCountLess) {
  const ListIndex& un = *set_->Get("un");
  for (const auto& e : un.list().entries) {
    for (const auto& n : e.names) {
      if (!n.weak || NormalizeName(n.text).tokens.size() < 2) continue;
      ScreenQuery q;
      q.name = n.text;
      auto hits = Screen(q, 0.5);
      for (const auto& h : hits) {
        if (h.entry_id != e.id || h.matched_name != n.text) continue;
        EXPECT_TRUE(h.weak_alias);
        EXPECT_NEAR(h.score, h.name_score * 0.9, 1e-9);
        EXPECT_THAT(h.factors, ::testing::Contains("weak (low-quality) alias: x0.90"));
        return;
      }
    }
  }
  FAIL() << "no weak alias found itself";
}

TEST_F(MatchTest, CachedPerPartyAndListVersion) {
  ScreenQuery q;
  q.name = "Eric Badege";
  const int64_t misses = set_->stats().cache_misses, hits = set_->stats().cache_hits;
  auto a = set_->ScreenCached(q, "un");
  auto b = set_->ScreenCached(q, "un");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a.get(), b.get());  // the cached result itself, not a copy
  EXPECT_EQ(a->entry_id, "UN-CDi.001");
  EXPECT_EQ(b->explanation, a->explanation);
  EXPECT_THAT(a->explanation, ::testing::StartsWith("1.00 UN-CDi.001 'ERIC BADEGE'"));
  EXPECT_EQ(set_->stats().cache_misses, misses + 1);
  EXPECT_EQ(set_->stats().cache_hits, hits + 1);
  EXPECT_EQ(set_->ScreenCached(q, "nope"), nullptr);
  q.name = "Rosa Quispe Mamani";
  EXPECT_EQ(set_->ScreenCached(q, "un")->score, 0);
  EXPECT_EQ(set_->Missing({"un", "sanctions", "pep", "ofac"}), (std::vector<std::string>{"pep", "ofac"}));
}

TEST_F(MatchTest, FindsAnEntryById) {
  const auto un = set_->Get("un");
  const ListEntry* e = un->FindEntry("UN-CDi.001");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->primary_name(), "ERIC BADEGE");
  EXPECT_EQ(un->FindEntry("UN-CDi.999"), nullptr);
  EXPECT_EQ(un->FindEntry(""), nullptr);
}

}  // namespace
}  // namespace centinela::screening
