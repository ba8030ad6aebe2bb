#include "connectors/file/csv_mapping.h"

#include <fstream>

#include "base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/test_util.h"

namespace centinela::file {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kAmlworld = CENTINELA_SOURCE_DIR "/connectors/file/mappings/amlworld.yaml";
constexpr const char* kPatterns =
    CENTINELA_SOURCE_DIR "/../shared/data/aml/ibm-hi-small/HI-Small_Patterns.dev-half.txt";

TEST(SplitCsvLine, HandlesQuotesEscapesAndCrLf) {
  EXPECT_THAT(SplitCsvLine("a,b,,c\r"), ElementsAre("a", "b", "", "c"));
  EXPECT_THAT(SplitCsvLine(R"("x, y","say ""hi""",z)"), ElementsAre("x, y", "say \"hi\"", "z"));
}

TEST(ParseAmountRounded, RoundsExtraDecimalsHalfUp) {
  EXPECT_EQ(*ParseAmountRounded("58702.10", 2), 5870210);
  EXPECT_EQ(*ParseAmountRounded("892031.21", 0), 892031);
  EXPECT_EQ(*ParseAmountRounded("0.005", 2), 1);
  EXPECT_EQ(*ParseAmountRounded("163.3", 2), 16330);
  EXPECT_FALSE(ParseAmountRounded("12a.5", 2).ok());
}

// Issue 19: AMLworld writes small amounts in scientific notation ("3.4e-05");
// they were rejected. Read exactly, as the decimal they stand for.
TEST(ParseAmountRounded, ReadsScientificNotationExactly) {
  EXPECT_EQ(*ExpandScientific("3.4e-05"), "0.000034");
  EXPECT_EQ(*ExpandScientific("1.2E+3"), "1200");
  EXPECT_EQ(*ExpandScientific("12.5e1"), "125");
  EXPECT_EQ(*ExpandScientific("125e-1"), "12.5");
  EXPECT_EQ(*ExpandScientific("58702.10"), "58702.10");
  EXPECT_EQ(*ParseAmountRounded("3.4e-05", 8), 3400);  // 0.00003400 in 8 decimals
  EXPECT_EQ(*ParseAmountRounded("3.4e-05", 2), 0);
  EXPECT_EQ(*ParseAmountRounded("5.5e-03", 2), 1);  // 0.0055 rounds half up to 0.01
  EXPECT_EQ(*ParseAmountRounded("1.2345E+2", 2), 12345);
  EXPECT_FALSE(ParseAmountRounded("1e", 2).ok());
  EXPECT_FALSE(ParseAmountRounded("1e400", 2).ok());
  EXPECT_FALSE(ParseAmountRounded("e5", 2).ok());
  EXPECT_FALSE(ParseAmountRounded("1.2.3e1", 2).ok());
  EXPECT_FALSE(ParseAmountRounded("-1e2", 2).ok());
}

TEST(CsvMapping, MapsAnAmlworldRow) {
  auto m = CsvMapping::Load(kAmlworld);
  ASSERT_TRUE(m.ok()) << m.status();
  v1::Transaction tx;
  bool laundering = false;
  ASSERT_TRUE(MapRow(*m,
                     SplitCsvLine("2022/09/01 00:03,01467,8013C4030,020,80BC62F10,58702.10,Yuan,58702.10,Yuan,ACH,1"),
                     &tx, &laundering)
                  .ok());
  EXPECT_TRUE(laundering);
  EXPECT_EQ(tx.originator().account(), "01467:8013C4030");
  EXPECT_EQ(tx.beneficiary().account(), "020:80BC62F10");
  EXPECT_EQ(tx.amount().currency(), "CNY");
  EXPECT_EQ(tx.amount().minor_units(), 5870210);
  EXPECT_EQ(tx.channel(), v1::ACH);
  EXPECT_EQ(ToMicros(tx.event_time()), (*ParseIsoDate("2022-09-01")) * kMicrosPerDay + 3 * 60 * kMicrosPerSecond);
}

TEST(CsvMapping, RowErrorsNameTheColumn) {
  auto m = *CsvMapping::Load(kAmlworld);
  v1::Transaction tx;
  EXPECT_EQ(MapRow(m, SplitCsvLine("2022/09/01 00:03,1,A,2,B,5,Doubloon,5,Doubloon,ACH,0"), &tx, nullptr).message(),
            "column 8 (currency): \"Doubloon\" is not in the mapping's currencies");
  EXPECT_EQ(MapRow(m, SplitCsvLine("yesterday,1,A,2,B,5,Euro,5,Euro,ACH,0"), &tx, nullptr).message(),
            "column 0 (time): \"yesterday\" is not YYYY/MM/DD HH:MM");
  EXPECT_EQ(MapRow(m, SplitCsvLine("2022/09/01 00:03,1,A"), &tx, nullptr).message(),
            "expected at least 11 columns, got 3");
  EXPECT_EQ(MapRow(m, SplitCsvLine("2022/09/01 00:03,1,A,2,B,5,Euro,lots,Euro,ACH,0"), &tx, nullptr).message(),
            "column 7 (amount): amount \"lots\" is not a decimal number");
  // Found by fuzz/connectors/csv_mapping_fuzzer.cc: a huge day step
  // overflowed the event time (UBSan).
  auto sim = *CsvMapping::Load(CENTINELA_SOURCE_DIR "/connectors/file/mappings/amlsim.yaml");
  EXPECT_TRUE(MapRow(sim, SplitCsvLine("216,14730,163.3,1"), &tx, nullptr).ok());
  EXPECT_EQ(MapRow(sim, SplitCsvLine("216,14730,163.3,263714062323"), &tx, nullptr).message(),
            "column 3 (time): \"263714062323\" is not a day step from 0 to 36525");
}

TEST(CsvMapping, BadMappingsAreLocated) {
  // Found by fuzz/connectors/csv_mapping_fuzzer.cc: this threw out of Parse.
  auto odd_key = CsvMapping::Parse("? {x: 1}\n: 2\n", "map.yaml");
  ASSERT_FALSE(odd_key.ok());
  EXPECT_EQ(odd_key.status().message(), "map.yaml:1:3: a key in the mapping must be a plain name");
  auto m = CsvMapping::Parse("time: {column: 0, format: \"DD.MM.YY\"}\ncolumns: {amount: 1}\n", "map.yaml");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("map.yaml:1:"));
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("unknown time format 'DD.MM.YY'"));
}

TEST(AmlworldPatterns, ReadsEveryAttemptOfTheDevHalf) {
  auto attempts = ReadAmlworldPatterns(kPatterns);
  ASSERT_TRUE(attempts.ok()) << attempts.status();
  std::map<std::string, int> by_type;
  size_t rows = 0;
  for (const auto& a : *attempts) {
    by_type[a.type]++;
    rows += a.rows.size();
  }
  EXPECT_EQ(attempts->size(), 183u);
  EXPECT_EQ(rows, 1604u);
  EXPECT_EQ(by_type, (std::map<std::string, int>{{"BIPARTITE", 24},
                                                 {"CYCLE", 27},
                                                 {"FAN-IN", 20},
                                                 {"FAN-OUT", 24},
                                                 {"GATHER-SCATTER", 25},
                                                 {"RANDOM", 20},
                                                 {"SCATTER-GATHER", 22},
                                                 {"STACK", 21}}));
  EXPECT_EQ((*attempts)[0].qualifier, "Max 10 hops");
}

TEST(AmlworldPatterns, MalformedFilesNameTheLine) {
  testing::TempDir dir;
  const std::string path = dir.Sub("p.txt");
  std::ofstream(path) << "BEGIN LAUNDERING ATTEMPT - CYCLE\nrow\nEND LAUNDERING ATTEMPT - FAN-IN\n";
  EXPECT_EQ(ReadAmlworldPatterns(path).status().message(), path + ":3: END FAN-IN closes BEGIN CYCLE of line 1");
  std::ofstream(path) << "row outside\n";
  EXPECT_EQ(ReadAmlworldPatterns(path).status().message(), path + ":1: transaction row outside an attempt");
  std::ofstream(path) << "BEGIN LAUNDERING ATTEMPT - STACK\nrow\n";
  EXPECT_EQ(ReadAmlworldPatterns(path).status().message(), path + ":1: attempt STACK is never closed");
}

}  // namespace
}  // namespace centinela::file
