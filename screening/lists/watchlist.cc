#include "screening/lists/watchlist.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"

namespace centinela::screening {

absl::string_view EntryKindName(EntryKind k) {
  switch (k) {
    case EntryKind::kPerson:
      return "person";
    case EntryKind::kEntity:
      return "entity";
    case EntryKind::kVessel:
      return "vessel";
    case EntryKind::kAircraft:
      return "aircraft";
    case EntryKind::kUnknown:
      break;
  }
  return "unknown";
}

absl::string_view ListCategoryName(ListCategory c) {
  switch (c) {
    case ListCategory::kSanctions:
      return "sanctions";
    case ListCategory::kPep:
      return "pep";
    case ListCategory::kOther:
      break;
  }
  return "other";
}

std::string DateOfBirth::ToString() const {
  std::string out = approximate ? "circa " : "";
  if (day > 0 && month > 0) {
    absl::StrAppendFormat(&out, "%04d-%02d-%02d", year, month, day);
  } else if (month > 0) {
    absl::StrAppendFormat(&out, "%04d-%02d", year, month);
  } else {
    absl::StrAppendFormat(&out, "%04d", year);
  }
  if (year_to > year) absl::StrAppendFormat(&out, " to %04d", year_to);
  return out;
}

std::string IdDocument::Key() const {
  std::string k;
  for (char c : number) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) k += absl::ascii_toupper(static_cast<unsigned char>(c));
  }
  return k;
}

const std::string& ListEntry::primary_name() const {
  static const std::string* empty = new std::string();
  return names.empty() ? *empty : names.front().text;
}

}  // namespace centinela::screening
