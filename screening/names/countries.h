// Country names as written in sanctions lists ("Iran (Islamic Republic of)",
// "Democratic People's Republic of Korea", "Peruvian") to ISO 3166-1
// alpha-2 codes, so that a listed nationality can be compared with a
// party's country. Built once from ICU's English country names plus the
// spellings the UN and OFAC lists use. Thread-safe.
#ifndef CENTINELA_SCREENING_NAMES_COUNTRIES_H_
#define CENTINELA_SCREENING_NAMES_COUNTRIES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace centinela::screening {

// ISO alpha-2 code ("PE") for a country name, adjective or code; empty when
// unknown.
std::string CountryCode(absl::string_view name);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_COUNTRIES_H_
