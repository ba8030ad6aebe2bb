// Suppressed false matches: party and entry keys, maker-checker decisions,
// lapses when the entry changes or the period runs out, and search.
#include "screening/suppress/suppression_book.h"

#include "base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace centinela::screening {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kDay0 = 1764633600LL * kMicrosPerSecond;  // 2025-12-02

ScreenQuery Party(const std::string& name, const std::string& country = "PE", const std::string& document = "") {
  ScreenQuery q;
  q.name = name;
  q.country = country;
  q.document = document;
  return q;
}

ListEntry Mendez() {
  ListEntry e;
  e.id = "OFAC-1";
  e.kind = EntryKind::kPerson;
  e.names.push_back({"MENDEZ VARGAS, Jose de Jesus"});
  e.nationalities = {"MX"};
  return e;
}

v1::SuppressionCommand Propose(const std::string& party_key, const std::string& entry_id = "OFAC-1") {
  v1::SuppressionCommand c;
  v1::Suppression* p = c.mutable_propose();
  p->set_party_key(party_key);
  p->set_party_name("Jose Mendoza Vargas");
  p->set_list("ofac");
  p->set_entry_id(entry_id);
  p->set_entry_digest(EntryDigest(Mendez()));
  p->set_note("DNI 40000001, born 1988 in Cusco; the listed man is Mexican, born 1966");
  return c;
}

v1::SuppressionCommand Decision(const std::string& action, const std::string& id, const std::string& note = "ok") {
  v1::SuppressionCommand c;
  if (action == "confirm") c.set_confirm(id);
  if (action == "reject") c.set_reject(id);
  if (action == "revoke") c.set_revoke(id);
  c.set_note(note);
  return c;
}

// Decides and, when accepted, stores (what the registry does).
SuppressionBook::Decision Apply(SuppressionBook& book, const v1::SuppressionCommand& c, const std::string& by,
                                int64_t at = kDay0) {
  SuppressionBook::Decision d = book.Decide(c, by, at);
  if (d.ok) book.Put(d.record);
  return d;
}

TEST(PartyKey, DocumentWhenGivenElseNormalisedNameAndCountry) {
  EXPECT_EQ(PartyKey(Party("Jose Mendoza Vargas", "PE", "40.000.001")), "doc:PE:40000001");
  EXPECT_EQ(PartyKey(Party("JOSÉ  MENDOZA VARGAS", "Peru")), PartyKey(Party("jose mendoza vargas", "PE")));
  EXPECT_NE(PartyKey(Party("Jose Mendoza Vargas", "PE")), PartyKey(Party("Jose Mendoza Vargas", "MX")));
  // A namesake with another document is another party.
  EXPECT_NE(PartyKey(Party("Jose Mendoza Vargas", "PE", "40000001")),
            PartyKey(Party("Jose Mendoza Vargas", "PE", "40000002")));
}

TEST(EntryDigest, ChangesWithWhatTheEntrySays) {
  const std::string before = EntryDigest(Mendez());
  EXPECT_EQ(before.size(), 16u);
  EXPECT_EQ(EntryDigest(Mendez()), before);
  ListEntry alias = Mendez();
  alias.names.push_back({"Jose Mendez", /*alias=*/true});
  EXPECT_NE(EntryDigest(alias), before);
  ListEntry doc = Mendez();
  doc.documents.push_back({"Passport", "G123", "MX"});
  EXPECT_NE(EntryDigest(doc), before);
  ListEntry dob = Mendez();
  dob.dobs.push_back({1966, 0, 0});
  EXPECT_NE(EntryDigest(dob), before);
}

TEST(SuppressionBook, MakerCheckerThenActiveUntilRevoked) {
  SuppressionBook book;
  const std::string key = PartyKey(Party("Jose Mendoza Vargas", "PE", "40000001"));
  SuppressionBook::Decision p = Apply(book, Propose(key), "ana");
  ASSERT_TRUE(p.ok) << p.error;
  EXPECT_EQ(p.record.id(), "S-1");
  EXPECT_EQ(p.record.state(), v1::SUPPRESSION_PROPOSED);
  EXPECT_EQ(p.record.proposed_by(), "ana");
  // Proposed is not applied.
  EXPECT_FALSE(book.HasActive());
  EXPECT_FALSE(book.Active(key, "ofac", "OFAC-1"));
  // The proposer cannot confirm it.
  SuppressionBook::Decision self = Apply(book, Decision("confirm", "S-1"), "ana");
  EXPECT_FALSE(self.ok);
  EXPECT_THAT(self.error, HasSubstr("maker-checker"));
  // A second proposal of the same pair is refused while the first is open.
  SuppressionBook::Decision twice = Apply(book, Propose(key), "luis");
  EXPECT_FALSE(twice.ok);
  EXPECT_THAT(twice.error, HasSubstr("already have S-1"));
  // Another user confirms: active for the default period.
  SuppressionBook::Decision ok = Apply(book, Decision("confirm", "S-1", "checked the DNI at RENIEC"), "sofia");
  ASSERT_TRUE(ok.ok) << ok.error;
  EXPECT_EQ(ok.record.state(), v1::SUPPRESSION_ACTIVE);
  EXPECT_EQ(ok.record.decided_by(), "sofia");
  EXPECT_EQ(ok.record.expires_micros(), kDay0 + kDefaultSuppressionDays * kMicrosPerDay);
  EXPECT_TRUE(book.HasActive());
  ASSERT_TRUE(book.Active(key, "ofac", "OFAC-1"));
  EXPECT_FALSE(book.Active(key, "ofac", "OFAC-2"));
  EXPECT_FALSE(book.Active(key, "un", "OFAC-1"));
  EXPECT_FALSE(Apply(book, Decision("confirm", "S-1"), "pedro").ok);  // not proposed any more
  // Revoked: no longer applied, and the pair may be proposed again.
  ASSERT_TRUE(Apply(book, Decision("revoke", "S-1", "RENIEC record was wrong"), "pedro").ok);
  EXPECT_FALSE(book.HasActive());
  EXPECT_FALSE(book.Active(key, "ofac", "OFAC-1"));
  SuppressionBook::Decision again = Apply(book, Propose(key), "ana");
  ASSERT_TRUE(again.ok) << again.error;
  EXPECT_EQ(again.record.id(), "S-2");
  ASSERT_TRUE(Apply(book, Decision("reject", "S-2", "not enough evidence"), "sofia").ok);
  EXPECT_EQ(book.Get("S-2")->state(), v1::SUPPRESSION_REJECTED);
  EXPECT_FALSE(Apply(book, Decision("revoke", "S-2"), "sofia").ok);  // nothing to revoke
}

TEST(SuppressionBook, RefusesIncompleteCommands) {
  SuppressionBook book;
  v1::SuppressionCommand no_note = Propose("doc:PE:1");
  no_note.mutable_propose()->set_note("  ");
  EXPECT_THAT(book.Decide(no_note, "ana", kDay0).error, HasSubstr("note"));
  v1::SuppressionCommand no_entry = Propose("doc:PE:1", "");
  EXPECT_THAT(book.Decide(no_entry, "ana", kDay0).error, HasSubstr("entry"));
  EXPECT_THAT(book.Decide(Decision("confirm", "S-9"), "sofia", kDay0).error, HasSubstr("no suppression S-9"));
  EXPECT_THAT(book.Decide(Decision("confirm", "X-1"), "sofia", kDay0).error, HasSubstr("no suppression X-1"));
  ASSERT_TRUE(Apply(book, Propose("doc:PE:1"), "ana").ok);
  EXPECT_THAT(book.Decide(Decision("confirm", "S-1", ""), "sofia", kDay0).error, HasSubstr("note"));
  v1::SuppressionCommand forever = Decision("confirm", "S-1");
  forever.set_valid_days(100000);
  EXPECT_THAT(book.Decide(forever, "sofia", kDay0).error, HasSubstr("valid_days"));
  EXPECT_EQ(book.size(), 1u);
  EXPECT_FALSE(book.HasActive());
}

TEST(SuppressionBook, LapsesWhenTheEntryChangesOrThePeriodEnds) {
  SuppressionBook book;
  ASSERT_TRUE(Apply(book, Propose("doc:PE:1"), "ana").ok);
  v1::SuppressionCommand c = Decision("confirm", "S-1");
  c.set_valid_days(30);
  ASSERT_TRUE(Apply(book, c, "sofia").ok);
  const v1::Suppression s = *book.Active("doc:PE:1", "ofac", "OFAC-1");
  EXPECT_EQ(Lapse(s, EntryDigest(Mendez()), kDay0 + 29 * kMicrosPerDay), "");
  EXPECT_THAT(Lapse(s, EntryDigest(Mendez()), kDay0 + 30 * kMicrosPerDay),
              HasSubstr("S-1 lapsed: expired on 2026-01-01"));
  ListEntry changed = Mendez();
  changed.documents.push_back({"Passport", "G123", "MX"});
  EXPECT_THAT(Lapse(s, EntryDigest(changed), kDay0), HasSubstr("entry OFAC-1 changed since it was proposed"));
  EXPECT_THAT(DescribeSuppression(s), HasSubstr("S-1 (false match proposed by ana, confirmed by sofia 2025-12-02"));
}

TEST(SuppressionBook, SearchesByPartyListEntryStateAndUserNewestFirst) {
  SuppressionBook book;
  ASSERT_TRUE(Apply(book, Propose("doc:PE:1"), "ana").ok);
  ASSERT_TRUE(Apply(book, Propose("doc:PE:2", "OFAC-7"), "luis").ok);
  ASSERT_TRUE(Apply(book, Decision("confirm", "S-2"), "sofia").ok);
  // One field of the filter set, the others at their defaults.
  auto with = [](auto set) {
    SuppressionBook::Filter f;
    set(f);
    return f;
  };
  auto ids = [&](SuppressionBook::Filter f) {
    std::vector<std::string> out;
    for (const auto& s : book.Search(f)) out.push_back(s.id());
    return out;
  };
  EXPECT_THAT(ids({}), ::testing::ElementsAre("S-2", "S-1"));
  EXPECT_THAT(ids(with([](auto& f) { f.party = "doc:pe:1"; })), ::testing::ElementsAre("S-1"));
  EXPECT_THAT(ids(with([](auto& f) { f.party = "MENDOZA"; })),
              ::testing::ElementsAre("S-2", "S-1"));  // the name as given
  EXPECT_THAT(ids(with([](auto& f) { f.entry_id = "OFAC-7"; })), ::testing::ElementsAre("S-2"));
  EXPECT_THAT(ids(with([](auto& f) { f.state = v1::SUPPRESSION_PROPOSED; })), ::testing::ElementsAre("S-1"));
  EXPECT_THAT(ids(with([](auto& f) { f.by = "sofia"; })), ::testing::ElementsAre("S-2"));
  EXPECT_THAT(ids(with([](auto& f) { f.list = "un"; })), ::testing::ElementsAre());
  EXPECT_THAT(ids(with([](auto& f) { f.limit = 1; })), ::testing::ElementsAre("S-2"));
}

}  // namespace
}  // namespace centinela::screening
