#include "screening/names/canonical.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "screening/names/normalize.h"

namespace centinela::screening {
namespace {

// Digits standing for letters inside a word ("ig0r", "sech1n", "m4ria"),
// rewritten in place; a word of letters only (most) is left untouched.
void Deobfuscate(std::string& w) {
  bool letter = false, digit = false;
  for (char c : w) {
    letter |= absl::ascii_isalpha(static_cast<unsigned char>(c));
    digit |= absl::ascii_isdigit(static_cast<unsigned char>(c));
  }
  if (!letter || !digit) return;
  // Ordinals written with digits ("1st", "22nd", "3rd", "4th") are numbers.
  size_t d = 0;
  while (d < w.size() && absl::ascii_isdigit(static_cast<unsigned char>(w[d]))) ++d;
  const absl::string_view suffix = absl::string_view(w).substr(d);
  if (d > 0 && (suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th" || suffix == "o" ||
                suffix == "a" || suffix == "er" || suffix == "eme")) {
    w.resize(d);
    return;
  }
  for (char& c : w) {
    switch (c) {
      case '0':
        c = 'o';
        break;
      case '1':
        c = 'i';
        break;
      case '3':
        c = 'e';
        break;
      case '4':
        c = 'a';
        break;
      case '5':
        c = 's';
        break;
      case '7':
        c = 't';
        break;
      case '8':
        c = 'b';
        break;
      default:
        break;
    }
  }
}

const absl::flat_hash_map<absl::string_view, int>& Units() {
  static const auto* m = new absl::flat_hash_map<absl::string_view, int>{
      {"zero", 0},       {"one", 1},          {"two", 2},         {"three", 3},       {"four", 4},
      {"five", 5},       {"six", 6},          {"seven", 7},       {"eight", 8},       {"nine", 9},
      {"ten", 10},       {"eleven", 11},      {"twelve", 12},     {"thirteen", 13},   {"fourteen", 14},
      {"fifteen", 15},   {"sixteen", 16},     {"seventeen", 17},  {"eighteen", 18},   {"nineteen", 19},
      {"first", 1},      {"second", 2},       {"third", 3},       {"fourth", 4},      {"fifth", 5},
      {"sixth", 6},      {"seventh", 7},      {"eighth", 8},      {"ninth", 9},       {"tenth", 10},
      {"eleventh", 11},  {"twelfth", 12},     {"thirteenth", 13}, {"fourteenth", 14}, {"fifteenth", 15},
      {"sixteenth", 16}, {"seventeenth", 17}, {"eighteenth", 18}, {"nineteenth", 19}, {"uno", 1},
      {"dos", 2},        {"tres", 3},         {"cuatro", 4},      {"cinco", 5},       {"seis", 6},
      {"siete", 7},      {"ocho", 8},         {"nueve", 9},       {"diez", 10},       {"primero", 1},
      {"primera", 1},    {"primer", 1},       {"segundo", 2},     {"segunda", 2},     {"tercero", 3},
      {"tercera", 3},    {"cuarto", 4},       {"cuarta", 4},      {"quinto", 5},      {"quinta", 5},
      {"sexto", 6},      {"septimo", 7},      {"octavo", 8},      {"noveno", 9},      {"decimo", 10}};
  return *m;
}

const absl::flat_hash_map<absl::string_view, int>& Tens() {
  static const auto* m = new absl::flat_hash_map<absl::string_view, int>{
      {"twenty", 20},  {"thirty", 30},  {"forty", 40},    {"fifty", 50},     {"sixty", 60},
      {"seventy", 70}, {"eighty", 80},  {"ninety", 90},   {"twentieth", 20}, {"thirtieth", 30},
      {"veinte", 20},  {"treinta", 30}, {"cuarenta", 40}, {"cincuenta", 50}};
  return *m;
}

// Words that are also common given names or words in a name are kept as
// written when they stand alone: "segundo" is a Peruvian given name, "dos"
// and "uno" Portuguese and Spanish words. Numbers are rewritten only next to
// another number word, when unambiguous, or in an organisation's name.
bool AmbiguousAlone(absl::string_view w) {
  return w == "segundo" || w == "segunda" || w == "dos" || w == "uno" || w == "one" || w == "second" || w == "quinta" ||
         w == "cuarto" || w == "primera" || w == "seis" || w == "ocho" || w == "tres";
}

// Legal forms written out, as word sequences, and their abbreviation.
struct Phrase {
  std::vector<absl::string_view> words;
  absl::string_view abbreviation;
};
const std::vector<Phrase>& LegalPhrases() {
  static const auto* v =
      new std::vector<Phrase>{{{"empresa", "individual", "de", "responsabilidad", "limitada"}, "eirl"},
                              {{"sociedad", "comercial", "de", "responsabilidad", "limitada"}, "srl"},
                              {{"sociedad", "de", "responsabilidad", "limitada"}, "srl"},
                              {{"gesellschaft", "mit", "beschrankter", "haftung"}, "gmbh"},
                              {{"open", "joint", "stock", "company"}, "ojsc"},
                              {{"closed", "joint", "stock", "company"}, "cjsc"},
                              {{"public", "joint", "stock", "company"}, "pjsc"},
                              {{"limited", "liability", "company"}, "llc"},
                              {{"limited", "liability", "partnership"}, "llp"},
                              {{"public", "limited", "company"}, "plc"},
                              {{"sociedad", "anonima", "cerrada"}, "sac"},
                              {{"sociedad", "anonima", "abierta"}, "saa"},
                              {{"joint", "stock", "company"}, "jsc"},
                              {{"limited", "partnership"}, "lp"},
                              {{"sociedad", "anonima"}, "sa"},
                              {{"societe", "anonyme"}, "sa"},
                              {{"sociedade", "anonima"}, "sa"},
                              {{"societa", "per", "azioni"}, "spa"},
                              {{"aktiengesellschaft"}, "ag"},
                              {{"kommanditgesellschaft"}, "kg"},
                              {{"incorporated"}, "inc"},
                              {{"corporation"}, "corp"},
                              {{"limited"}, "ltd"},
                              {{"limitada"}, "ltda"},
                              {{"company"}, "co"},
                              {{"compania"}, "cia"},
                              {{"naamloze", "vennootschap"}, "nv"},
                              {{"besloten", "vennootschap"}, "bv"},
                              {{"obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"}, "ooo"},
                              {{"otkrytoe", "aktsionernoe", "obshchestvo"}, "oao"},
                              {{"zakrytoe", "aktsionernoe", "obshchestvo"}, "zao"},
                              {{"aktsionernoe", "obshchestvo"}, "ao"}};
  return *v;
}

// Nicknames and short forms that are not names or words of their own.
const absl::flat_hash_map<absl::string_view, absl::string_view>& Nicknames() {
  static const auto* m = new absl::flat_hash_map<absl::string_view, absl::string_view>{// Spanish
                                                                                       {"pepe", "jose"},
                                                                                       {"pepito", "jose"},
                                                                                       {"paco", "francisco"},
                                                                                       {"pancho", "francisco"},
                                                                                       {"curro", "francisco"},
                                                                                       {"nacho", "ignacio"},
                                                                                       {"chucho", "jesus"},
                                                                                       {"lucho", "luis"},
                                                                                       {"kike", "enrique"},
                                                                                       {"quique", "enrique"},
                                                                                       {"memo", "guillermo"},
                                                                                       {"lalo", "eduardo"},
                                                                                       {"tono", "antonio"},
                                                                                       {"toto", "antonio"},
                                                                                       {"chabela", "isabel"},
                                                                                       {"lupe", "guadalupe"},
                                                                                       {"chayo", "rosario"},
                                                                                       {"charo", "rosario"},
                                                                                       {"conchita", "concepcion"},
                                                                                       {"beto", "alberto"},
                                                                                       {"fito", "adolfo"},
                                                                                       {"goyo", "gregorio"},
                                                                                       {"manolo", "manuel"},
                                                                                       {"dani", "daniel"},
                                                                                       {"rafa", "rafael"},
                                                                                       {"santi", "santiago"},
                                                                                       {"nico", "nicolas"},
                                                                                       {"fede", "federico"},
                                                                                       {"lola", "dolores"},
                                                                                       {"paquita", "francisca"},
                                                                                       {"tere", "teresa"},
                                                                                       {"pili", "pilar"},
                                                                                       {"chus", "jesus"},
                                                                                       // English
                                                                                       {"bob", "robert"},
                                                                                       {"bobby", "robert"},
                                                                                       {"bill", "william"},
                                                                                       {"billy", "william"},
                                                                                       {"jim", "james"},
                                                                                       {"jimmy", "james"},
                                                                                       {"mike", "michael"},
                                                                                       {"ted", "edward"},
                                                                                       {"teddy", "edward"},
                                                                                       {"dick", "richard"},
                                                                                       {"rick", "richard"},
                                                                                       {"tom", "thomas"},
                                                                                       {"tommy", "thomas"},
                                                                                       {"joe", "joseph"},
                                                                                       {"dave", "david"},
                                                                                       {"liz", "elizabeth"},
                                                                                       {"beth", "elizabeth"},
                                                                                       {"bibi", "benjamin"},
                                                                                       {"benji", "benjamin"},
                                                                                       {"alex", "alexander"},
                                                                                       {"tony", "anthony"},
                                                                                       {"chuck", "charles"},
                                                                                       {"larry", "lawrence"},
                                                                                       {"peggy", "margaret"},
                                                                                       {"danny", "daniel"},
                                                                                       {"sam", "samuel"},
                                                                                       {"sammy", "samuel"},
                                                                                       {"steve", "steven"},
                                                                                       {"greg", "gregory"},
                                                                                       {"andy", "andrew"},
                                                                                       {"nick", "nicholas"},
                                                                                       {"chris", "christopher"},
                                                                                       {"matt", "matthew"},
                                                                                       {"jeff", "jeffrey"},
                                                                                       {"ken", "kenneth"},
                                                                                       {"ron", "ronald"},
                                                                                       {"charlie", "charles"},
                                                                                       // Russian
                                                                                       {"sasha", "aleksandr"},
                                                                                       {"vova", "vladimir"},
                                                                                       {"volodya", "vladimir"},
                                                                                       {"dima", "dmitry"},
                                                                                       {"misha", "mikhail"},
                                                                                       {"kolya", "nikolai"},
                                                                                       {"seryozha", "sergei"},
                                                                                       {"zhenya", "evgeny"},
                                                                                       {"vanya", "ivan"},
                                                                                       {"lyosha", "aleksei"},
                                                                                       {"petya", "pyotr"},
                                                                                       {"yura", "yuri"}};
  return *m;
}

}  // namespace

bool NamesOrganisation(const std::vector<std::string>& words) {
  std::string letters;
  bool organisation = false;
  for (const std::string& w : words) {
    const TokenKind k = ClassifyToken(w);
    organisation |= k == TokenKind::kLegalForm || k == TokenKind::kGeneric;
    if (w.size() == 1) {
      letters += w;
      continue;
    }
    organisation |= letters.size() >= 2 && ClassifyToken(letters) == TokenKind::kLegalForm;
    letters.clear();
  }
  organisation |= letters.size() >= 2 && ClassifyToken(letters) == TokenKind::kLegalForm;
  return organisation;
}

std::vector<std::string> CanonicalWords(std::vector<std::string> words, bool organisation) {
  for (std::string& w : words) Deobfuscate(w);
  std::vector<std::string> out;
  out.reserve(words.size());
  auto number_at = [&](size_t i, int* value, bool* tens) {
    if (auto u = Units().find(words[i]); u != Units().end()) {
      *value = u->second;
      *tens = false;
      return true;
    }
    if (auto t = Tens().find(words[i]); t != Tens().end()) {
      *value = t->second;
      *tens = true;
      return true;
    }
    return false;
  };
  for (size_t i = 0; i < words.size();) {
    // Legal-form phrases, longest first (the table is ordered so).
    bool phrase = false;
    for (const Phrase& p : LegalPhrases()) {
      if (i + p.words.size() > words.size()) continue;
      bool all = true;
      for (size_t k = 0; k < p.words.size() && all; ++k) all = words[i + k] == p.words[k];
      if (!all) continue;
      out.emplace_back(p.abbreviation);
      i += p.words.size();
      phrase = true;
      break;
    }
    if (phrase) continue;
    // Numbers: "forty four" -> 44, "forty" -> 40, "first" -> 1.
    int v = 0;
    bool tens = false;
    if (number_at(i, &v, &tens)) {
      int unit = 0;
      bool unit_tens = false;
      const bool next_is_number = i + 1 < words.size() && number_at(i + 1, &unit, &unit_tens);
      const bool compound = tens && next_is_number && !unit_tens && unit > 0 && unit < 10;
      if (compound) {
        out.push_back(absl::StrCat(v + unit));
        i += 2;
        continue;
      }
      if (!AmbiguousAlone(words[i]) || next_is_number || organisation) {
        out.push_back(absl::StrCat(v));
        ++i;
        continue;
      }
    }
    if (auto n = Nicknames().find(words[i]); n != Nicknames().end()) {
      out.emplace_back(n->second);
    } else {
      out.push_back(std::move(words[i]));
    }
    ++i;
  }
  return out;
}

char LegalFormClass(absl::string_view t) {
  static const auto* m = new absl::flat_hash_map<absl::string_view, char>{// share companies
                                                                          {"sa", 'S'},
                                                                          {"ca", 'S'},
                                                                          {"sac", 'S'},
                                                                          {"saa", 'S'},
                                                                          {"sas", 'S'},
                                                                          {"ag", 'S'},
                                                                          {"jsc", 'S'},
                                                                          {"ojsc", 'S'},
                                                                          {"cjsc", 'S'},
                                                                          {"pjsc", 'S'},
                                                                          {"oao", 'S'},
                                                                          {"zao", 'S'},
                                                                          {"pao", 'S'},
                                                                          {"ao", 'S'},
                                                                          {"plc", 'S'},
                                                                          {"inc", 'S'},
                                                                          {"corp", 'S'},
                                                                          {"nv", 'S'},
                                                                          {"spa", 'S'},
                                                                          {"asa", 'S'},
                                                                          {"ab", 'S'},
                                                                          {"oy", 'S'},
                                                                          {"kk", 'S'},
                                                                          {"tbk", 'S'},
                                                                          {"se", 'S'},
                                                                          {"ad", 'S'},
                                                                          {"zrt", 'S'},
                                                                          {"sadecv", 'S'},
                                                                          {"bhd", 'S'},
                                                                          // limited-liability companies
                                                                          {"ltd", 'L'},
                                                                          {"llc", 'L'},
                                                                          {"gmbh", 'L'},
                                                                          {"srl", 'L'},
                                                                          {"sarl", 'L'},
                                                                          {"sprl", 'L'},
                                                                          {"ltda", 'L'},
                                                                          {"eirl", 'L'},
                                                                          {"ooo", 'L'},
                                                                          {"bv", 'L'},
                                                                          {"pty", 'L'},
                                                                          {"pte", 'L'},
                                                                          {"pvt", 'L'},
                                                                          {"sro", 'L'},
                                                                          {"doo", 'L'},
                                                                          {"kft", 'L'},
                                                                          {"aps", 'L'},
                                                                          {"sl", 'L'},
                                                                          {"tov", 'L'},
                                                                          {"wll", 'L'},
                                                                          {"fzllc", 'L'},
                                                                          {"fzco", 'L'},
                                                                          {"fze", 'L'},
                                                                          {"fzc", 'L'},
                                                                          {"ltdsti", 'L'},
                                                                          {"sdn", 'L'},
                                                                          {"fzoo", 'L'},
                                                                          // partnerships
                                                                          {"kg", 'P'},
                                                                          {"ohg", 'P'},
                                                                          {"lp", 'P'},
                                                                          {"llp", 'P'},
                                                                          {"sca", 'P'},
                                                                          {"comandita", 'P'},
                                                                          // cooperatives
                                                                          {"scrl", 'C'}};
  auto it = m->find(t);
  return it == m->end() ? 0 : it->second;
}

}  // namespace centinela::screening
