#include "screening/names/transliterate.h"

#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <array>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"

namespace centinela::screening {
namespace {

// One ICU transliterator per thread: ICU does not promise that one instance
// may be used from several threads at once.
icu::Transliterator& AnyToAscii() {
  thread_local std::unique_ptr<icu::Transliterator> t = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> made(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
    if (U_FAILURE(status) || made == nullptr) {
      // ICU data missing: fall back to a transform that keeps the text, so
      // that names still compare by their Latin parts.
      status = U_ZERO_ERROR;
      made.reset(icu::Transliterator::createInstance("Any-Null", UTRANS_FORWARD, status));
    }
    return made;
  }();
  return *t;
}

std::string IcuToAscii(absl::string_view utf8) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), int32_t(utf8.size())));
  AnyToAscii().transliterate(u);
  std::string out;
  u.toUTF8String(out);
  return out;
}

// Code points whose ASCII form does not depend on their neighbours: Latin-1
// (accents, NBSP, guillemets), Latin Extended-A/B, Latin Extended
// Additional (Vietnamese) and General Punctuation (curly quotes, dashes;
// not the joiners and direction marks, which stay inside a run of their
// script for ICU).
// Each is folded through a table computed once with ICU, so that names
// written with them skip ICU's transliterator (tens of microseconds).
struct FoldRange {
  UChar32 first, last;
};
constexpr FoldRange kFoldRanges[] = {{0xA0, 0x24F}, {0x1E00, 0x1EFF}, {0x2010, 0x2027}, {0x2030, 0x205E}};

// The table of one range, indexed by code point - first.
const std::vector<std::string>& FoldTable(size_t range) {
  static const auto* tables = [] {
    auto* t = new std::vector<std::vector<std::string>>();
    for (const FoldRange& r : kFoldRanges) {
      std::vector<std::string>& table = t->emplace_back();
      for (UChar32 c = r.first; c <= r.last; ++c) {
        char buf[4];
        int32_t n = 0;
        U8_APPEND_UNSAFE(buf, n, c);
        table.push_back(IcuToAscii(absl::string_view(buf, size_t(n))));
      }
    }
    return t;
  }();
  return (*tables)[range];
}

// The ASCII form of `c` from the fold tables, or nullptr.
const std::string* Folded(UChar32 c) {
  for (size_t k = 0; k < std::size(kFoldRanges); ++k) {
    if (c >= kFoldRanges[k].first && c <= kFoldRanges[k].last) return &FoldTable(k)[size_t(c - kFoldRanges[k].first)];
  }
  return nullptr;
}

constexpr const char* kInitials[19] = {"g",  "kk", "n", "d",  "tt", "r", "m", "b", "pp", "s",
                                       "ss", "",   "j", "jj", "ch", "k", "t", "p", "h"};
constexpr const char* kMedials[21] = {"a",  "ae", "ya", "yae", "eo", "e",  "yeo", "ye", "o",  "wa", "wae",
                                      "oe", "yo", "u",  "wo",  "we", "wi", "yu",  "eu", "ui", "i"};
constexpr const char* kFinals[28] = {"",  "k", "k", "k", "n", "n", "n", "t",  "l", "k", "m", "p", "l", "l",
                                     "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"};

// Conventional spellings of common Korean surnames (the first syllable of a
// name written as one word), as used in passports and the press.
const absl::flat_hash_map<char32_t, const char*>& KoreanSurnames() {
  static const auto* m = new absl::flat_hash_map<char32_t, const char*>{
      {U'김', "kim"},   {U'이', "lee"},  {U'박', "park"}, {U'최', "choi"},  {U'정', "jung"},  {U'강', "kang"},
      {U'조', "cho"},   {U'윤', "yoon"}, {U'장', "jang"}, {U'임', "lim"},   {U'한', "han"},   {U'오', "oh"},
      {U'서', "seo"},   {U'신', "shin"}, {U'권', "kwon"}, {U'황', "hwang"}, {U'안', "ahn"},   {U'송', "song"},
      {U'류', "ryu"},   {U'유', "yoo"},  {U'홍', "hong"}, {U'전', "jeon"},  {U'고', "ko"},    {U'문', "moon"},
      {U'양', "yang"},  {U'손', "son"},  {U'배', "bae"},  {U'백', "baek"},  {U'허', "heo"},   {U'노', "noh"},
      {U'남', "nam"},   {U'심', "shim"}, {U'하', "ha"},   {U'곽', "kwak"},  {U'성', "sung"},  {U'차', "cha"},
      {U'주', "joo"},   {U'우', "woo"},  {U'구', "koo"},  {U'나', "na"},    {U'민', "min"},   {U'진', "jin"},
      {U'지', "ji"},    {U'엄', "eom"},  {U'채', "chae"}, {U'원', "won"},   {U'천', "cheon"}, {U'방', "bang"},
      {U'공', "kong"},  {U'현', "hyun"}, {U'함', "ham"},  {U'변', "byun"},  {U'염', "yeom"},  {U'여', "yeo"},
      {U'추', "choo"},  {U'도', "do"},   {U'소', "so"},   {U'석', "seok"},  {U'선', "sun"},   {U'설', "seol"},
      {U'마', "ma"},    {U'길', "gil"},  {U'연', "yeon"}, {U'표', "pyo"},   {U'명', "myung"}, {U'기', "ki"},
      {U'반', "ban"},   {U'왕', "wang"}, {U'금', "keum"}, {U'옥', "ok"},    {U'육', "yuk"},   {U'인', "in"},
      {U'맹', "maeng"}, {U'제', "je"},   {U'모', "mo"},   {U'탁', "tak"},   {U'국', "kook"},  {U'용', "yong"}};
  return *m;
}

bool IsHangulSyllable(UChar32 c) { return c >= 0xAC00 && c <= 0xD7A3; }

void RomaniseSyllable(UChar32 c, bool word_start, std::string& out) {
  if (word_start) {
    auto it = KoreanSurnames().find(char32_t(c));
    if (it != KoreanSurnames().end()) {
      out += it->second;
      return;
    }
  }
  const int code = c - 0xAC00;
  out += kInitials[code / 588];
  out += kMedials[(code % 588) / 28];
  out += kFinals[code % 28];
}

bool IsAbjad(UScriptCode s) {
  return s == USCRIPT_ARABIC || s == USCRIPT_HEBREW || s == USCRIPT_SYRIAC || s == USCRIPT_THAANA ||
         s == USCRIPT_THAI || s == USCRIPT_LAO;
}

}  // namespace

bool IsValidUtf8(absl::string_view s, size_t* error_offset) {
  int32_t i = 0;
  const int32_t n = int32_t(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  while (i < n) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      if (error_offset != nullptr) *error_offset = size_t(at);
      return false;
    }
  }
  return true;
}

Transliteration ToLatin(absl::string_view utf8) {
  Transliteration r;
  r.latin.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t n = int32_t(utf8.size());
  int32_t i = 0;
  bool prev_hangul = false;
  while (i < n) {
    if (p[i] < 0x80) {
      r.latin += char(absl::ascii_tolower(p[i]));
      ++i;
      prev_hangul = false;
      continue;
    }
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {
      r.latin += '?';
      prev_hangul = false;
      continue;
    }
    if (const std::string* folded = Folded(c); folded != nullptr) {
      r.latin += *folded;
      prev_hangul = false;
      continue;
    }
    if (IsHangulSyllable(c)) {
      if (r.script.empty()) r.script = "Hangul";
      if (prev_hangul) r.latin += ' ';
      RomaniseSyllable(c, !prev_hangul, r.latin);
      prev_hangul = true;
      continue;
    }
    prev_hangul = false;
    // A run of code points outside the fast paths goes through ICU at once,
    // so that context-dependent transforms (kana, Greek) see whole words.
    int32_t end = i;
    UErrorCode err = U_ZERO_ERROR;
    const UScriptCode script = uscript_getScript(c, &err);
    if (U_SUCCESS(err) && script != USCRIPT_COMMON && script != USCRIPT_INHERITED && script != USCRIPT_LATIN) {
      if (r.script.empty()) r.script = uscript_getName(script);
      if (IsAbjad(script)) r.abjad = true;
    }
    while (end < n) {
      if (p[end] < 0x80) {
        // Keep spaces inside the run so words stay apart.
        if (p[end] != ' ') break;
        ++end;
        continue;
      }
      int32_t next = end;
      UChar32 d;
      U8_NEXT(p, next, n, d);
      if (d < 0 || IsHangulSyllable(d) || Folded(d) != nullptr) break;
      UErrorCode e2 = U_ZERO_ERROR;
      const UScriptCode s2 = uscript_getScript(d, &e2);
      if (U_SUCCESS(e2) && IsAbjad(s2)) r.abjad = true;
      end = next;
    }
    r.latin += IcuToAscii(absl::string_view(utf8.data() + start, size_t(end - start)));
    i = end;
  }
  return r;
}

}  // namespace centinela::screening
