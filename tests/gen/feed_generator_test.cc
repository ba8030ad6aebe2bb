// The synthetic feed generator: deterministic per seed, and never the same
// transaction id under two seeds.
#include "gen/feed_generator.h"

#include <map>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace centinela::gen {
namespace {

std::vector<std::string> Ids(uint64_t seed) {
  GenOptions o;
  o.count = 3000;
  o.cases_per_typology = 5;
  o.invalid = 5;
  o.seed = seed;
  std::vector<std::string> ids;
  EXPECT_TRUE(Generate(o, [&](const GeneratedRecord& r) { ids.push_back(r.tx_id); }).ok());
  return ids;
}

// Issue 17, defect 9: `gen --seed 43` reused the ids of seed 42, so the
// README's "more live traffic" step sent other transactions under old ids.
TEST(FeedGenerator, IdsNeverRepeatAcrossSeedsAndRepeatExactlyForOne) {
  const std::vector<std::string> a = Ids(42), b = Ids(43);
  EXPECT_EQ(a, Ids(42));
  const std::set<std::string> sa(a.begin(), a.end());
  EXPECT_EQ(sa.size(), a.size()) << "an id repeats within one feed";
  int shared = 0;
  for (const std::string& id : b) shared += sa.count(id);
  EXPECT_EQ(shared, 0);
}

// The uneven write order of `gen --shuffle` and the event-time tests: every
// record once, on its partition, each partition's records in their order;
// the same seed gives the same order, and partitions are written in bursts
// (not round-robin).
TEST(FeedGenerator, ShuffledPartitionOrderKeepsEachPartitionsOrder) {
  GenOptions o;
  o.count = 5000;
  o.cases_per_typology = 2;
  std::vector<GeneratedRecord> records;
  ASSERT_TRUE(Generate(o, [&](const GeneratedRecord& r) { records.push_back(r); }).ok());
  const auto order = ShuffledPartitionOrder(records, 16, 7);
  ASSERT_EQ(order.size(), records.size());
  std::set<size_t> seen;
  std::vector<int64_t> last(16, -1);
  int switches = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const auto& [p, i] = order[k];
    EXPECT_TRUE(seen.insert(i).second) << "record " << i << " twice";
    EXPECT_EQ(p, PartitionOf(records[i], 16));
    EXPECT_GT(int64_t(i), last[size_t(p)]) << "partition " << p << " out of its order";
    last[size_t(p)] = int64_t(i);
    switches += k > 0 && order[k - 1].first != p;
  }
  EXPECT_LT(switches, int(order.size()) / 10);  // bursts, not one record per partition in turn
  EXPECT_EQ(ShuffledPartitionOrder(records, 16, 7), order);
  EXPECT_NE(ShuffledPartitionOrder(records, 16, 8), order);
}

// Listed parties (gen --listed): each injected once, on alternate sides,
// labelled so that either sanctions typology detects a sanctioned party.
TEST(FeedGenerator, ListedPartiesAreInjectedOnceAndLabelled) {
  GenOptions o;
  o.count = 3000;
  o.cases_per_typology = 1;
  o.format = Format::kProtobuf;
  o.listed = {{"ZEVALLOS GONZALES, Fernando Melciades", false, "PE", "07552116", "sanctions"},
              {"AVIANDINA S.A.C.", true, "", "", "sanctions"},
              {"HUAMANI CCORI, Rosalinda Esther", false, "PE", "40000001", "pep"}};
  std::vector<GeneratedRecord> listed;
  ASSERT_TRUE(Generate(o, [&](const GeneratedRecord& r) {
                if (r.case_id.find("_listed_") != std::string::npos) listed.push_back(r);
              }).ok());
  ASSERT_EQ(listed.size(), 3u);
  std::map<std::string, v1::Transaction> by_typology;
  for (const auto& r : listed) {
    v1::Transaction tx;
    ASSERT_TRUE(tx.ParseFromString(r.payload));
    by_typology[r.typology] = tx;
  }
  ASSERT_TRUE(by_typology.contains("sanctions_match_originator|sanctions_name_match_originator"));
  ASSERT_TRUE(by_typology.contains("sanctions_match_beneficiary|sanctions_name_match_beneficiary"));
  ASSERT_TRUE(by_typology.contains("pep_list_match_originator"));
  const v1::Party& person = by_typology["sanctions_match_originator|sanctions_name_match_originator"].originator();
  EXPECT_EQ(person.document_number(), "07552116");
  EXPECT_EQ(person.document_type(), v1::DNI);
  const v1::Party& company = by_typology["sanctions_match_beneficiary|sanctions_name_match_beneficiary"].beneficiary();
  EXPECT_EQ(company.kind(), v1::COMPANY);
  EXPECT_EQ(absl::AsciiStrToUpper(company.name()), "AVIANDINA S.A.C.");
}

TEST(FeedGenerator, FeedWritingsOfAListedName) {
  const std::string listed = "MEJIA REGALADO, Jose Manuel";
  std::set<std::string> writings;
  for (uint64_t d = 0; d < 50; ++d) writings.insert(FeedWriting(listed, false, d));
  EXPECT_TRUE(writings.contains("MEJIA REGALADO, JOSE MANUEL"));
  EXPECT_TRUE(writings.contains("Jose Manuel MEJIA REGALADO"));
  EXPECT_TRUE(writings.contains("MEJIA REGALADO, Jose"));
  EXPECT_TRUE(writings.contains("jose manuel mejia regalado"));
  int typos = 0;
  for (const auto& w : writings)
    typos += w.find("REGALADO") == std::string::npos && w.find("regalado") == std::string::npos;
  EXPECT_GT(typos, 0);
  // A company's comma is not a name order.
  for (uint64_t d = 0; d < 10; ++d) {
    EXPECT_EQ(absl::AsciiStrToUpper(FeedWriting("SISTEMA DE DISTRIBUCION MUNDIAL, S.A.C.", true, d)).find("S.A.C. "),
              std::string::npos);
  }
}

}  // namespace
}  // namespace centinela::gen
