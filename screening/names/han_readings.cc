#include "screening/names/han_readings.h"

#include <iconv.h>
#include <unicode/utf8.h>

extern "C" {
#include <libkakasi.h>
}

#include <algorithm>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "screening/names/transliterate.h"

namespace centinela::screening {
namespace {

struct HangulReading {
  UChar32 code;
  const char* readings;  // "금:0E 김:0N": Hangul reading, ':', sources; 'N' = used in personal names
};

// Generated at build time from Unihan (unihan_hangul.awk).
constexpr HangulReading kHangul[] = {
#include "screening/names/unihan_hangul.inc"
};

bool IsHan(UChar32 c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2FA1F) ||
         (c >= 0xF900 && c <= 0xFAFF);
}

// The Korean reading of one ideograph: for the first of a word, a reading
// marked as used in personal names (김 for 金, not 금) when there is one.
std::string KoreanReading(UChar32 c, bool word_start) {
  const HangulReading* end = kHangul + sizeof(kHangul) / sizeof(kHangul[0]);
  const HangulReading* it =
      std::lower_bound(kHangul, end, c, [](const HangulReading& r, UChar32 x) { return r.code < x; });
  if (it == end || it->code != c) return "";
  std::string first, name;
  for (absl::string_view r : absl::StrSplit(it->readings, ' ', absl::SkipEmpty())) {
    const size_t colon = r.find(':');
    const absl::string_view hangul = r.substr(0, colon);
    if (first.empty()) first = std::string(hangul);
    if (name.empty() && colon != absl::string_view::npos && absl::StrContains(r.substr(colon), "N")) {
      name = std::string(hangul);
    }
  }
  return word_start && !name.empty() ? name : first;
}

std::string Korean(absl::string_view utf8) {
  std::string hangul;
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = int32_t(utf8.size());
  int32_t i = 0;
  bool in_word = false;
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0 && IsHan(c)) {
      const std::string r = KoreanReading(c, !in_word);
      if (r.empty()) return "";
      hangul += r;
      in_word = true;
    } else {
      hangul.append(utf8.data() + start, size_t(i - start));
      in_word = false;
    }
  }
  return ToLatin(hangul).latin;
}

std::string Convert(iconv_t cd, absl::string_view in) {
  std::string out(in.size() * 4 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  if (iconv(cd, &src, &src_left, &dst, &dst_left) == size_t(-1)) return "";
  out.resize(out.size() - dst_left);
  return out;
}

std::string Japanese(absl::string_view utf8) {
  static std::mutex* mu = new std::mutex();
  static bool ready = false;
  static iconv_t to_euc = iconv_t(-1);
  std::lock_guard<std::mutex> lock(*mu);
  if (!ready) {
    const char* argv[] = {"kakasi", "-ieuc", "-oeuc", "-Ja", "-Ha", "-Ka", "-s"};
    if (kakasi_getopt_argv(7, const_cast<char**>(argv)) != 0) return "";
    to_euc = iconv_open("EUC-JP", "UTF-8");
    if (to_euc == iconv_t(-1)) return "";
    ready = true;
  }
  iconv(to_euc, nullptr, nullptr, nullptr, nullptr);
  std::string euc = Convert(to_euc, utf8);
  if (euc.empty()) return "";  // not representable in EUC-JP
  char* out = kakasi_do(euc.data());
  if (out == nullptr) return "";
  std::string latin(out);
  kakasi_free(out);
  // Readings are ASCII; anything else did not convert.
  for (char& ch : latin) {
    if (static_cast<unsigned char>(ch) >= 0x80) return "";
    ch = absl::ascii_tolower(static_cast<unsigned char>(ch));
  }
  return latin;
}

}  // namespace

bool HasHan(absl::string_view utf8) {
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = int32_t(utf8.size());
  int32_t i = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0 && IsHan(c)) return true;
  }
  return false;
}

std::vector<std::string> HanReadings(absl::string_view utf8) {
  std::vector<std::string> out;
  if (!HasHan(utf8) || !IsValidUtf8(utf8)) return out;
  if (std::string j = Japanese(utf8); !j.empty()) out.push_back(std::move(j));
  if (std::string k = Korean(utf8); !k.empty()) out.push_back(std::move(k));
  return out;
}

}  // namespace centinela::screening
