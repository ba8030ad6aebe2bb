// Name normalisation, transliteration, similarity and readings.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "screening/match/name_match.h"
#include "screening/match/to_proto.h"
#include "screening/names/canonical.h"
#include "screening/names/countries.h"
#include "screening/names/han_readings.h"
#include "screening/names/name_frequency.h"
#include "screening/names/normalize.h"
#include "screening/names/similarity.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Texts(const NormalizedName& n) {
  std::vector<std::string> out;
  for (const auto& t : n.tokens) out.push_back(t.text);
  return out;
}

TEST(Normalize, CaseAccentsPunctuationAndLastFirstOrder) {
  // Rare names: common ones weigh less (NameFrequency below).
  const NormalizedName n = NormalizeName("PÁUCARINA-ORMEÑO, Amarú Ñahui");
  EXPECT_THAT(Texts(n), ElementsAre("amaru", "nahui", "paucarina", "ormeno"));
  EXPECT_TRUE(n.structured);
  EXPECT_EQ(n.given_names, 2u);
  // Later given names and later surnames count half.
  EXPECT_FLOAT_EQ(n.tokens[0].weight, 1.0f);
  EXPECT_FLOAT_EQ(n.tokens[1].weight, 0.5f);
  EXPECT_FLOAT_EQ(n.tokens[2].weight, 1.0f);
  EXPECT_FLOAT_EQ(n.tokens[3].weight, 0.5f);
  EXPECT_THAT(Texts(NormalizeName("O'Brien,  Seán")), ElementsAre("sean", "obrien"));
}

TEST(Normalize, LegalFormsStopwordsAndGenericWordsCountLittleOrNothing) {
  const NormalizedName n = NormalizeName("Inversiones Mamani S.A.C.");
  ASSERT_THAT(Texts(n), ElementsAre("inversiones", "mamani", "sac"));
  EXPECT_EQ(n.tokens[0].kind, TokenKind::kGeneric);
  EXPECT_EQ(n.tokens[1].kind, TokenKind::kName);
  EXPECT_EQ(n.tokens[2].kind, TokenKind::kLegalForm);
  EXPECT_EQ(n.tokens[2].weight, 0);
  // A comma before a legal form is not "LAST, First".
  EXPECT_THAT(Texts(NormalizeName("ANGLO-CARIBBEAN CO., LTD.")), ElementsAre("anglo", "caribbean", "co", "ltd"));
  // A name of generic words only still matches itself.
  EXPECT_GT(NormalizeName("International Trading Company").TotalWeight(), 1.5f);
  EXPECT_TRUE(NormalizeName("S.A.C.").tokens.size() == 1 && !NormalizeName("S.A.C.").Empty());
}

TEST(Transliterate, ScriptsToAscii) {
  EXPECT_EQ(ToLatin("Владимир Путин").latin, "vladimir putin");
  EXPECT_EQ(ToLatin("Владимир Путин").script, "Cyrillic");
  const Transliteration ar = ToLatin("محمد علي");
  EXPECT_TRUE(ar.abjad);
  EXPECT_EQ(ar.script, "Arabic");
  // Hangul: syllables apart, the surname in its conventional spelling.
  EXPECT_EQ(ToLatin("김정은").latin, "kim jeong eun");
  EXPECT_EQ(ToLatin("Ñandú Éxito").latin, "nandu exito");
  // Curly quotes, dashes and Vietnamese letters fold by table (no ICU run),
  // to what ICU's Latin-ASCII gives; they name no script.
  const Transliteration punct = ToLatin("O’Neil – «Nguyễn Tấn Dũng»\u00A0Jr.");
  EXPECT_EQ(punct.latin, "o'neil - <<nguyen tan dung>> jr.");
  EXPECT_EQ(punct.script, "");
  // A zero-width non-joiner stays inside its Persian run.
  EXPECT_EQ(ToLatin("می\u200Cخواهم").script, "Arabic");
  size_t at = 0;
  EXPECT_FALSE(
      IsValidUtf8("ab\xff"
                  "c",
                  &at));
  EXPECT_EQ(at, 2u);
  EXPECT_TRUE(IsValidUtf8("Perú"));
}

TEST(HanReadings, JapaneseAndKoreanReadings) {
  EXPECT_TRUE(HasHan("山田太郎"));
  EXPECT_FALSE(HasHan("Yamada"));
  EXPECT_THAT(HanReadings("山田太郎"), ::testing::Contains("yamada tarou"));
  EXPECT_THAT(HanReadings("金正恩"), ::testing::Contains("kim jeong eun"));
  EXPECT_TRUE(HanReadings("Juan Perez").empty());
  EXPECT_GE(CompareNameReadings("田中花子", "Tanaka Hanako").score, 0.95);
}

TEST(Similarity, JaroWinklerAndGuards) {
  EXPECT_NEAR(JaroWinkler("martha", "marhta"), 0.961, 0.001);
  EXPECT_NEAR(JaroWinkler("dwayne", "duane"), 0.84, 0.001);
  EXPECT_EQ(JaroWinkler("", ""), 1.0);
  EXPECT_EQ(JaroWinkler("abc", ""), 0.0);
  // Short tokens only match exactly; different lengths cost.
  EXPECT_EQ(TokenSimilarity("al", "el"), 0.0);
  EXPECT_LT(TokenSimilarity("ana", "ann"), 0.85);
  EXPECT_LT(TokenSimilarity("trans", "transportes"), 0.85);
  EXPECT_GE(TokenSimilarity("baghdadi", "bagdadi"), 0.95);
  EXPECT_EQ(Skeleton("mohammed"), "mhmd");
  EXPECT_EQ(Skeleton("muhammad"), "mhmd");
  EXPECT_EQ(Skeleton("alexander"), Skeleton("aleksandr"));
}

constexpr double kDefaultNameThreshold = 0.85;  // list_index.h's kDefaultThreshold

TEST(Similarity, EditBudgetSeparatesTyposFromOtherNames) {
  EXPECT_EQ(EditBudget(3), 0);
  EXPECT_EQ(EditBudget(7), 1);
  EXPECT_EQ(EditBudget(8), 2);
  EXPECT_EQ(EditBudget(12), 3);
  EXPECT_EQ(BoundedEditDistance("mendosa", "mendoza", 1), 1);
  EXPECT_EQ(BoundedEditDistance("mendez", "mendoza", 1), 2);  // over the limit: limit + 1
  EXPECT_EQ(BoundedEditDistance("marhta", "martha", 1), 1);   // a transposition is one edit
  EXPECT_EQ(BoundedEditDistance("castro", "castillo", 5), 3);
  EXPECT_EQ(VowelGroups("muhammad"), 3);
  EXPECT_EQ(VowelGroups("mendez"), 2);
  auto pair = [](const std::string& a, const std::string& b) {
    return TokenPairScore(a, b, Skeleton(a), Skeleton(b), /*cross_script=*/false);
  };
  // A typo within the budget matches; a different name close in spelling
  // does not, however high Jaro-Winkler puts it.
  EXPECT_GE(pair("mendosa", "mendoza"), kMinTokenScore);
  EXPECT_GE(JaroWinkler("mendoza", "mendez"), 0.9);
  EXPECT_LT(pair("mendoza", "mendez"), kMinTokenScore);
  EXPECT_LT(pair("castillo", "castro"), kMinTokenScore);
  EXPECT_LT(pair("orbach", "orban"), kMinTokenScore);
  // Transliterations keep consonants and syllables.
  EXPECT_GE(pair("mohamed", "muhammad"), kMinTokenScore);
  // The issue's case: "MENDOZA VARGAS, JOSE" is not OFAC's "MENDEZ VARGAS,
  // Jose de Jesus".
  EXPECT_LT(CompareNames(NormalizeName("MENDOZA VARGAS, JOSE"), NormalizeName("MENDEZ VARGAS, Jose de Jesus")).score,
            0.80);
  // ... while a typo of the listed surname still matches.
  EXPECT_GE(CompareNames(NormalizeName("MENDOSA VARGAS, JOSE"), NormalizeName("MENDOZA VARGAS, Jose")).score,
            kDefaultNameThreshold);
}

TEST(NameFrequency, CommonPartsProveLittle) {
  EXPECT_TRUE(IsCommonName("quispe"));
  EXPECT_TRUE(IsCommonName("muhammad"));
  EXPECT_FALSE(IsCommonName("yupanquino"));
  const NormalizedName n = NormalizeName("Jose Quispe Zarate");
  ASSERT_EQ(n.tokens.size(), 3u);
  EXPECT_FLOAT_EQ(n.tokens[0].weight, kCommonNameWeight);
  EXPECT_FLOAT_EQ(n.tokens[1].weight, kCommonNameWeight);
  EXPECT_FLOAT_EQ(n.tokens[2].weight, 1.0f);
  // Sharing two common parts and missing the rare one is no match.
  EXPECT_LT(CompareNames(NormalizeName("Jose Quispe Zarate"), NormalizeName("Jose Quispe Palomino")).score, 0.85);
}

TEST(CanonicalWords, ObfuscationNumbersLegalFormsAndNicknames) {
  auto same = [](const char* a, const char* b) { return CompareNames(NormalizeName(a), NormalizeName(b)).score; };
  EXPECT_THAT(Texts(NormalizeName("Ig0r Sech1n")), ElementsAre("igor", "sechin"));
  EXPECT_THAT(Texts(NormalizeName("Forty-Four Holdings")), ElementsAre("44", "holdings"));
  EXPECT_THAT(Texts(NormalizeName("1st Bank")), ElementsAre("1", "bank"));
  EXPECT_THAT(Texts(NormalizeName("First Bank")), ElementsAre("1", "bank"));
  // A Peruvian given name that is also an ordinal stays a name.
  EXPECT_THAT(Texts(NormalizeName("Segundo Quispe")), ElementsAre("segundo", "quispe"));
  EXPECT_THAT(Texts(NormalizeName("Rosneft Joint Stock Company")), ElementsAre("rosneft", "jsc"));
  EXPECT_THAT(Texts(NormalizeName("Minera Sociedad Anonima Cerrada")), ElementsAre("minera", "sac"));
  EXPECT_THAT(Texts(NormalizeName("Pepe Quispe")), ElementsAre("jose", "quispe"));
  EXPECT_GE(same("Siemens Aktiengesellschaft", "Siemens AG"), 0.99);
  EXPECT_GE(same("JSC Rosneft", "Rosneft Joint Stock Company"), 0.99);
  EXPECT_GE(same("Bibi Netanyahu", "Benjamin Netanyahu"), 0.99);
  // Different legal families are different companies; the same family is not.
  EXPECT_LT(same("Siemens AG", "Siemens GmbH"), 0.85);
  EXPECT_GE(same("Minera Taipe S.A.", "Minera Taipe S.A.C."), 0.99);
  const NameComparison c = CompareNames(NormalizeName("Siemens AG"), NormalizeName("Siemens GmbH"));
  ASSERT_FALSE(c.tokens.empty());
  EXPECT_EQ(c.tokens.back().how, "legal form differs");
  EXPECT_EQ(LegalFormClass("gmbh"), LegalFormClass("llc"));
  EXPECT_NE(LegalFormClass("ag"), LegalFormClass("gmbh"));
}

TEST(CompareNames, InitialsPairWithTheWordsTheyStart) {
  const NameComparison c = CompareNames(NormalizeName("Hans J Friedrich"), NormalizeName("Hans Joachim Friedrich"));
  EXPECT_GE(c.score, 0.95);
  bool initial = false;
  for (const auto& t : c.tokens) initial |= t.how == "initial" && t.query == "j" && t.listed == "joachim";
  EXPECT_TRUE(initial);
  // An initial never stands for a word with another first letter.
  EXPECT_LT(CompareNames(NormalizeName("Hans K Friedrich"), NormalizeName("Hans Joachim Friedrich")).score,
            CompareNames(NormalizeName("Hans J Friedrich"), NormalizeName("Hans Joachim Friedrich")).score);
}

TEST(CompareNames, AnInitialCostsOnTheListedSide) {
  // "a" weighs nothing on the query side; its partner "ali" still counts.
  const double s = CompareNameReadings("A. Khamenei", "Ali Khamenei").score;
  EXPECT_GE(s, 0.85);
  EXPECT_LT(s, 1.0);
}

TEST(CompareNames, KindChangesWhatCounts) {
  auto with = [](const char* a, const char* b, EntryKind k) { return CompareNameReadings(a, b, nullptr, nullptr, k); };
  // A person's middle name is the part most often left out.
  const double person = with("Mohammad Islambouli", "Mohammad Shawqi Islambouli", EntryKind::kPerson).score;
  const double unknown = with("Mohammad Islambouli", "Mohammad Shawqi Islambouli", EntryKind::kUnknown).score;
  EXPECT_GT(person, unknown);
  EXPECT_GE(person, 0.85);
  // An organisation's single letter is not an initial.
  EXPECT_GE(with("A Trading", "Alpha Trading", EntryKind::kUnknown).score, 0.85);
  EXPECT_LT(with("A Trading", "Alpha Trading", EntryKind::kEntity).score, 0.5);
  EXPECT_LT(with("Siemens AG", "Siemens GmbH", EntryKind::kEntity).score, 0.85);
  EXPECT_EQ(*ParseNameKind("organization"), EntryKind::kEntity);
  EXPECT_EQ(*ParseNameKind(""), EntryKind::kUnknown);
  EXPECT_FALSE(ParseNameKind("vessel?").ok());
}

TEST(Similarity, VowelFoldAndItsComparison) {
  EXPECT_EQ(VowelFold("aly"), "ali");
  EXPECT_EQ(VowelFold("omar"), "umar");
  EXPECT_EQ(VowelFold("youssef"), VowelFold("yusif"));
  const char* words[] = {"aly", "ali", "omar", "umar", "youssef", "yusif", "yusuf", "mendez", "mindiz", "", "a", "aa"};
  for (const char* a : words) {
    for (const char* b : words) EXPECT_EQ(VowelFoldEqual(a, b), VowelFold(a) == VowelFold(b)) << a << " " << b;
  }
}

TEST(CompareNames, WhatSetsTwoNamesApart) {
  auto score = [](const char* a, const char* b) { return CompareNameReadings(a, b).score; };
  auto how = [](const char* a, const char* b) {
    std::string out;
    for (const auto& t : CompareNameReadings(a, b).tokens) out += t.how + ";";
    return out;
  };
  // Another line of business, another number: another company.
  EXPECT_LT(score("Korea Myongdok Trading Co", "Korea Myongdok Shipping Co"), 0.85);
  EXPECT_NE(how("Korea Myongdok Trading Co", "Korea Myongdok Shipping Co").find("business differs"), std::string::npos);
  EXPECT_LT(score("99th Light Infantry Division", "33rd Light Infantry Division"), 0.85);
  EXPECT_NE(how("99th Light Infantry Division", "33rd Light Infantry Division").find("number differs"),
            std::string::npos);
  // A business word only one side has is no conflict.
  EXPECT_GE(score("Korea Myongdok Co", "Korea Myongdok Shipping Co"), 0.85);
  // The son is not the father.
  EXPECT_LT(score("Salman bin Muhammad", "Muhammad bin Salman"), 0.85);
  EXPECT_NE(how("Salman bin Muhammad", "Muhammad bin Salman").find("patronymic reversed"), std::string::npos);
  EXPECT_GE(score("Salman bin Muhammad", "SALMAN BIN MUHAMMAD"), 0.99);
  // Two common names prove little when the party's name says more.
  EXPECT_LT(score("MARTINEZ CHAVEZ, MIGUEL", "MARTINEZ, Miguel"), 0.85);
  EXPECT_NE(how("MARTINEZ CHAVEZ, MIGUEL", "MARTINEZ, Miguel").find("common names only"), std::string::npos);
  EXPECT_GE(score("Miguel Martinez", "MARTINEZ, Miguel"), 0.99);
  EXPECT_GE(score("MARTINEZ ZALDOSTANOV, MIGUEL", "MARTINEZ ZALDOSTANOV, Miguel"), 0.99);
  // A common word for a rare listed one is the party's own name, not a typo.
  EXPECT_LT(score("GUTIERREZ NUNEZ, MIGUEL", "GUTIERREZ, Migel"), 0.85);
  // Another first letter is another name, unless transliterations swap it;
  // a same-skeleton pair must also start with the same vowel.
  EXPECT_LT(score("SALAS MUNOZ, ANA", "MALAS MANAS"), 0.85);
  EXPECT_GE(score("Lei Chang", "Lei ZHANG"), 0.85);
  EXPECT_GE(score("Mohamed Atta", "Muhammad Atta"), 0.85);
  // Two common names a letter apart are two names.
  EXPECT_LT(score("Maria Soto Flores", "FLORES SOTO, Mario"), 0.85);
  // Spanish surnames in the other order are another family; a name written
  // back to front keeps them in order.
  EXPECT_LT(score("Jose Lopez Davila", "DAVILA LOPEZ, Jose Ramon"), 0.85);
  EXPECT_NE(how("Jose Lopez Davila", "DAVILA LOPEZ, Jose Ramon").find("surnames in the other order"),
            std::string::npos);
  EXPECT_GE(score("Jose Davila Lopez", "DAVILA LOPEZ, Jose Ramon"), 0.85);
  EXPECT_GE(score("Lopez Davila Ramon Jose", "DAVILA LOPEZ, Jose Ramon"), 0.85);
}

TEST(CompareNames, WritingsOfOneName) {
  auto score = [](const char* a, const char* b) { return CompareNameReadings(a, b).score; };
  // Two long words written as one, exactly; not approximately.
  EXPECT_GE(score("SergeiLavrov", "Sergei Lavrov"), 0.99);
  EXPECT_LT(score("SergeyLavrof", "Sergei Lavrov"), 0.85);
  // Transliterated vowels, and a long skeleton with a vowel more.
  EXPECT_GE(score("Aly Khorashadizadeh", "Ali Khorashadizadeh"), 0.85);
  EXPECT_GE(score("Umar Hussain", "Omar Hussain"), 0.85);
  EXPECT_GE(score("Alexander Zaldostanov", "Aleksandr Zaldostanov"), 0.85);
  EXPECT_LT(score("Jose Mendez Vargas", "Jose Mendoza Vargas"), 0.85);
  // Acronyms, with or without the legal form, not for people.
  EXPECT_GE(score("IRGC", "Islamic Revolutionary Guard Corps"), 0.85);
  EXPECT_GE(score("MSCL", "Minab Shipping Company Limited"), 0.85);
  EXPECT_LT(
      CompareNameReadings("IRGC", "Islamic Revolutionary Guard Corps", nullptr, nullptr, EntryKind::kPerson).score,
      0.5);
  // An organisation's numbers, written either way.
  EXPECT_GE(score("Alfa 1 C.A.", "Alfa One, C.A."), 0.85);
  EXPECT_GE(score("2nd Economic Committee", "Second Economic Committee"), 0.85);
  // Short forms of given names.
  EXPECT_GE(score("Danny Perez Rojas", "Daniel Perez Rojas"), 0.85);
}

TEST(Countries, NamesAdjectivesAndCodes) {
  EXPECT_EQ(CountryCode("Peru"), "PE");
  EXPECT_EQ(CountryCode("PE"), "PE");
  EXPECT_EQ(CountryCode("Iran (Islamic Republic of)"), "IR");
  EXPECT_EQ(CountryCode("Democratic People's Republic of Korea"), "KP");
  EXPECT_EQ(CountryCode("Democratic Republic of the Congo"), "CD");
  EXPECT_EQ(CountryCode("Syrian"), "SY");
  EXPECT_EQ(CountryCode("Atlantis"), "");
}

TEST(CompareNames, ExplainsEveryTokenAndHandlesOrderDropsAndJoins) {
  auto cmp = [](const char* a, const char* b) { return CompareNames(NormalizeName(a), NormalizeName(b)); };
  const NameComparison same = cmp("Baghdadi Abu Bakr", "AL-BAGHDADI, Abu Bakr");
  EXPECT_NEAR(same.score, 1.0, 1e-9);
  const NameComparison typo = cmp("Abu Bakr al Bagdadi", "ABU BAKR AL-BAGHDADI");
  EXPECT_GT(typo.score, 0.95);
  EXPECT_LT(typo.score, 1.0);
  bool saw_fuzzy = false;
  for (const auto& t : typo.tokens) saw_fuzzy |= t.query == "bagdadi" && t.listed == "baghdadi" && t.how == "fuzzy";
  EXPECT_TRUE(saw_fuzzy);
  EXPECT_GE(cmp("Xi Jin Ping", "Xi Jinping").score, 0.99);
  EXPECT_GE(cmp("Albaghdadi", "al Baghdadi").score, 0.99);
  // One shared word does not make a hit against a one-word name.
  EXPECT_LT(cmp("Metales El Sol S.A.C.", "SOL").score, 0.85);
  // Different people sharing a first name.
  EXPECT_LT(cmp("Juan Quispe Mamani", "Juan Carlos Rodriguez").score, 0.6);
  const NameComparison extra = cmp("Juan Perez Quispe", "PEREZ, Juan");
  EXPECT_NEAR(extra.list_coverage, 1.0, 1e-9);
  EXPECT_LT(extra.query_coverage, 1.0);
  bool unmatched = false;
  for (const auto& t : extra.tokens) unmatched |= t.query == "quispe" && t.how == "unmatched";
  EXPECT_TRUE(unmatched);
}

}  // namespace
}  // namespace centinela::screening
