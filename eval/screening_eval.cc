#include "eval/screening_eval.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/status_macros.h"
#include "base/yaml_util.h"
#include "gen/peruvian_names.h"
#include "screening/match/name_match.h"

namespace centinela::eval {
namespace {

using screening::NormalizeName;

const char* const kCompanyHead[] = {"Inversiones",
                                    "Minera",
                                    "Transportes",
                                    "Comercial",
                                    "Constructora",
                                    "Agroindustrial",
                                    "Servicios Generales",
                                    "Corporacion",
                                    "Distribuidora",
                                    "Inmobiliaria",
                                    "Consultores",
                                    "Grupo",
                                    "Negocios",
                                    "Textil",
                                    "Importadora",
                                    "Exportadora",
                                    "Agricola",
                                    "Pesquera",
                                    "Ferreteria",
                                    "Multiservicios",
                                    "Empresa de Transportes",
                                    "Clinica",
                                    "Restaurant",
                                    "Hotel",
                                    "Estacion de Servicios",
                                    "Panificadora",
                                    "Laboratorios",
                                    "Joyeria",
                                    "Metales"};
const char* const kCompanyBody[] = {"Los Andes",
                                    "San Martin",
                                    "Santa Rosa",
                                    "Del Sur",
                                    "El Sol",
                                    "Virgen de Chapi",
                                    "Señor de Muruhuay",
                                    "Machu Picchu",
                                    "Amazonica",
                                    "Pacifico",
                                    "Kallpa",
                                    "Inti",
                                    "Illari",
                                    "Tawa",
                                    "Wari",
                                    "Chavin",
                                    "Nazca",
                                    "Huascaran",
                                    "Titicaca",
                                    "Arequipa",
                                    "Cusco Imperial",
                                    "Moche",
                                    "Tumbes",
                                    "Huallaga",
                                    "Ucayali",
                                    "Oro Verde",
                                    "Plata Fina",
                                    "Cordillera Blanca",
                                    "Valle Sagrado",
                                    "Misti",
                                    "Colca",
                                    "Paracas",
                                    "Chincha",
                                    "La Merced",
                                    "Oxapampa",
                                    "Pichanaki",
                                    "Satipo",
                                    "Quillabamba",
                                    "Madre de Dios",
                                    "Mazuko",
                                    "Huepetuhe",
                                    "Laberinto",
                                    "Puerto Maldonado",
                                    "Juliaca",
                                    "Ilave",
                                    "Desaguadero",
                                    "San Roman",
                                    "Ayaviri",
                                    "Putina",
                                    "Ananea"};
const char* const kLegal[] = {"S.A.C.", "S.A.", "E.I.R.L.", "S.R.L.", "S.A.A.", ""};
const char* const kAccentFor[] = {"á", "é", "í", "ó", "ú"};

// Peruvian names by rank frequency (gen/peruvian_names.h), capitalised.
std::string Capitalised(const std::string& upper) {
  std::string out = absl::StrReplaceAll(absl::AsciiStrToLower(upper), {{"Ñ", "ñ"}});
  if (!out.empty()) out[0] = absl::ascii_toupper(out[0]);
  return out;
}
std::string Given(std::mt19937_64& rng) {
  const auto& g = gen::PeruvianGivenNames();
  return Capitalised(g[gen::PickByRank(g.size(), rng())]);
}
std::string Surname(std::mt19937_64& rng) {
  const auto& s = gen::PeruvianSurnames();
  return Capitalised(s[gen::PickByRank(s.size(), rng())]);
}

template <size_t N>
const char* Pick(std::mt19937_64& rng, const char* const (&arr)[N]) {
  return arr[std::uniform_int_distribution<size_t>(0, N - 1)(rng)];
}

std::vector<std::string> Words(const std::string& name) {
  return absl::StrSplit(NormalizeName(name).Display(), ' ', absl::SkipEmpty());
}

bool IsNameWord(const std::string& w) { return screening::ClassifyToken(w) == screening::TokenKind::kName; }

// One edit in the longest name word (not a legal form or stopword).
std::string Typo(std::vector<std::string> w, std::mt19937_64& rng) {
  size_t best = w.size();
  for (size_t i = 0; i < w.size(); ++i) {
    if (IsNameWord(w[i]) && (best == w.size() || w[i].size() > w[best].size())) best = i;
  }
  if (best == w.size()) return "";
  std::string& t = w[best];
  if (t.size() < 4) return "";
  const size_t p = std::uniform_int_distribution<size_t>(1, t.size() - 2)(rng);
  const char letter = char('a' + std::uniform_int_distribution<int>(0, 25)(rng));
  switch (std::uniform_int_distribution<int>(0, 3)(rng)) {
    case 0:
      t[p] = t[p] == letter ? char('a' + (letter - 'a' + 1) % 26) : letter;
      break;
    case 1:
      t.erase(p, 1);
      break;
    case 2:
      t.insert(t.begin() + long(p), letter);
      break;
    default:
      std::swap(t[p], t[p + 1]);
      break;
  }
  return absl::StrJoin(w, " ");
}

std::string AddAccents(const std::vector<std::string>& w, std::mt19937_64& rng) {
  std::string out;
  bool changed = false;
  for (const auto& t : w) {
    if (!out.empty()) out += ' ';
    for (char c : t) {
      const char* vowels = "aeiou";
      const char* at = c != '\0' ? strchr(vowels, c) : nullptr;
      if (at != nullptr && std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
        out += kAccentFor[at - vowels];
        changed = true;
      } else {
        out += c;
      }
    }
  }
  return changed ? out : "";
}

}  // namespace

std::vector<std::string> GeneratePeruvianNames(int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  out.reserve(size_t(n));
  for (int64_t i = 0; i < n; ++i) {
    if (std::uniform_int_distribution<int>(0, 9)(rng) < 7) {
      std::string name = Given(rng);
      if (std::uniform_int_distribution<int>(0, 1)(rng) == 1) absl::StrAppend(&name, " ", Given(rng));
      absl::StrAppend(&name, " ", Surname(rng), " ", Surname(rng));
      out.push_back(std::move(name));
    } else {
      std::string name = Pick(rng, kCompanyHead);
      const int style = std::uniform_int_distribution<int>(0, 2)(rng);
      if (style == 0) {
        absl::StrAppend(&name, " ", Surname(rng));
      } else if (style == 1) {
        absl::StrAppend(&name, " ", Pick(rng, kCompanyBody));
      } else {
        absl::StrAppend(&name, " ", Surname(rng), " & ", Surname(rng));
      }
      const char* legal = Pick(rng, kLegal);
      if (*legal != '\0') absl::StrAppend(&name, " ", legal);
      out.push_back(std::move(name));
    }
  }
  return out;
}

absl::StatusOr<ScreeningEvalReport> EvaluateScreening(const screening::ListSet& set,
                                                      const std::vector<std::string>& lists,
                                                      const ScreeningEvalOptions& options) {
  const absl::Time start = absl::Now();
  ScreeningEvalReport report;
  std::mt19937_64 rng(options.seed);
  screening::ScreenOptions so;
  so.threshold = options.threshold;
  so.max_hits = 10;
  const char* const kinds[] = {"typo", "reorder", "drop_middle", "accents", "double_surname"};
  report.by_kind.resize(5);
  for (int k = 0; k < 5; ++k) report.by_kind[size_t(k)].kind = kinds[k];
  absl::flat_hash_set<std::string> listed_token_sets;
  auto token_set = [](const std::string& name) {
    std::vector<std::string> t = absl::StrSplit(NormalizeName(name).Display(), ' ', absl::SkipEmpty());
    std::sort(t.begin(), t.end());
    return absl::StrJoin(t, " ");
  };
  int64_t done = 0;
  for (const auto& list_name : lists) {
    auto list = set.Get(list_name);
    if (list == nullptr) return absl::NotFoundError(absl::StrCat("no list named '", list_name, "' is loaded"));
    for (const auto& entry : list->list().entries) {
      for (const auto& en : entry.names) {
        listed_token_sets.insert(token_set(en.text));
        if (en.original_script) continue;
        const std::vector<std::string> w = Words(en.text);
        if (w.empty()) continue;
        std::string queries[5];
        queries[0] = Typo(w, rng);
        // Reversed word order, except around a patronymic particle: "Muhammad
        // bin Salman" reversed names the father (name_match.h).
        if (w.size() >= 2 && std::none_of(w.begin(), w.end(), [](const std::string& x) {
              return screening::IsPatronymic(absl::AsciiStrToLower(x));
            })) {
          std::vector<std::string> r(w.rbegin(), w.rend());
          queries[1] = absl::StrJoin(r, " ");
        }
        // A dropped middle name: persons with three or more name words. In
        // "SURNAMES, Given names" a middle name is a later given name; else
        // any word between the first and the last.
        const screening::NormalizedName norm = NormalizeName(en.text);
        std::vector<size_t> name_words, middles;
        for (size_t i = 0; i < w.size(); ++i) {
          if (IsNameWord(w[i])) name_words.push_back(i);
        }
        if (norm.structured) {
          for (size_t k = 1; k < name_words.size() && name_words[k] < norm.given_names; ++k) {
            middles.push_back(name_words[k]);
          }
        } else {
          for (size_t k = 1; k + 1 < name_words.size(); ++k) middles.push_back(name_words[k]);
        }
        if (entry.kind == screening::EntryKind::kPerson && name_words.size() >= 3 && !middles.empty() &&
            w.size() == norm.tokens.size()) {
          std::vector<std::string> d = w;
          d.erase(d.begin() + long(middles[std::uniform_int_distribution<size_t>(0, middles.size() - 1)(rng)]));
          queries[2] = absl::StrJoin(d, " ");
        }
        queries[3] = AddAccents(w, rng);
        if (entry.kind == screening::EntryKind::kPerson && name_words.size() >= 2) {
          queries[4] = absl::StrCat(absl::StrJoin(w, " "), " ", absl::AsciiStrToLower(Surname(rng)));
        }
        for (int k = 0; k < 5; ++k) {
          if (queries[k].empty()) continue;
          screening::ScreenQuery q;
          q.name = queries[k];
          auto prepared = screening::PrepareQuery(q);
          if (!prepared.ok()) return prepared.status();
          const std::vector<screening::Hit> hits = list->Screen(*prepared, so);
          bool found = false;
          for (const auto& h : hits) found |= h.entry_id == entry.id;
          auto& r = report.by_kind[size_t(k)];
          ++r.total;
          ++(found ? report.counts.tp : report.counts.fn);
          if (found) {
            ++r.found;
          } else if (int64_t(report.misses.size()) < options.max_examples) {
            report.misses.push_back(absl::StrCat(kinds[k], ": '", queries[k], "' -> ", entry.id, " '", en.text, "'",
                                                 hits.empty() ? "" : absl::StrCat(" (got ", hits[0].entry_id, ")")));
          }
          if (++done % 20000 == 0 && options.progress) {
            options.progress(absl::StrCat("recall: ", done, " perturbed names screened"));
          }
        }
      }
    }
  }
  const std::vector<std::string> negatives = GeneratePeruvianNames(options.negatives, options.seed + 1);
  for (size_t i = 0; i < negatives.size(); ++i) {
    const std::string& name = negatives[i];
    if (listed_token_sets.contains(token_set(name))) {
      ++report.set_aside;
      continue;
    }
    screening::ScreenQuery q;
    q.name = name;
    auto hits = set.Screen(q, lists, so);
    if (!hits.ok()) return hits.status();
    ++(hits->empty() ? report.counts.tn : report.counts.fp);
    if (!hits->empty()) {
      if (int64_t(report.false_positive_examples.size()) < options.max_examples) {
        report.false_positive_examples.push_back(
            absl::StrCat("'", name, "' -> ", (*hits)[0].list, " ", screening::DescribeHit((*hits)[0])));
      }
    }
    if ((i + 1) % 25000 == 0 && options.progress) {
      options.progress(absl::StrCat("false positives: ", i + 1, " generated names screened"));
    }
  }
  report.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return report;
}

absl::StatusOr<std::vector<CrossScriptPair>> LoadCrossScriptPairs(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string text, ReadFile(path, "cross-script pairs"));
  std::vector<CrossScriptPair> out;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<std::string> f = absl::StrSplit(line, ',');
    CrossScriptPair p;
    if (f.size() < 3 || !absl::SimpleAtod(f[2], &p.min_score)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": expected query,expected,min_score[,description]"));
    }
    p.query = f[0];
    p.expected = f[1];
    if (f.size() > 3) p.description = f[3];
    p.line = line_no;
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace centinela::eval
