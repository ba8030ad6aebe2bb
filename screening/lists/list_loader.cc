#include "screening/lists/list_loader.h"

#include <expat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "base/hash.h"
#include "base/status_macros.h"
#include "base/yaml_util.h"
#include "screening/lists/csv_reader.h"
#include "screening/names/countries.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- dates

int MonthNumber(absl::string_view m) {
  static const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const std::string lower = absl::AsciiStrToLower(m.substr(0, 3));
  for (int i = 0; i < 12; ++i) {
    if (lower == kMonths[i]) return i + 1;
  }
  return 0;
}

bool ParseYear(absl::string_view t, int& year) {
  return t.size() == 4 && absl::SimpleAtoi(t, &year) && year > 1800 && year < 2200;
}

// One date without "circa"/"to": "10 Dec 1948", "Dec 1948", "1948", "1948-12-10".
bool ParseOneDate(absl::string_view text, DateOfBirth& d) {
  text = absl::StripAsciiWhitespace(text);
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    return ParseYear(text.substr(0, 4), d.year) && absl::SimpleAtoi(text.substr(5, 2), &d.month) &&
           absl::SimpleAtoi(text.substr(8, 2), &d.day) && d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= 31;
  }
  if (text.size() == 7 && text[4] == '-') {
    return ParseYear(text.substr(0, 4), d.year) && absl::SimpleAtoi(text.substr(5, 2), &d.month) && d.month >= 1 &&
           d.month <= 12;
  }
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.size() == 1) return ParseYear(parts[0], d.year);
  if (parts.size() == 2) {
    d.month = MonthNumber(parts[0]);
    return d.month > 0 && ParseYear(parts[1], d.year);
  }
  if (parts.size() == 3) {
    d.month = MonthNumber(parts[1]);
    return absl::SimpleAtoi(parts[0], &d.day) && d.day >= 1 && d.day <= 31 && d.month > 0 &&
           ParseYear(parts[2], d.year);
  }
  return false;
}

void AddUnique(std::vector<std::string>& v, std::string s) {
  if (s.empty()) return;
  for (const auto& x : v) {
    if (x == s) return;
  }
  v.push_back(std::move(s));
}

void AddName(ListEntry& e, absl::string_view text, bool alias, bool weak, bool original_script = false) {
  text = absl::StripAsciiWhitespace(text);
  while (!text.empty() && (text.back() == '.' || text.back() == ';')) text.remove_suffix(1);
  if (text.empty()) return;
  for (const auto& n : e.names) {
    if (n.text == text) return;
  }
  e.names.push_back(EntryName{std::string(text), alias, weak, original_script});
}

// ---------------------------------------------------------------- OFAC

// Counts a record left out and keeps the first few reasons for `lists info`.
void Skip(Watchlist& list, std::string why) {
  ++list.meta.skipped;
  if (list.meta.skipped_examples.size() < 5) list.meta.skipped_examples.push_back(std::move(why));
}

EntryKind OfacKind(absl::string_view type) {
  if (type == "individual") return EntryKind::kPerson;
  if (type == "vessel") return EntryKind::kVessel;
  if (type == "aircraft") return EntryKind::kAircraft;
  return EntryKind::kEntity;  // "-0-": OFAC leaves entities untyped
}

// Document keywords as OFAC writes them, longest first.
constexpr absl::string_view kDocumentKinds[] = {"National Foreign ID Number",
                                                "National ID No.",
                                                "Identification Number",
                                                "Tax ID No.",
                                                "Cedula No.",
                                                "LE Number",  // Peru's Libreta Electoral, before the DNI
                                                "Passport",
                                                "NIT #",
                                                "RUC #",
                                                "D.N.I.",
                                                "C.U.I.T.",
                                                "RFC",
                                                "CURP",
                                                "Registration ID",
                                                "SSN",
                                                "Residency Number",
                                                "Personal ID Card",
                                                "Driver's License No.",
                                                "Public Registration Number",
                                                "Company Number",
                                                "Business Registration Number",
                                                "Vessel Registration Identification",
                                                "IMO"};

void ParseOfacPiece(absl::string_view piece, ListEntry& entry) {
  piece = absl::StripAsciiWhitespace(piece);
  absl::ConsumePrefix(&piece, "alt. ");
  piece = absl::StripAsciiWhitespace(piece);
  while (!piece.empty() && piece.back() == '.') piece.remove_suffix(1);
  for (absl::string_view aka : {"a.k.a. ", "f.k.a. ", "n.k.a. "}) {
    if (absl::ConsumePrefix(&piece, aka)) {
      piece = absl::StripAsciiWhitespace(piece);
      if (piece.size() >= 2 && (piece.front() == '\'' || piece.front() == '"')) {
        const char q = piece.front();
        const size_t end = piece.rfind(q);
        if (end > 0) piece = piece.substr(1, end - 1);
      }
      AddName(entry, piece, /*alias=*/true, /*weak=*/false);
      return;
    }
  }
  if (absl::ConsumePrefix(&piece, "DOB ")) {
    DateOfBirth d;
    if (ParseDateOfBirth(piece, d)) entry.dobs.push_back(d);
    return;
  }
  if (absl::ConsumePrefix(&piece, "nationality ") || absl::ConsumePrefix(&piece, "citizen ")) {
    AddUnique(entry.nationalities, CountryCode(piece));
    return;
  }
  for (absl::string_view kind : kDocumentKinds) {
    if (!absl::StartsWith(piece, kind)) continue;
    absl::string_view rest = absl::StripAsciiWhitespace(piece.substr(kind.size()));
    IdDocument doc;
    doc.type = std::string(absl::StripSuffix(kind, " #"));
    const size_t paren = rest.find(" (");
    doc.number = std::string(absl::StripAsciiWhitespace(rest.substr(0, paren)));
    if (paren != absl::string_view::npos) {
      absl::string_view c = rest.substr(paren + 2);
      c = c.substr(0, c.find(')'));
      const std::string code = CountryCode(c);
      doc.country = code.empty() ? std::string(c) : code;
    }
    if (!doc.Key().empty()) entry.documents.push_back(std::move(doc));
    return;
  }
}

// The ent_num column of an OFAC file.
absl::StatusOr<int64_t> EntNum(const CsvReader& reader, const std::string& field) {
  int64_t num;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(field), &num)) {
    return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": ent_num (column 1) is not a number"));
  }
  return num;
}

struct OfacFiles {
  std::string sdn;
  std::string alt;  // empty when absent
  std::string add;
};

OfacFiles FindOfacFiles(const std::string& path) {
  OfacFiles f;
  fs::path p(path);
  std::error_code ec;
  if (fs::is_directory(p, ec)) p /= "sdn.csv";
  f.sdn = p.string();
  const fs::path dir = p.parent_path();
  if (fs::exists(dir / "alt.csv", ec)) f.alt = (dir / "alt.csv").string();
  if (fs::exists(dir / "add.csv", ec)) f.add = (dir / "add.csv").string();
  return f;
}

absl::Status ParseOfacSdn(absl::string_view text, const std::string& file, Watchlist& list,
                          absl::flat_hash_map<int64_t, size_t>& by_num) {
  CsvReader reader(text, file);
  std::vector<std::string> f;
  while (reader.Next(f)) {
    if (f.size() != 12) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(),
                       ": expected 12 columns (ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,"
                       "Tonnage,GRT,Vess_flag,Vess_owner,Remarks), got ",
                       f.size()));
    }
    ASSIGN_OR_RETURN(const int64_t num, EntNum(reader, f[0]));
    const std::string name = CleanOfacField(f[1]);
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": SDN_Name is empty"));
    if (by_num.contains(num)) {
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": its ent_num appears on an earlier line too"));
    }
    ListEntry e;
    e.id = absl::StrCat("OFAC-", num);
    e.kind = OfacKind(CleanOfacField(f[2]));
    AddName(e, name, false, false);
    const std::string programs = CleanOfacField(f[3]);
    for (absl::string_view p : absl::StrSplit(programs, "] [", absl::SkipEmpty())) {
      p = absl::StripAsciiWhitespace(absl::StripSuffix(absl::StripPrefix(p, "["), "]"));
      if (!p.empty()) e.programs.emplace_back(p);
    }
    const std::string remarks = CleanOfacField(f[11]);
    for (absl::string_view piece : absl::StrSplit(remarks, ';', absl::SkipEmpty())) ParseOfacPiece(piece, e);
    by_num[num] = list.entries.size();
    list.entries.push_back(std::move(e));
  }
  RETURN_IF_ERROR(reader.status());
  if (list.entries.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": no entries"));
  return absl::OkStatus();
}

absl::Status ParseOfacAlt(absl::string_view text, const std::string& file, Watchlist& list,
                          const absl::flat_hash_map<int64_t, size_t>& by_num) {
  CsvReader reader(text, file);
  std::vector<std::string> f;
  while (reader.Next(f)) {
    if (f.size() != 5) {
      return absl::InvalidArgumentError(absl::StrCat(
          reader.Where(), ": expected 5 columns (ent_num,alt_num,alt_type,alt_name,alt_remarks), got ", f.size()));
    }
    ASSIGN_OR_RETURN(const int64_t num, EntNum(reader, f[0]));
    auto it = by_num.find(num);
    if (it == by_num.end()) {
      Skip(list, absl::StrCat(reader.Where(), ": an alias whose ent_num sdn.csv does not list"));
      continue;
    }
    const std::string type = absl::AsciiStrToLower(CleanOfacField(f[2]));
    const std::string remarks = absl::AsciiStrToLower(CleanOfacField(f[4]));
    // OFAC marks low-quality aliases as "weak" (and the CSV's remarks say so).
    const bool weak = type == "wka" || absl::StrContains(remarks, "weak");
    AddName(list.entries[it->second], CleanOfacField(f[3]), true, weak);
  }
  return reader.status();
}

absl::Status ParseOfacAdd(absl::string_view text, const std::string& file, Watchlist& list,
                          const absl::flat_hash_map<int64_t, size_t>& by_num) {
  CsvReader reader(text, file);
  std::vector<std::string> f;
  while (reader.Next(f)) {
    if (f.size() != 6) {
      return absl::InvalidArgumentError(absl::StrCat(
          reader.Where(), ": expected 6 columns (ent_num,add_num,address,city_state_postal,country,add_remarks), got ",
          f.size()));
    }
    ASSIGN_OR_RETURN(const int64_t num, EntNum(reader, f[0]));
    auto it = by_num.find(num);
    if (it == by_num.end()) {
      Skip(list, absl::StrCat(reader.Where(), ": an address whose ent_num sdn.csv does not list"));
      continue;
    }
    ListEntry& e = list.entries[it->second];
    std::vector<std::string> parts;
    for (int i : {2, 3, 4}) {
      std::string p = CleanOfacField(f[i]);
      if (!p.empty()) parts.push_back(std::move(p));
    }
    if (!parts.empty()) e.addresses.push_back(absl::StrJoin(parts, ", "));
    AddUnique(e.countries, CountryCode(CleanOfacField(f[4])));
  }
  return reader.status();
}

// ---------------------------------------------------------------- UN XML

class UnParser {
 public:
  UnParser(const std::string& file, Watchlist& list) : file_(file), list_(list) {}

  absl::Status Parse(absl::string_view text) {
    std::unique_ptr<XML_ParserStruct, void (*)(XML_Parser)> p(XML_ParserCreate("UTF-8"), XML_ParserFree);
    if (p == nullptr) return absl::ResourceExhaustedError("cannot create an XML parser");
    parser_ = p.get();
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &UnParser::Start, &UnParser::End);
    XML_SetCharacterDataHandler(parser_, &UnParser::Chars);
    // Feed in chunks so that int lengths never overflow.
    constexpr size_t kChunk = 1 << 20;
    size_t pos = 0;
    do {
      const size_t n = std::min(kChunk, text.size() - pos);
      const bool last = pos + n >= text.size();
      if (XML_Parse(parser_, text.data() + pos, int(n), last) == XML_STATUS_ERROR) {
        if (!error_.ok()) return error_;
        return absl::InvalidArgumentError(absl::StrCat(file_, ":", XML_GetCurrentLineNumber(parser_), ":",
                                                       XML_GetCurrentColumnNumber(parser_) + 1,
                                                       ": XML error: ", XML_ErrorString(XML_GetErrorCode(parser_))));
      }
      pos += n;
    } while (pos < text.size());
    if (!saw_root_) {
      return absl::InvalidArgumentError(absl::StrCat(file_, ": not a UN consolidated list (no CONSOLIDATED_LIST)"));
    }
    if (list_.entries.empty()) return absl::InvalidArgumentError(absl::StrCat(file_, ": no entries"));
    return absl::OkStatus();
  }

  std::string generated() const { return generated_; }

 private:
  static void Start(void* self, const XML_Char* name, const XML_Char** attrs) {
    static_cast<UnParser*>(self)->OnStart(name, attrs);
  }
  static void End(void* self, const XML_Char* name) { static_cast<UnParser*>(self)->OnEnd(name); }
  static void Chars(void* self, const XML_Char* s, int len) { static_cast<UnParser*>(self)->text_.append(s, len); }

  void Fail(absl::string_view message) {
    if (!error_.ok()) return;
    error_ = absl::InvalidArgumentError(absl::StrCat(file_, ":", XML_GetCurrentLineNumber(parser_), ":",
                                                     XML_GetCurrentColumnNumber(parser_) + 1, ": ", message));
    XML_StopParser(parser_, XML_FALSE);
  }

  void OnStart(const XML_Char* name, const XML_Char** attrs) {
    const absl::string_view n(name);
    text_.clear();
    if (stack_.empty()) {
      if (n != "CONSOLIDATED_LIST") return Fail("the root element is not <CONSOLIDATED_LIST>");
      saw_root_ = true;
      for (int i = 0; attrs[i] != nullptr; i += 2) {
        if (absl::string_view(attrs[i]) == "dateGenerated") generated_ = std::string(attrs[i + 1]).substr(0, 10);
      }
    }
    if (n == "INDIVIDUAL" || n == "ENTITY") {
      entry_ = ListEntry();
      entry_.kind = n == "INDIVIDUAL" ? EntryKind::kPerson : EntryKind::kEntity;
      name_parts_.clear();
      entry_line_ = int(XML_GetCurrentLineNumber(parser_));
      in_entry_ = true;
    } else if (n == "INDIVIDUAL_ALIAS" || n == "ENTITY_ALIAS") {
      alias_quality_.clear();
      alias_name_.clear();
    } else if (n == "INDIVIDUAL_DATE_OF_BIRTH") {
      dob_ = DateOfBirth();
      dob_type_.clear();
    } else if (n == "INDIVIDUAL_DOCUMENT") {
      doc_ = IdDocument();
    }
    stack_.emplace_back(n);
  }

  absl::string_view Parent() const {
    return stack_.size() >= 2 ? absl::string_view(stack_[stack_.size() - 2]) : absl::string_view();
  }

  void OnEnd(const XML_Char* name) {
    const absl::string_view n(name);
    const std::string value(absl::StripAsciiWhitespace(text_));
    text_.clear();
    const absl::string_view parent = Parent();
    if (in_entry_) {
      if (n == "DATAID" && (parent == "INDIVIDUAL" || parent == "ENTITY")) {
        dataid_ = value;
      } else if ((n == "FIRST_NAME" || n == "SECOND_NAME" || n == "THIRD_NAME" || n == "FOURTH_NAME") &&
                 (parent == "INDIVIDUAL" || parent == "ENTITY")) {
        if (!value.empty()) name_parts_.push_back(value);
      } else if (n == "REFERENCE_NUMBER") {
        reference_ = value;
      } else if (n == "UN_LIST_TYPE") {
        if (!value.empty()) entry_.programs.push_back(value);
      } else if (n == "LISTED_ON") {
        entry_.listed_on = value;
      } else if (n == "NAME_ORIGINAL_SCRIPT") {
        if (!value.empty()) original_.push_back(value);
      } else if (n == "VALUE" && parent == "NATIONALITY") {
        AddUnique(entry_.nationalities, CountryCode(value));
      } else if (n == "QUALITY") {
        alias_quality_ = value;
      } else if (n == "ALIAS_NAME") {
        alias_name_ = value;
      } else if (n == "INDIVIDUAL_ALIAS" || n == "ENTITY_ALIAS") {
        if (!alias_name_.empty()) aliases_.push_back({alias_name_, absl::EqualsIgnoreCase(alias_quality_, "low")});
      } else if (n == "TYPE_OF_DATE") {
        dob_type_ = value;
      } else if (parent == "INDIVIDUAL_DATE_OF_BIRTH") {
        if (n == "DATE") {
          ParseOneDate(value, dob_);
        } else if (n == "YEAR" || n == "FROM_YEAR") {
          ParseYear(value, dob_.year);
        } else if (n == "TO_YEAR") {
          ParseYear(value, dob_.year_to);
        }
      } else if (n == "INDIVIDUAL_DATE_OF_BIRTH") {
        dob_.approximate = dob_type_ == "APPROXIMATELY";
        if (dob_.year > 0) entry_.dobs.push_back(dob_);
      } else if (parent == "INDIVIDUAL_DOCUMENT") {
        if (n == "TYPE_OF_DOCUMENT") {
          doc_.type = value;
        } else if (n == "NUMBER") {
          doc_.number = value;
        } else if (n == "ISSUING_COUNTRY" || n == "COUNTRY_OF_ISSUE") {
          if (doc_.country.empty()) {
            const std::string code = CountryCode(value);
            doc_.country = code.empty() ? value : code;
          }
        }
      } else if (n == "INDIVIDUAL_DOCUMENT") {
        if (!doc_.Key().empty()) entry_.documents.push_back(doc_);
      } else if (n == "COUNTRY" && (parent == "INDIVIDUAL_ADDRESS" || parent == "ENTITY_ADDRESS")) {
        AddUnique(entry_.countries, CountryCode(value));
      } else if (n == "INDIVIDUAL" || n == "ENTITY") {
        FinishEntry();
      }
    }
    if (!stack_.empty()) stack_.pop_back();
  }

  void FinishEntry() {
    in_entry_ = false;
    if (name_parts_.empty()) {
      return Fail(absl::StrCat("entry starting at line ", entry_line_, " has no FIRST_NAME"));
    }
    if (reference_.empty() && dataid_.empty()) {
      return Fail(absl::StrCat("entry starting at line ", entry_line_, " has neither REFERENCE_NUMBER nor DATAID"));
    }
    entry_.id = absl::StrCat("UN-", reference_.empty() ? dataid_ : reference_);
    AddName(entry_, absl::StrJoin(name_parts_, " "), false, false);
    for (const auto& [a, weak] : aliases_) AddName(entry_, a, true, weak);
    for (const auto& o : original_) AddName(entry_, o, true, false, /*original_script=*/true);
    list_.entries.push_back(std::move(entry_));
    aliases_.clear();
    original_.clear();
    reference_.clear();
    dataid_.clear();
  }

  const std::string& file_;
  Watchlist& list_;
  XML_Parser parser_ = nullptr;
  absl::Status error_;
  bool saw_root_ = false;
  std::string generated_;
  std::vector<std::string> stack_;
  std::string text_;
  bool in_entry_ = false;
  int entry_line_ = 0;
  ListEntry entry_;
  std::vector<std::string> name_parts_;
  std::vector<std::pair<std::string, bool>> aliases_;
  std::vector<std::string> original_;
  std::string reference_, dataid_;
  std::string alias_quality_, alias_name_;
  DateOfBirth dob_;
  std::string dob_type_;
  IdDocument doc_;
};

// ---------------------------------------------------------------- CSV

absl::StatusOr<int> ColumnIndex(const std::string& spec, const std::vector<std::string>& header, bool has_header,
                                const std::string& file, absl::string_view field) {
  int n;
  if (absl::SimpleAtoi(spec, &n)) {
    if (n < 1) return absl::InvalidArgumentError(absl::StrCat(file, ": column for ", field, " must be >= 1"));
    return n - 1;
  }
  if (!has_header) {
    return absl::InvalidArgumentError(
        absl::StrCat(file, ": the mapping names column '", spec, "' for ", field, " but the file has no header"));
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(header[i]), spec)) return int(i);
  }
  return absl::InvalidArgumentError(
      absl::StrCat(file, ":1: no column '", spec, "' (for ", field, ") in the header (", header.size(), " columns)"));
}

absl::Status ParseGenericCsv(absl::string_view text, const std::string& file, const CsvListMapping& m,
                             Watchlist& list) {
  CsvReader reader(text, file, m.delimiter);
  std::vector<std::string> header, f;
  if (m.header) {
    if (!reader.Next(header)) {
      RETURN_IF_ERROR(reader.status());
      return absl::InvalidArgumentError(absl::StrCat(file, ": empty file"));
    }
  }
  struct Col {
    const std::string* spec;
    absl::string_view field;
    int index = -1;
  };
  Col cols[] = {{&m.id, "id"},           {&m.name, "name"},         {&m.aliases, "aliases"},
                {&m.kind, "kind"},       {&m.dob, "dob"},           {&m.nationality, "nationality"},
                {&m.country, "country"}, {&m.document, "document"}, {&m.document_type, "document_type"},
                {&m.program, "program"}};
  int max_index = 0;
  for (Col& c : cols) {
    if (c.spec->empty()) continue;
    ASSIGN_OR_RETURN(c.index, ColumnIndex(*c.spec, header, m.header, file, c.field));
    max_index = std::max(max_index, c.index);
  }
  auto get = [&](int which) -> std::string {
    const int i = cols[which].index;
    return i < 0 ? std::string() : std::string(absl::StripAsciiWhitespace(f[size_t(i)]));
  };
  absl::flat_hash_map<std::string, int> seen_ids;
  while (reader.Next(f)) {
    if (int(f.size()) <= max_index) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": ", f.size(), " columns, the mapping needs ", max_index + 1));
    }
    if (m.header && f.size() != header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": ", f.size(), " columns, the header has ", header.size()));
    }
    ListEntry e;
    e.id = get(0);
    if (e.id.empty()) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": empty id"));
    if (auto [it, fresh] = seen_ids.emplace(e.id, reader.line()); !fresh) {
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": its id is already used on line ", it->second));
    }
    const std::string name = get(1);
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": empty name"));
    AddName(e, name, false, false);
    for (absl::string_view a : absl::StrSplit(get(2), m.alias_separator, absl::SkipEmpty())) AddName(e, a, true, false);
    e.kind = m.default_kind;
    const std::string kind = absl::AsciiStrToLower(get(3));
    if (kind == "person" || kind == "individual" || kind == "natural" || kind == "pn") {
      e.kind = EntryKind::kPerson;
    } else if (kind == "entity" || kind == "company" || kind == "juridica" || kind == "pj") {
      e.kind = EntryKind::kEntity;
    } else if (!kind.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": kind is not person/individual/natural or entity/company/juridica"));
    }
    if (const std::string dob = get(4); !dob.empty()) {
      DateOfBirth d;
      if (!ParseDateOfBirth(dob, d)) {
        return absl::InvalidArgumentError(
            absl::StrCat(reader.Where(), ": date of birth is not YYYY, YYYY-MM or YYYY-MM-DD"));
      }
      e.dobs.push_back(d);
    }
    AddUnique(e.nationalities, CountryCode(get(5)));
    AddUnique(e.countries, CountryCode(get(6)));
    if (const std::string number = get(7); !number.empty()) {
      IdDocument doc;
      doc.number = number;
      doc.type = cols[8].index >= 0 ? get(8) : m.document_type_value;
      e.documents.push_back(std::move(doc));
    }
    if (const std::string program = get(9); !program.empty()) e.programs.push_back(program);
    list.entries.push_back(std::move(e));
  }
  RETURN_IF_ERROR(reader.status());
  if (list.entries.empty()) return absl::InvalidArgumentError(absl::StrCat(file, ": no entries"));
  return absl::OkStatus();
}

void FillCounts(Watchlist& list) {
  list.meta.entries = int64_t(list.entries.size());
  for (const ListEntry& e : list.entries) {
    list.meta.names += int64_t(e.names.size());
    for (const EntryName& n : e.names) {
      list.meta.aliases += n.alias;
      list.meta.weak_aliases += n.weak;
    }
  }
}

absl::StatusOr<Watchlist> Parse(const ListSpec& spec, absl::string_view text, const std::string& file,
                                const OfacFiles* ofac, const ListFileRules& rules) {
  const absl::Time start = absl::Now();
  Watchlist list;
  list.meta.name = spec.name;
  list.meta.format = std::string(ListFormatName(spec.format));
  list.meta.category = spec.category;
  list.meta.files.push_back(file);
  std::string hashed(text);
  switch (spec.format) {
    case ListFormat::kOfac: {
      list.meta.source = "OFAC SDN";
      absl::flat_hash_map<int64_t, size_t> by_num;
      RETURN_IF_ERROR(ParseOfacSdn(text, file, list, by_num));
      if (ofac != nullptr && !ofac->alt.empty()) {
        ASSIGN_OR_RETURN(const std::string alt, ReadListFile(ofac->alt, "OFAC alias file", rules));
        RETURN_IF_ERROR(ParseOfacAlt(alt, ofac->alt, list, by_num));
        list.meta.files.push_back(ofac->alt);
        hashed += alt;
      }
      if (ofac != nullptr && !ofac->add.empty()) {
        ASSIGN_OR_RETURN(const std::string add, ReadListFile(ofac->add, "OFAC address file", rules));
        RETURN_IF_ERROR(ParseOfacAdd(add, ofac->add, list, by_num));
        list.meta.files.push_back(ofac->add);
        hashed += add;
      }
      break;
    }
    case ListFormat::kUn: {
      list.meta.source = "UN Security Council consolidated list";
      UnParser parser(file, list);
      RETURN_IF_ERROR(parser.Parse(text));
      list.meta.published = parser.generated();
      break;
    }
    case ListFormat::kCsv: {
      list.meta.source = spec.mapping.source.empty() ? "CSV list" : spec.mapping.source;
      RETURN_IF_ERROR(ParseGenericCsv(text, file, spec.mapping, list));
      break;
    }
  }
  list.meta.version = StableHashHex128(hashed).substr(0, 16);
  FillCounts(list);
  list.meta.loaded_at_micros = absl::ToUnixMicros(absl::Now());
  list.meta.load_micros = absl::ToInt64Microseconds(absl::Now() - start);
  return list;
}

absl::Status CheckName(const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError("list name is empty");
  for (char c : name) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) || absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      return absl::InvalidArgumentError(absl::StrCat("list name '", name, "' must be lower-case letters, digits, _"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

ListSpec MakeListSpec(std::string name, ListFormat format, std::string path, ListCategory category) {
  ListSpec s;
  s.name = std::move(name);
  s.format = format;
  s.path = std::move(path);
  s.category = category;
  return s;
}

std::vector<ListSpec> OfacAndUnSpecs(const std::string& lists_dir) {
  return {MakeListSpec("ofac", ListFormat::kOfac, (fs::path(lists_dir) / "ofac_sdn_2024-05.csv").string()),
          MakeListSpec("un", ListFormat::kUn, (fs::path(lists_dir) / "un_consolidated_2026-02.xml").string())};
}

absl::StatusOr<ListCategory> ParseListCategory(absl::string_view text) {
  if (text == "sanctions") return ListCategory::kSanctions;
  if (text == "pep") return ListCategory::kPep;
  if (text == "other") return ListCategory::kOther;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown list category '", text, "' (expected sanctions, pep or other)"));
}

absl::StatusOr<ListSpec> ParseListSpec(const YAML::Node& node, const std::string& source, const std::string& base_dir) {
  if (!node.IsMap()) return YamlError(source, node, "a list must be a mapping {name, format, path, category}");
  RETURN_IF_ERROR(CheckYamlKeys(source, node, {"name", "format", "path", "category", "mapping"}, "screening list"));
  ListSpec spec;
  auto scalar = [&](const char* key, std::string& out) -> absl::Status {
    const YAML::Node n = node[key];
    if (!n) return YamlError(source, node, absl::StrCat("screening list: missing required field '", key, "'"));
    if (!n.IsScalar()) return YamlError(source, n, absl::StrCat("screening list: ", key, " must be a string"));
    out = n.Scalar();
    return absl::OkStatus();
  };
  std::string format, category = "sanctions";
  RETURN_IF_ERROR(scalar("name", spec.name));
  if (absl::Status s = CheckName(spec.name); !s.ok()) return YamlError(source, node["name"], s.message());
  RETURN_IF_ERROR(scalar("format", format));
  RETURN_IF_ERROR(scalar("path", spec.path));
  if (node["category"]) RETURN_IF_ERROR(scalar("category", category));
  auto f = ParseListFormat(format);
  if (!f.ok()) return YamlError(source, node["format"], f.status().message());
  spec.format = *f;
  auto c = ParseListCategory(category);
  if (!c.ok()) return YamlError(source, node["category"], c.status().message());
  spec.category = *c;
  auto resolve = [&](std::string p) {
    if (!p.empty() && fs::path(p).is_relative()) p = (fs::path(base_dir) / p).lexically_normal().string();
    return p;
  };
  spec.path = resolve(spec.path);
  const YAML::Node m = node["mapping"];
  if (spec.format == ListFormat::kCsv) {
    if (!m) return YamlError(source, node, "screening list: format csv needs a 'mapping' (a file or {columns: ...})");
    if (m.IsScalar()) {
      const std::string mapping_path = resolve(m.Scalar());
      ASSIGN_OR_RETURN(const std::string text, ReadFile(mapping_path, "CSV list mapping"));
      ASSIGN_OR_RETURN(const YAML::Node doc, LoadYaml(text, mapping_path));
      ASSIGN_OR_RETURN(spec.mapping, ParseCsvListMapping(doc, mapping_path));
    } else {
      ASSIGN_OR_RETURN(spec.mapping, ParseCsvListMapping(m, source));
    }
  } else if (m) {
    return YamlError(source, m, "screening list: 'mapping' is only for format csv");
  }
  return spec;
}

absl::StatusOr<ListFormat> ParseListFormat(absl::string_view text) {
  if (text == "ofac") return ListFormat::kOfac;
  if (text == "un") return ListFormat::kUn;
  if (text == "csv") return ListFormat::kCsv;
  return absl::InvalidArgumentError(absl::StrCat("unknown list format '", text, "' (expected ofac, un or csv)"));
}

absl::string_view ListFormatName(ListFormat f) {
  switch (f) {
    case ListFormat::kOfac:
      return "ofac";
    case ListFormat::kUn:
      return "un";
    case ListFormat::kCsv:
      break;
  }
  return "csv";
}

bool ParseDateOfBirth(absl::string_view text, DateOfBirth& dob) {
  dob = DateOfBirth();
  text = absl::StripAsciiWhitespace(text);
  if (absl::ConsumePrefix(&text, "circa ") || absl::ConsumePrefix(&text, "Circa ")) dob.approximate = true;
  const size_t to = text.find(" to ");
  if (to != absl::string_view::npos) {
    DateOfBirth end;
    if (!ParseOneDate(text.substr(0, to), dob) || !ParseOneDate(text.substr(to + 4), end)) return false;
    dob.year_to = end.year;
    if (dob.year_to <= dob.year) dob.year_to = 0;
    if (end.year != dob.year) dob.month = dob.day = 0;
    return true;
  }
  return ParseOneDate(text, dob);
}

void ParseOfacRemarks(absl::string_view remarks, ListEntry& entry) {
  for (absl::string_view piece : absl::StrSplit(remarks, ';', absl::SkipEmpty())) ParseOfacPiece(piece, entry);
}

absl::StatusOr<CsvListMapping> ParseCsvListMapping(const YAML::Node& node, const std::string& source) {
  CsvListMapping m;
  if (!node.IsMap()) return YamlError(source, node, "a CSV list mapping must be a mapping");
  RETURN_IF_ERROR(CheckYamlKeys(
      source, node, {"header", "delimiter", "source", "columns", "kind", "alias_separator", "document_type"},
      "CSV list mapping"));
  try {
    if (node["header"]) m.header = node["header"].as<bool>();
    if (node["delimiter"]) {
      const std::string d = node["delimiter"].as<std::string>();
      if (d.size() != 1) return YamlError(source, node["delimiter"], "delimiter must be one character");
      m.delimiter = d[0];
    }
    if (node["source"]) m.source = node["source"].as<std::string>();
    if (node["alias_separator"]) m.alias_separator = node["alias_separator"].as<std::string>();
    if (node["document_type"]) m.document_type_value = node["document_type"].as<std::string>();
    if (node["kind"]) {
      const std::string k = node["kind"].as<std::string>();
      if (k == "person") {
        m.default_kind = EntryKind::kPerson;
      } else if (k == "entity") {
        m.default_kind = EntryKind::kEntity;
      } else {
        return YamlError(source, node["kind"], "kind must be person or entity");
      }
    }
    const YAML::Node cols = node["columns"];
    if (!cols || !cols.IsMap()) return YamlError(source, node, "missing 'columns' mapping (id and name at least)");
    RETURN_IF_ERROR(CheckYamlKeys(
        source, cols,
        {"id", "name", "aliases", "kind", "dob", "nationality", "country", "document", "document_type", "program"},
        "columns"));
    auto col = [&](const char* key, std::string& out) {
      if (cols[key]) out = cols[key].as<std::string>();
    };
    col("id", m.id);
    col("name", m.name);
    col("aliases", m.aliases);
    col("kind", m.kind);
    col("dob", m.dob);
    col("nationality", m.nationality);
    col("country", m.country);
    col("document", m.document);
    col("document_type", m.document_type);
    col("program", m.program);
    if (m.id.empty() || m.name.empty()) return YamlError(source, cols, "columns must name at least id and name");
  } catch (const YAML::Exception& e) {
    return YamlError(source, node, e.what());
  }
  return m;
}

absl::StatusOr<Watchlist> LoadListFromText(const ListSpec& spec, absl::string_view text, const std::string& file) {
  RETURN_IF_ERROR(CheckName(spec.name));
  return Parse(spec, text, file, nullptr, ListFileRules{});
}

std::vector<std::string> DirectoriesOf(const std::vector<ListSpec>& specs) {
  std::vector<std::string> out;
  for (const ListSpec& l : specs) {
    std::error_code ec;
    const fs::path p(l.path);
    const std::string dir = fs::is_directory(p, ec) ? p.string() : p.parent_path().string();
    if (!dir.empty() && std::find(out.begin(), out.end(), dir) == out.end()) out.push_back(dir);
  }
  return out;
}

absl::StatusOr<Watchlist> LoadList(const ListSpec& spec, const ListFileRules& rules) {
  RETURN_IF_ERROR(CheckName(spec.name));
  if (spec.format == ListFormat::kOfac) {
    const OfacFiles files = FindOfacFiles(spec.path);
    ASSIGN_OR_RETURN(const std::string text, ReadListFile(files.sdn, "OFAC SDN file", rules));
    return Parse(spec, text, files.sdn, &files, rules);
  }
  ASSIGN_OR_RETURN(const std::string text, ReadListFile(spec.path, "list file", rules));
  return Parse(spec, text, spec.path, nullptr, rules);
}

}  // namespace centinela::screening
