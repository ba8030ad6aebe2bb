#include "engine/validate/peru_ids.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace centinela {
namespace {

bool AllDigits(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int DniRemainder(absl::string_view d) {
  static constexpr int kWeights[8] = {3, 2, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  for (int i = 0; i < 8; ++i) sum += (d[i] - '0') * kWeights[i];
  return sum % 11;
}

}  // namespace

char DniCheckDigit(absl::string_view eight_digits) { return "65432110987"[DniRemainder(eight_digits)]; }

absl::Status ValidateDni(absl::string_view dni) {
  if (dni.size() != 8 && dni.size() != 9) {
    return absl::InvalidArgumentError(
        absl::StrCat("DNI \"", dni, "\" must have 8 digits (plus optional check character)"));
  }
  if (!AllDigits(dni.substr(0, 8))) {
    return absl::InvalidArgumentError(absl::StrCat("DNI \"", dni, "\" must be digits"));
  }
  if (dni.size() == 9) {
    const int c = DniRemainder(dni);
    const char got = absl::ascii_toupper(static_cast<unsigned char>(dni[8]));
    if (got != "65432110987"[c] && got != "KJIHGFEDCBA"[c]) {
      return absl::InvalidArgumentError(absl::StrCat("DNI \"", dni, "\" has an invalid check character"));
    }
  }
  return absl::OkStatus();
}

int RucCheckDigit(absl::string_view ten) {
  static constexpr int kWeights[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  for (int i = 0; i < 10; ++i) sum += (ten[i] - '0') * kWeights[i];
  return (11 - sum % 11) % 10;
}

absl::Status ValidateRuc(absl::string_view ruc) {
  if (ruc.size() != 11 || !AllDigits(ruc)) {
    return absl::InvalidArgumentError(absl::StrCat("RUC \"", ruc, "\" must have 11 digits"));
  }
  const absl::string_view prefix = ruc.substr(0, 2);
  if (prefix != "10" && prefix != "15" && prefix != "17" && prefix != "20") {
    return absl::InvalidArgumentError(
        absl::StrCat("RUC \"", ruc, "\" has an unknown prefix ", prefix, " (expected 10, 15, 17 or 20)"));
  }
  if (RucCheckDigit(ruc) != ruc[10] - '0') {
    return absl::InvalidArgumentError(absl::StrCat("RUC \"", ruc, "\" has an invalid check digit"));
  }
  return absl::OkStatus();
}

}  // namespace centinela
