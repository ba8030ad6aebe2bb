// screen() in the rules with suppressed false matches: an active
// suppression of (party, entry) skips that entry and the next best counts;
// a lapsed one (entry changed, period over) does not; the explanation says
// which.
#include "engine/pipeline/party_screening.h"

#include "absl/strings/match.h"
#include "base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace centinela {
namespace {

using rules::ScreenedParty;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kNow = 1764633600LL * kMicrosPerSecond;  // 2025-12-02

screening::ListEntry Person(const std::string& id, const std::string& name) {
  screening::ListEntry e;
  e.id = id;
  e.kind = screening::EntryKind::kPerson;
  e.names.push_back({name});
  return e;
}

std::shared_ptr<const screening::ListIndex> List(std::vector<screening::ListEntry> entries, const std::string& v) {
  screening::Watchlist w;
  w.meta.name = "ofac";
  w.meta.version = v;
  w.meta.category = screening::ListCategory::kSanctions;
  w.entries = std::move(entries);
  return screening::ListIndex::Build(std::move(w));
}

class PartyScreeningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lists_.Install(
        List({Person("OFAC-1", "MENDOZA VARGAS, Jose Luis"), Person("OFAC-2", "MENDOZA VARGAS, Jose")}, "v1"));
    tx_.mutable_originator()->set_name("Jose Mendoza Vargas");
    tx_.mutable_originator()->set_country("PE");
    tx_.mutable_originator()->set_document_number("40000001");
    tx_.mutable_originator()->set_kind(v1::PERSON);
  }
  // Proposes (ana) and confirms (sofia) a suppression of the originator and
  // `entry` for `days`.
  void Suppress(const std::string& entry_id, int days = 365) {
    const screening::ListEntry* entry = lists_.Get("ofac")->FindEntry(entry_id);
    ASSERT_NE(entry, nullptr);
    screening::ScreenQuery q;
    q.name = tx_.originator().name();
    q.country = "PE";
    q.document = tx_.originator().document_number();
    v1::SuppressionCommand c;
    v1::Suppression* p = c.mutable_propose();
    p->set_party_key(screening::PartyKey(q));
    p->set_list("ofac");
    p->set_entry_id(entry_id);
    p->set_entry_name(entry->primary_name());
    p->set_entry_digest(screening::EntryDigest(*entry));
    p->set_note("another man: DNI checked");
    auto d = book_.Decide(c, "ana", kNow);
    ASSERT_TRUE(d.ok) << d.error;
    book_.Put(d.record);
    v1::SuppressionCommand confirm;
    confirm.set_confirm(d.record.id());
    confirm.set_note("agreed");
    confirm.set_valid_days(days);
    d = book_.Decide(confirm, "sofia", kNow);
    ASSERT_TRUE(d.ok) << d.error;
    book_.Put(d.record);
  }
  PartyScreening At(int64_t micros) { return PartyScreening(&lists_, &book_, &tx_, micros); }

  screening::ListSet lists_;
  screening::SuppressionBook book_;
  v1::Transaction tx_;
};

TEST_F(PartyScreeningTest, ASuppressedEntryIsSkippedAndTheNextBestCounts) {
  const double unsuppressed = At(kNow).Screen(ScreenedParty::kOriginator, "ofac").n;
  ASSERT_GE(unsuppressed, 0.85);
  const std::string best = At(kNow).Explain(ScreenedParty::kOriginator, "ofac");
  const std::string best_id = absl::StrContains(best, "OFAC-2") ? "OFAC-2" : "OFAC-1";
  const std::string other_id = best_id == "OFAC-2" ? "OFAC-1" : "OFAC-2";
  Suppress(best_id);
  PartyScreening s = At(kNow);
  const double next = s.Screen(ScreenedParty::kOriginator, "ofac").n;
  EXPECT_GT(next, 0.80);
  EXPECT_LE(next, unsuppressed);
  const std::string why = s.Explain(ScreenedParty::kOriginator, "ofac");
  EXPECT_THAT(why, HasSubstr(other_id));
  EXPECT_THAT(why, HasSubstr("skipped " + best_id));
  EXPECT_THAT(why, HasSubstr("S-1 (false match proposed by ana, confirmed by sofia"));
  // The category reads the same.
  EXPECT_EQ(s.Screen(ScreenedParty::kOriginator, "sanctions").n, next);
  // Both suppressed: no match, and both named.
  Suppress(other_id);
  PartyScreening none = At(kNow);
  EXPECT_EQ(none.Screen(ScreenedParty::kOriginator, "ofac").n, 0);
  EXPECT_FALSE(none.Confirmed(ScreenedParty::kOriginator, "ofac").b);
  EXPECT_THAT(none.Explain(ScreenedParty::kOriginator, "ofac"),
              ::testing::AllOf(HasSubstr("0 (no match"), HasSubstr("S-1"), HasSubstr("S-2")));
  // The beneficiary, another party, is not suppressed.
  *tx_.mutable_beneficiary() = tx_.originator();
  tx_.mutable_beneficiary()->set_document_number("40000002");
  EXPECT_EQ(At(kNow).Screen(ScreenedParty::kBeneficiary, "ofac").n, unsuppressed);
}

TEST_F(PartyScreeningTest, ALapsedSuppressionNoLongerSkips) {
  const double unsuppressed = At(kNow).Screen(ScreenedParty::kOriginator, "ofac").n;
  const std::string best = At(kNow).Explain(ScreenedParty::kOriginator, "ofac");
  const std::string best_id = absl::StrContains(best, "OFAC-2") ? "OFAC-2" : "OFAC-1";
  Suppress(best_id, /*days=*/30);
  EXPECT_THAT(At(kNow).Explain(ScreenedParty::kOriginator, "ofac"), HasSubstr("skipped " + best_id));
  // Its period is over at the transaction's time.
  PartyScreening later = At(kNow + 31 * kMicrosPerDay);
  EXPECT_EQ(later.Screen(ScreenedParty::kOriginator, "ofac").n, unsuppressed);
  EXPECT_THAT(later.Explain(ScreenedParty::kOriginator, "ofac"), HasSubstr("S-1 lapsed: expired on"));
  // The entry changed (a new list version adds a date of birth).
  std::vector<screening::ListEntry> entries = {Person("OFAC-1", "MENDOZA VARGAS, Jose Luis"),
                                               Person("OFAC-2", "MENDOZA VARGAS, Jose")};
  for (auto& e : entries) {
    if (e.id == best_id) e.dobs.push_back({1966, 0, 0});
  }
  lists_.Install(List(std::move(entries), "v2"));
  PartyScreening changed = At(kNow);
  EXPECT_GT(changed.Screen(ScreenedParty::kOriginator, "ofac").n, 0.80);
  const std::string why = changed.Explain(ScreenedParty::kOriginator, "ofac");
  EXPECT_THAT(why, HasSubstr(best_id));
  EXPECT_THAT(why, HasSubstr("S-1 lapsed: ofac entry " + best_id + " changed since it was proposed"));
  EXPECT_THAT(why, Not(HasSubstr("skipped")));
}

}  // namespace
}  // namespace centinela
