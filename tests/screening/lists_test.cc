// List loaders on the real files and on broken ones; a failed reload keeps
// the previous version.
#include <atomic>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include "base/yaml_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "screening/lists/list_loader.h"
#include "screening/match/list_set.h"
#include "tests/testing/test_util.h"

namespace centinela::screening {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kLists = CENTINELA_SOURCE_DIR "/../shared/data/lists/";

ListSpec Spec(const std::string& name, ListFormat f, const std::string& path) { return MakeListSpec(name, f, path); }

const ListEntry* Find(const Watchlist& l, const std::string& id) {
  for (const auto& e : l.entries) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

class ListsTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(ListsTest, OfacWithAliasesAddressesAndRemarks) {
  auto l = LoadList(Spec("ofac", ListFormat::kOfac, std::string(kLists) + "ofac-small/sdn.csv"));
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->meta.entries, 17);
  EXPECT_EQ(l->meta.files.size(), 3u);  // sdn, alt, add
  // The sample's alt.csv and add.csv also hold rows of entries it left out:
  // counted and named, not loaded.
  EXPECT_GT(l->meta.skipped, 0);
  EXPECT_THAT(l->meta.skipped_examples[0], HasSubstr("alt.csv:1: an alias whose ent_num sdn.csv does not list"));
  EXPECT_EQ(l->meta.version.size(), 16u);
  const ListEntry* e = Find(*l, "OFAC-10278");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, EntryKind::kPerson);
  EXPECT_EQ(e->primary_name(), "LOGAN MOREY, Elvis Angus");
  ASSERT_FALSE(e->dobs.empty());
  EXPECT_EQ(e->dobs[0].ToString(), "1963-07-28");
  EXPECT_THAT(e->programs, ::testing::ElementsAre("SDNT"));
  const ListEntry* vessel = Find(*l, "OFAC-40716");
  ASSERT_NE(vessel, nullptr);
  EXPECT_EQ(vessel->kind, EntryKind::kVessel);
  bool any_alias = false, any_address = false;
  for (const auto& x : l->entries) {
    for (const auto& n : x.names) any_alias |= n.alias;
    any_address |= !x.addresses.empty();
  }
  EXPECT_TRUE(any_alias);
  EXPECT_TRUE(any_address);
}

TEST_F(ListsTest, OfacRemarksParseDatesNationalitiesDocumentsAndAliases) {
  ListEntry e;
  ParseOfacRemarks(
      "DOB 10 Dec 1948; alt. DOB circa 1950; POB Giza, Egypt; nationality Egypt; Passport 1084010 "
      "(Egypt); alt. Passport 19820215; a.k.a. 'ABU ALI'; Cedula No. 79 123.456 (Colombia).",
      e);
  ASSERT_EQ(e.dobs.size(), 2u);
  EXPECT_EQ(e.dobs[0].ToString(), "1948-12-10");
  EXPECT_EQ(e.dobs[1].ToString(), "circa 1950");
  EXPECT_THAT(e.nationalities, ::testing::ElementsAre("EG"));
  ASSERT_EQ(e.documents.size(), 3u);
  EXPECT_EQ(e.documents[0].type, "Passport");
  EXPECT_EQ(e.documents[0].country, "EG");
  EXPECT_EQ(e.documents[2].Key(), "79123456");
  EXPECT_EQ(e.documents[2].country, "CO");
  ASSERT_EQ(e.names.size(), 1u);
  EXPECT_EQ(e.names[0].text, "ABU ALI");
  // Peru's Libreta Electoral number, as OFAC writes it: the DNI it became.
  ListEntry pe;
  ParseOfacRemarks("DOB 08 Jul 1957; POB Juanjui, San Martin, Peru; LE Number 07552116 (Peru).", pe);
  ASSERT_EQ(pe.documents.size(), 1u);
  EXPECT_EQ(pe.documents[0].Key(), "07552116");
  EXPECT_EQ(pe.documents[0].country, "PE");
}

TEST_F(ListsTest, UnConsolidatedListWithAliasQualityDatesDocumentsAndOriginalScript) {
  auto l = LoadList(Spec("un", ListFormat::kUn, std::string(kLists) + "un_consolidated_2026-02.xml"));
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->meta.entries, 730 + 273);
  EXPECT_EQ(l->meta.published, "2026-02-27");
  EXPECT_GT(l->meta.weak_aliases, 500);
  const ListEntry* e = Find(*l, "UN-CDi.001");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->primary_name(), "ERIC BADEGE");
  EXPECT_THAT(e->nationalities, ::testing::ElementsAre("CD"));
  ASSERT_EQ(e->dobs.size(), 1u);
  EXPECT_EQ(e->dobs[0].year, 1971);
  int original = 0, documents = 0;
  for (const auto& x : l->entries) {
    for (const auto& n : x.names) original += n.original_script;
    documents += int(x.documents.size());
  }
  EXPECT_GE(original, 370);
  EXPECT_GT(documents, 300);
}

TEST_F(ListsTest, GenericCsvWithMapping) {
  auto doc = LoadYaml(
      "header: true\nsource: PEP test\ncolumns: {id: dni, name: nombre, aliases: alias, dob: nacimiento, "
      "program: cargo, document: dni}\n",
      "m.yaml");
  ASSERT_TRUE(doc.ok());
  auto m = ParseCsvListMapping(*doc, "m.yaml");
  ASSERT_TRUE(m.ok()) << m.status();
  ListSpec s = Spec("pep", ListFormat::kCsv,
                    Write("pep.csv",
                          "dni,nombre,alias,cargo,nacimiento\n40000001,\"HUAMANI, Rosa\",Rosi;R. "
                          "Huamani,Alcaldesa,1968-03-14\n"));
  s.mapping = *m;
  s.category = ListCategory::kPep;
  auto l = LoadList(s);
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->entries.size(), 1u);
  EXPECT_EQ(l->entries[0].names.size(), 3u);
  EXPECT_EQ(l->entries[0].documents[0].Key(), "40000001");
  EXPECT_EQ(l->meta.source, "PEP test");
  // A column the header lacks.
  auto bad = ParseCsvListMapping(*LoadYaml("columns: {id: dni, name: nombres}\n", "m2.yaml"), "m2.yaml");
  ASSERT_TRUE(bad.ok());
  s.mapping = *bad;
  EXPECT_THAT(std::string(LoadList(s).status().message()), HasSubstr("pep.csv:1: no column 'nombres' (for name)"));
}

TEST_F(ListsTest, MalformedFilesAreRefusedNamingFileAndLine) {
  auto err = [&](ListFormat f, const std::string& file, const std::string& text) {
    auto l = LoadList(Spec("x", f, Write(file, text)));
    EXPECT_FALSE(l.ok());
    return std::string(l.status().message());
  };
  const std::string ok_row = "1,\"A NAME\",\"individual\",\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
  EXPECT_THAT(err(ListFormat::kOfac, "cols.csv", ok_row + "2,\"B\",\"individual\"\n"),
              StartsWith(dir_.Sub("cols.csv") + ":2: expected 12 columns"));
  EXPECT_THAT(err(ListFormat::kOfac, "quote.csv", ok_row + "2,\"UNTERMINATED,-0- \n"),
              StartsWith(dir_.Sub("quote.csv") + ":2: unterminated quoted field"));
  EXPECT_THAT(err(ListFormat::kOfac, "enc.csv",
                  ok_row + "3,\"CAF\xC9 LATIN-1\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"),
              StartsWith(dir_.Sub("enc.csv") + ":2: field 2 is not valid UTF-8"));
  EXPECT_THAT(err(ListFormat::kOfac, "num.csv", "x1,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"),
              HasSubstr("num.csv:1: ent_num (column 1) is not a number"));
  EXPECT_THAT(err(ListFormat::kOfac, "empty.csv", ""), HasSubstr("empty.csv: no entries"));
  EXPECT_THAT(err(ListFormat::kUn, "broken.xml",
                  "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID>\n</INDIVIDUALS>\n"),
              StartsWith(dir_.Sub("broken.xml") + ":4:3: XML error: mismatched tag"));
  EXPECT_THAT(err(ListFormat::kUn, "root.xml", "<OTHER/>"),
              HasSubstr("root.xml:1:1: the root element is not <CONSOLIDATED_LIST>"));
  EXPECT_THAT(err(ListFormat::kUn, "noname.xml",
                  "<CONSOLIDATED_LIST><INDIVIDUALS>\n<INDIVIDUAL><DATAID>7</DATAID></INDIVIDUAL>"
                  "</INDIVIDUALS></CONSOLIDATED_LIST>"),
              HasSubstr("entry starting at line 2 has no FIRST_NAME"));
  EXPECT_THAT(std::string(LoadList(Spec("x", ListFormat::kUn, dir_.Sub("missing.xml"))).status().message()),
              HasSubstr("missing.xml: cannot open list file"));
}

TEST_F(ListsTest, AFailedReloadKeepsThePreviousVersionActive) {
  ListSet set;
  auto first = set.Load(Spec("ofac", ListFormat::kOfac, std::string(kLists) + "ofac-small/sdn.csv"));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string broken = Write("sdn.csv", "1,\"A\",-0- \n");
  auto again = set.Load(Spec("ofac", ListFormat::kOfac, broken));
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(std::string(again.status().message()), StartsWith(broken + ":1: expected 12 columns"));
  ASSERT_NE(set.Get("ofac"), nullptr);
  EXPECT_EQ(set.Get("ofac")->meta().version, first->version);
  EXPECT_EQ(set.stats().swaps, 1);
  // A good file swaps; a screen holding the old version keeps it alive.
  std::shared_ptr<const ListIndex> held = set.Get("ofac");
  auto second = set.Load(Spec("ofac", ListFormat::kOfac, std::string(kLists) + "ofac-2019/sdn.csv"));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_NE(second->version, first->version);
  EXPECT_EQ(set.Get("ofac")->meta().entries, 7379);  // rows of ofac-2019/sdn.csv
  EXPECT_EQ(held->meta().entries, 17);
  EXPECT_EQ(set.stats().swaps, 2);
}

// Screens (direct and cached) on two threads while a third reloads the list
// back and forth: every answer comes whole from one version. Run under the
// TSan preset too (docs/hardening.md).
TEST_F(ListsTest, ScreeningWhileAListIsReloadedSeesOneWholeVersionAtATime) {
  auto spec_of = [&](const std::string& file, const std::string& text) {
    ListSpec s = MakeListSpec("pep", ListFormat::kCsv, Write(file, text), ListCategory::kPep);
    s.mapping.id = "id";
    s.mapping.name = "nombre";
    return s;
  };
  const ListSpec a = spec_of("a.csv", "id,nombre\nA-1,\"HUAMANI CCORI, Rosalinda\"\n");
  const ListSpec b = spec_of("b.csv", "id,nombre\nB-1,\"HUAMANI CCORI, Rosalinda\"\nB-2,\"QUISPE MAMANI, Juan\"\n");
  ListSet set;
  auto va = set.Load(a);
  ASSERT_TRUE(va.ok()) << va.status();
  auto vb = set.Load(b);
  ASSERT_TRUE(vb.ok()) << vb.status();
  // Each version's own id for the same person.
  const std::map<std::string, std::string> id_of = {{va->version, "A-1"}, {vb->version, "B-1"}};

  std::atomic<bool> done{false};
  std::atomic<int> screens{0}, wrong{0};
  auto reader = [&](bool cached) {
    ScreenQuery q;
    q.name = "Rosalinda Huamani Ccori";
    while (!done.load()) {
      std::string version, id;
      if (cached) {
        auto hit = set.ScreenCached(q, "pep");
        if (hit == nullptr || hit->score <= 0) {
          ++wrong;
          continue;
        }
        version = hit->list_version;
        id = hit->entry_id;
      } else {
        auto hits = set.Screen(q, {"pep"}, {});
        if (!hits.ok() || hits->size() != 1) {
          ++wrong;
          continue;
        }
        version = hits->front().list_version;
        id = hits->front().entry_id;
      }
      auto it = id_of.find(version);
      if (it == id_of.end() || it->second != id) ++wrong;
      ++screens;
    }
  };
  std::thread r1(reader, false), r2(reader, true);
  // At least 40 reloads, and on until the readers have screened during
  // them (a fast machine can finish 40 before a reader starts); bounded.
  int loads = 0;
  while (loads < 40 || (screens.load() < 20 && loads < 200000)) {
    EXPECT_TRUE(set.Load(loads % 2 == 0 ? a : b).ok());
    ++loads;
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(screens.load(), 20);
  EXPECT_EQ(set.stats().swaps, 2 + loads);
}

TEST_F(ListsTest, ListSpecsFromConfigYaml) {
  auto node = LoadYaml(
      "{name: pep_pe, format: csv, path: pep.csv, category: pep, mapping: {columns: {id: 1, name: 2}, "
      "header: false}}",
      "engine.yaml");
  ASSERT_TRUE(node.ok());
  auto spec = ParseListSpec(*node, "engine.yaml", "/etc/centinela");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->path, "/etc/centinela/pep.csv");
  EXPECT_EQ(spec->category, ListCategory::kPep);
  EXPECT_FALSE(spec->mapping.header);
  auto bad = ParseListSpec(*LoadYaml("{name: UN, format: un, path: x}", "engine.yaml"), "engine.yaml", "/");
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("must be lower-case letters"));
  auto fmt = ParseListSpec(*LoadYaml("{name: un, format: xml, path: x}", "engine.yaml"), "engine.yaml", "/");
  EXPECT_THAT(std::string(fmt.status().message()), HasSubstr("engine.yaml:1:20: unknown list format 'xml'"));
}

}  // namespace
}  // namespace centinela::screening
