// Loaders for the list formats Centinela reads, behind one entry point:
//
//   ofac  OFAC SDN CSV (sdn.csv, no header). alt.csv (aliases) and add.csv
//         (addresses) beside it are read when present; aliases, dates of
//         birth, nationalities and documents written in the Remarks column
//         ("a.k.a. 'BNC'; DOB 10 Dec 1948; Passport 1084010 (Egypt)") are
//         parsed too.
//   un    UN Security Council consolidated list XML: individuals and
//         entities, aliases with their quality, dates of birth,
//         nationalities, documents, names in original script.
//   csv   any CSV with a column mapping (PEP lists, national lists).
//
// Errors name the file and line ("sdn.csv:212: expected 12 columns ...",
// "un.xml:40:7: XML error: mismatched tag"); a list either loads whole or
// not at all. Stateless functions, thread-safe.
#ifndef CENTINELA_SCREENING_LISTS_LIST_LOADER_H_
#define CENTINELA_SCREENING_LISTS_LIST_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "screening/lists/list_file.h"
#include "screening/lists/watchlist.h"

namespace YAML {
class Node;
}

namespace centinela::screening {

enum class ListFormat { kOfac, kUn, kCsv };
absl::StatusOr<ListFormat> ParseListFormat(absl::string_view text);
absl::string_view ListFormatName(ListFormat f);

// How the columns of a generic CSV list become entries. A column is named by
// its header text (with `header: true`) or by its 1-based number.
struct CsvListMapping {
  bool header = true;
  char delimiter = ',';
  std::string source;   // label for metadata, e.g. "PEP Peru (JNE + Contraloria)"
  std::string id;       // required
  std::string name;     // required
  std::string aliases;  // optional; several separated by alias_separator
  std::string alias_separator = ";";
  std::string kind;  // optional column: person/entity (also "natural"/"juridica")
  EntryKind default_kind = EntryKind::kPerson;
  std::string dob;            // optional: YYYY, YYYY-MM or YYYY-MM-DD
  std::string nationality;    // optional: country name or code
  std::string country;        // optional
  std::string document;       // optional: document number
  std::string document_type;  // optional column, or a constant via document_type_value
  std::string document_type_value;
  std::string program;  // optional: program, or a PEP's position
};

// Parses a mapping from YAML (`source` names it in errors):
//   header: true
//   delimiter: ","
//   source: "PEP Peru"
//   columns: {id: dni, name: nombre, aliases: alias, dob: fecha_nacimiento,
//             nationality: nacionalidad, document: dni, program: cargo}
absl::StatusOr<CsvListMapping> ParseCsvListMapping(const YAML::Node& node, const std::string& source);

// What to load as one named list.
struct ListSpec {
  std::string name;  // how rules and the API call it: [a-z0-9_]+
  ListFormat format = ListFormat::kOfac;
  std::string path;  // the file (OFAC: sdn.csv or its directory)
  ListCategory category = ListCategory::kSanctions;
  CsvListMapping mapping;  // for kCsv
};

// A spec from its parts (csv lists also need a mapping).
ListSpec MakeListSpec(std::string name, ListFormat format, std::string path,
                      ListCategory category = ListCategory::kSanctions);

// The two public sanctions lists shipped with the test data, in `lists_dir`
// (../shared/data/lists): OFAC SDN 2024 ("ofac") and the UN consolidated
// list ("un"). For tests, benchmarks and `centinela lists evaluate`.
std::vector<ListSpec> OfacAndUnSpecs(const std::string& lists_dir);

// The directories the files of `specs` are in (an OFAC spec may name its
// directory), each once: where reloads may read from unless configured.
std::vector<std::string> DirectoriesOf(const std::vector<ListSpec>& specs);

// Parses one configured list:
//   {name: un, format: un, path: FILE, category: sanctions,
//    mapping: FILE.yaml | {columns: ...}}     # mapping for format csv only
// Relative paths resolve against `base_dir`.
absl::StatusOr<ListSpec> ParseListSpec(const YAML::Node& node, const std::string& source, const std::string& base_dir);
absl::StatusOr<ListCategory> ParseListCategory(absl::string_view text);

// Loads and checks the files of `spec`, each read under `rules` (regular
// files of bounded size; in rules.dirs when given). The metadata is filled
// in except the index-building part of load_micros (added by the matcher).
absl::StatusOr<Watchlist> LoadList(const ListSpec& spec, const ListFileRules& rules = {});

// The same from bytes already read (the API receives uploads); `file` names
// the text in errors. For OFAC, only the sdn.csv content is given.
absl::StatusOr<Watchlist> LoadListFromText(const ListSpec& spec, absl::string_view text, const std::string& file);

// Parses OFAC remarks into `entry`: aliases, dates of birth, nationalities,
// citizenship, documents. Exposed for tests.
void ParseOfacRemarks(absl::string_view remarks, ListEntry& entry);

// Parses "10 Dec 1948", "Dec 1948", "1948", "circa 1950", "1960 to 1962",
// "1971-07-10". Returns false when the text is not a date.
bool ParseDateOfBirth(absl::string_view text, DateOfBirth& dob);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_LISTS_LIST_LOADER_H_
