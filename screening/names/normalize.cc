#include "screening/names/normalize.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "screening/names/canonical.h"
#include "screening/names/han_readings.h"
#include "screening/names/name_frequency.h"
#include "screening/names/similarity.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {
namespace {

const absl::flat_hash_set<absl::string_view>& LegalForms() {
  static const auto* s = new absl::flat_hash_set<absl::string_view>{
      // Peru and Latin America
      "sa", "ca", "sac", "saa", "srl", "eirl", "scrl", "sas", "sca", "sl", "sc", "cv", "sadecv", "ltda", "cia",
      "sociedad", "anonima", "cerrada", "abierta", "responsabilidad", "limitada", "empresa", "individual", "comandita",
      "spa",
      // English-speaking
      "ltd", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co", "company", "plc", "limited", "pty",
      "pte", "bhd", "sdn", "pvt", "fze", "fzco", "fzc", "fzllc", "jsc", "ojsc", "cjsc", "pjsc", "ooo", "zao", "oao",
      "pao", "ao", "tov", "jv",
      // Europe
      "gmbh", "ag", "kg", "ohg", "bv", "nv", "sarl", "sprl", "srl", "spa", "oy", "ab", "as", "asa", "aps", "sro", "doo",
      "ad", "kft", "zrt", "sp", "zoo", "se", "ev",
      // Middle East and Asia
      "wll", "fzoo", "kk", "tbk", "tic", "ltdsti", "sti", "as"};
  return *s;
}

const absl::flat_hash_set<absl::string_view>& Stopwords() {
  static const auto* s = new absl::flat_hash_set<absl::string_view>{
      "de", "del", "la", "las", "los", "el", "y", "e", "of", "the", "and", "for", "in", "on", "at", "a", "an", "da",
      "do", "dos", "das", "du", "des", "le", "et", "van", "von", "der", "den", "di", "al", "ul", "ud", "ad", "as",
      // patronymic particles: "son/daughter of" carries no identity (their
      // order does: ScorePairs)
      "bin", "ibn", "bint", "binti", "ould",
      // titles and honorifics
      "mr", "mrs", "ms", "dr", "sr", "sra", "srta", "don", "dona", "ing", "lic", "prof", "gen", "col", "cap", "capt",
      "sheikh", "shaykh", "haji", "hajji", "mullah", "mawlawi", "maulavi", "qari", "imam", "president", "colonel",
      "eng", "engr"};
  return *s;
}

const absl::flat_hash_set<absl::string_view>& GenericWords() {
  static const auto* s = new absl::flat_hash_set<absl::string_view>{"trading",
                                                                    "trade",
                                                                    "international",
                                                                    "internacional",
                                                                    "group",
                                                                    "grupo",
                                                                    "holding",
                                                                    "holdings",
                                                                    "industries",
                                                                    "industrial",
                                                                    "industrias",
                                                                    "enterprise",
                                                                    "enterprises",
                                                                    "services",
                                                                    "service",
                                                                    "servicios",
                                                                    "import",
                                                                    "export",
                                                                    "importadora",
                                                                    "exportadora",
                                                                    "commercial",
                                                                    "comercial",
                                                                    "comercializadora",
                                                                    "general",
                                                                    "generales",
                                                                    "investment",
                                                                    "investments",
                                                                    "inversiones",
                                                                    "inversiones",
                                                                    "negocios",
                                                                    "construcciones",
                                                                    "constructora",
                                                                    "transportes",
                                                                    "transport",
                                                                    "logistics",
                                                                    "shipping",
                                                                    "minera",
                                                                    "mining",
                                                                    "agricola",
                                                                    "agroindustrial",
                                                                    "consultores",
                                                                    "consulting",
                                                                    "asociados",
                                                                    "associates",
                                                                    "global",
                                                                    "development",
                                                                    "management",
                                                                    "partners",
                                                                    "solutions",
                                                                    "technology",
                                                                    "technologies",
                                                                    "petroleum",
                                                                    "oil",
                                                                    "gas",
                                                                    "energy",
                                                                    "foundation",
                                                                    "fundacion",
                                                                    "organization",
                                                                    "organisation",
                                                                    "association",
                                                                    "asociacion",
                                                                    "committee",
                                                                    "bank",
                                                                    "banco",
                                                                    "finance",
                                                                    "financial",
                                                                    "financiera",
                                                                    "capital",
                                                                    "fund",
                                                                    "trust",
                                                                    "national",
                                                                    "nacional",
                                                                    "industry",
                                                                    "products",
                                                                    "productos",
                                                                    "store",
                                                                    "tienda",
                                                                    "distribuidora",
                                                                    "corporacion",
                                                                    "sociedad",
                                                                    "compania",
                                                                    "company",
                                                                    "center",
                                                                    "centro",
                                                                    "network",
                                                                    "media",
                                                                    "travel",
                                                                    "tours",
                                                                    "exchange",
                                                                    "cambios",
                                                                    "multiservicios",
                                                                    "representaciones",
                                                                    "peru",
                                                                    "peruana",
                                                                    "peruvian",
                                                                    "andina",
                                                                    "sur",
                                                                    "norte",
                                                                    "exports",
                                                                    "imports",
                                                                    "hotel",
                                                                    "hoteles",
                                                                    "restaurant",
                                                                    "restaurante",
                                                                    "clinica",
                                                                    "clinic",
                                                                    "hospital",
                                                                    "laboratorios",
                                                                    "laboratorio",
                                                                    "laboratories",
                                                                    "estacion",
                                                                    "estaciones",
                                                                    "ferreteria",
                                                                    "panificadora",
                                                                    "textil",
                                                                    "textiles",
                                                                    "pesquera",
                                                                    "fishing",
                                                                    "joyeria",
                                                                    "jewelry",
                                                                    "metales",
                                                                    "metals",
                                                                    "inmobiliaria",
                                                                    "real",
                                                                    "estate",
                                                                    "agencia",
                                                                    "agency",
                                                                    "viajes",
                                                                    "aviacion",
                                                                    "aviation",
                                                                    "airlines",
                                                                    "airways",
                                                                    "cargo",
                                                                    "naviera",
                                                                    "maritime",
                                                                    "marine",
                                                                    "shipping",
                                                                    "farmacia",
                                                                    "pharma",
                                                                    "pharmaceutical",
                                                                    "medical",
                                                                    "educational",
                                                                    "import",
                                                                    "universal",
                                                                    "continental",
                                                                    "express",
                                                                    "trans",
                                                                    "transport",
                                                                    "multiple",
                                                                    "operadora",
                                                                    "promotora",
                                                                    "desarrollos",
                                                                    "proyectos",
                                                                    "ingenieria",
                                                                    "engineering",
                                                                    "contratistas",
                                                                    "contractors",
                                                                    "suministros",
                                                                    "supplies",
                                                                    "equipment",
                                                                    "equipos",
                                                                    "maquinaria",
                                                                    "machinery",
                                                                    "motors",
                                                                    "automotriz",
                                                                    "electric",
                                                                    "electronics",
                                                                    "systems",
                                                                    "sistemas",
                                                                    "seguridad",
                                                                    "security",
                                                                    "resources",
                                                                    "recursos",
                                                                    "minerals",
                                                                    "minerales",
                                                                    "gold",
                                                                    "oro"};
  return *s;
}

// Punctuation that joins the letters around it instead of splitting them.
bool IsJoiner(char c) { return c == '\'' || c == '`'; }

std::vector<std::string> SplitTokens(absl::string_view latin) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : latin) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      cur += c;
    } else if (IsJoiner(c) || (static_cast<unsigned char>(c) >= 0x80)) {
      // Joiners and leftover non-ASCII marks (ʿ, ʾ) vanish without splitting.
      continue;
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// "s a c" -> "sac", "u s a" -> "usa": runs of two or more one-letter tokens.
std::vector<std::string> JoinInitials(std::vector<std::string> tokens) {
  std::vector<std::string> out;
  for (size_t i = 0; i < tokens.size();) {
    size_t j = i;
    while (j < tokens.size() && tokens[j].size() == 1 && absl::ascii_isalpha(tokens[j][0])) ++j;
    if (j - i >= 2) {
      std::string joined;
      for (size_t k = i; k < j; ++k) joined += tokens[k];
      out.push_back(std::move(joined));
      i = j;
    } else {
      out.push_back(std::move(tokens[i]));
      ++i;
    }
  }
  return out;
}

bool AllLegalOrStop(const std::vector<std::string>& tokens) {
  for (const auto& t : tokens) {
    const TokenKind k = ClassifyToken(t);
    if (k != TokenKind::kLegalForm && k != TokenKind::kStopword) return false;
  }
  return true;
}

}  // namespace

uint32_t LetterSet(absl::string_view token) {
  uint32_t m = 0;
  for (char c : token) {
    if (c >= 'a' && c <= 'z') {
      m |= 1u << (c - 'a');
    } else if (c >= '0' && c <= '9') {
      m |= 1u << (26 + (c - '0') % 6);
    }
  }
  return m;
}

TokenKind ClassifyToken(absl::string_view t) {
  if (LegalForms().contains(t)) return TokenKind::kLegalForm;
  if (Stopwords().contains(t)) return TokenKind::kStopword;
  if (GenericWords().contains(t)) return TokenKind::kGeneric;
  return TokenKind::kName;
}

std::string NormalizedName::Display() const {
  std::string out;
  for (const auto& t : tokens) {
    if (!out.empty()) out += ' ';
    out += t.text;
  }
  return out;
}

float NormalizedName::TotalWeight() const {
  float w = 0;
  for (const auto& t : tokens) w += t.weight;
  return w;
}

NormalizedName NormalizeName(absl::string_view name) {
  NormalizedName out;
  Transliteration tr = ToLatin(name);
  out.abjad = tr.abjad;
  out.script = std::move(tr.script);
  std::vector<std::string> words;
  size_t surnames_from = 0;  // with out.structured: index of the first surname
  // "LAST, First": one comma whose right side is not only a legal form.
  const size_t comma = tr.latin.find(',');
  if (comma != std::string::npos && tr.latin.find(',', comma + 1) == std::string::npos) {
    std::vector<std::string> last = SplitTokens(absl::string_view(tr.latin).substr(0, comma));
    std::vector<std::string> first = SplitTokens(absl::string_view(tr.latin).substr(comma + 1));
    const bool organisation = NamesOrganisation(last) || NamesOrganisation(first);
    last = JoinInitials(CanonicalWords(std::move(last), organisation));
    first = JoinInitials(CanonicalWords(std::move(first), organisation));
    if (!first.empty() && !AllLegalOrStop(first)) {
      out.structured = !AllLegalOrStop(last);
      surnames_from = first.size();
      out.given_names = surnames_from;
      words = std::move(first);
      words.insert(words.end(), std::make_move_iterator(last.begin()), std::make_move_iterator(last.end()));
    } else {
      words = std::move(last);
      words.insert(words.end(), std::make_move_iterator(first.begin()), std::make_move_iterator(first.end()));
    }
  } else {
    words = SplitTokens(tr.latin);
    const bool organisation = NamesOrganisation(words);
    words = JoinInitials(CanonicalWords(std::move(words), organisation));
  }
  bool any_name = false;
  out.tokens.reserve(words.size());
  for (auto& w : words) {
    NameToken t;
    t.kind = ClassifyToken(w);
    t.skeleton = Skeleton(w);
    t.letters = LetterSet(w);
    t.text = std::move(w);
    any_name |= t.kind == TokenKind::kName;
    if (const char family = t.kind == TokenKind::kLegalForm ? LegalFormClass(t.text) : 0;
        family != 0 && out.legal_families.find(family) == std::string::npos) {
      out.legal_families += family;
    }
    out.tokens.push_back(std::move(t));
  }
  for (auto& t : out.tokens) {
    switch (t.kind) {
      case TokenKind::kName:
        // A very common given name or surname proves little (name_frequency.h).
        t.weight = (t.text.size() <= 2 ? 0.5f : 1.0f) * FrequencyWeight(t.text);
        break;
      case TokenKind::kGeneric:
        t.weight = any_name ? 0.25f : 1.0f;
        break;
      case TokenKind::kLegalForm:
      case TokenKind::kStopword:
        t.weight = 0;
        break;
    }
  }
  if (out.structured) {
    // Later given names and later surnames count half.
    bool seen_given = false, seen_surname = false;
    for (size_t i = 0; i < out.tokens.size(); ++i) {
      NameToken& t = out.tokens[i];
      if (t.kind != TokenKind::kName) continue;
      bool& seen = i < surnames_from ? seen_given : seen_surname;
      if (seen) t.weight *= 0.5f;
      seen = true;
    }
  }
  // A name made only of legal forms or stopwords ("AS", "The Company") still
  // needs something to match on: its tokens count in full.
  if (out.TotalWeight() <= 0) {
    for (auto& t : out.tokens) t.weight = 1;
  }
  return out;
}

std::vector<NormalizedName> NormalizeNameReadings(absl::string_view name) {
  std::vector<NormalizedName> out;
  out.push_back(NormalizeName(name));
  for (const std::string& reading : HanReadings(name)) {
    NormalizedName n = NormalizeName(reading);
    n.script = "Han";
    n.abjad = false;
    if (!n.Empty() && n.Display() != out[0].Display()) out.push_back(std::move(n));
  }
  return out;
}

}  // namespace centinela::screening
