// Runtime values of the rule language. A Value never owns memory: strings
// point into the transaction being scored or into the compiled pack, so that
// evaluating a rule allocates nothing.
#ifndef CENTINELA_RULES_LANG_VALUE_H_
#define CENTINELA_RULES_LANG_VALUE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "base/money.h"

namespace centinela::rules {

// kTime: an instant (microseconds since the Unix epoch, UTC).
// kDuration: a span of time in microseconds (`24h`, `30d`).
enum class Type { kBool, kNumber, kMoney, kString, kEnum, kStringList, kTime, kDuration };

absl::string_view TypeName(Type t);

// `null` marks a missing value (absent field, no data): comparisons with null
// are false and arithmetic with null is null. Nothing missing is ever 0.
struct Value {
  bool null = false;
  bool b = false;
  double n = 0;
  Money m;
  absl::string_view s;
  int e = 0;      // enum number
  int64_t t = 0;  // time or duration, microseconds

  static Value Null() {
    Value v;
    v.null = true;
    return v;
  }
  static Value Bool(bool x) {
    Value v;
    v.b = x;
    return v;
  }
  static Value Number(double x) {
    Value v;
    v.n = x;
    return v;
  }
  static Value Of(Money x) {
    Value v;
    v.m = x;
    return v;
  }
  static Value String(absl::string_view x) {
    Value v;
    v.s = x;
    v.null = x.empty();
    return v;
  }
  static Value Enum(int x) {
    Value v;
    v.e = x;
    return v;
  }
  static Value Time(int64_t micros) {
    Value v;
    v.t = micros;
    return v;
  }
  static Value Duration(int64_t micros) {
    Value v;
    v.t = micros;
    return v;
  }
};

}  // namespace centinela::rules

#endif  // CENTINELA_RULES_LANG_VALUE_H_
