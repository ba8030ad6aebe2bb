// Check digits of Peruvian identity documents (DNI, RUC). Pure functions.
#ifndef CENTINELA_ENGINE_VALIDATE_PERU_IDS_H_
#define CENTINELA_ENGINE_VALIDATE_PERU_IDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace centinela {

// DNI: 8 digits, optionally followed by its check character (numeric series
// "65432110987" or letter series "KJIHGFEDCBA"). OK or an error saying why.
absl::Status ValidateDni(absl::string_view dni);

// The check character of an 8-digit DNI in the numeric series.
char DniCheckDigit(absl::string_view eight_digits);

// RUC: 11 digits, prefix 10, 15, 17 or 20, modulo-11 check digit.
absl::Status ValidateRuc(absl::string_view ruc);

// The check digit for the first 10 digits of a RUC.
int RucCheckDigit(absl::string_view ten_digits);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_VALIDATE_PERU_IDS_H_
