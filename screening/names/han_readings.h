// Other readings of Han ideographs in a name. ICU reads Han as Mandarin
// pinyin (金正恩 -> "jin zheng en"), but the same characters are read
// differently in Japanese and Korean names:
//   Japanese: KAKASI's dictionary (Debian libkakasi2)   山田太郎 -> "yamada tarou"
//   Korean:   Unihan kHangul readings, romanised         金正恩 -> "kim jeong eun"
// The matcher compares every reading and keeps the best.
// Thread-safe (KAKASI, which keeps global state, runs under a mutex).
#ifndef CENTINELA_SCREENING_NAMES_HAN_READINGS_H_
#define CENTINELA_SCREENING_NAMES_HAN_READINGS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace centinela::screening {

// True when `utf8` holds a Han ideograph.
bool HasHan(absl::string_view utf8);

// The Japanese and Korean readings of `utf8` in lower-case ASCII (each
// present only when it could be made); empty without Han ideographs.
std::vector<std::string> HanReadings(absl::string_view utf8);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_NAMES_HAN_READINGS_H_
