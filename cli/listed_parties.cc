#include "cli/listed_parties.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/yaml_util.h"
#include "screening/lists/csv_reader.h"

namespace centinela::cli {

absl::StatusOr<std::vector<gen::ListedParty>> LoadListedParties(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string text, ReadFile(path, "listed parties"));
  screening::CsvReader reader(text, path);
  std::vector<std::string> f;
  const std::string header = "name,kind,country,document,list[,source]";
  if (!reader.Next(f) || f.size() < 5 || f[0] != "name" || f[1] != "kind" || f[2] != "country" || f[3] != "document" ||
      f[4] != "list") {
    RETURN_IF_ERROR(reader.status());
    return absl::InvalidArgumentError(absl::StrCat(path, ":1: expected the header ", header));
  }
  std::vector<gen::ListedParty> out;
  while (reader.Next(f)) {
    if (f.size() < 5) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": expected ", header));
    gen::ListedParty p;
    p.name = f[0];
    if (p.name.empty()) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": name is empty"));
    if (f[1] != "person" && f[1] != "company") {
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": kind '", f[1], "' is not person or company"));
    }
    p.company = f[1] == "company";
    p.country = f[2];
    if (!p.country.empty() &&
        (p.country.size() != 2 || !absl::ascii_isupper(p.country[0]) || !absl::ascii_isupper(p.country[1]))) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": country '", p.country, "' is not an ISO 3166 alpha-2 code"));
    }
    p.document = f[3];
    p.list = f[4];
    if (p.list != "sanctions" && p.list != "pep") {
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": list '", p.list, "' is not sanctions or pep"));
    }
    out.push_back(std::move(p));
  }
  RETURN_IF_ERROR(reader.status());
  return out;
}

}  // namespace centinela::cli
