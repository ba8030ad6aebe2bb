// Fuzz target: the rule expression compiler. The first byte picks the type
// the expression must have; the rest is the expression, compiled against
// parameters, lists, aggregates and profiles of every type.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "fuzz/fuzz_util.h"
#include "rules/lang/expr.h"

namespace {

using centinela::rules::ParamValue;
using centinela::rules::Symbols;
using centinela::rules::Type;
using centinela::rules::Value;

ParamValue Param(Type type, Value value) {
  ParamValue p;
  p.type = type;
  p.value = value;
  return p;
}

const Symbols& TheSymbols() {
  static const Symbols* symbols = [] {
    auto* s = new Symbols;
    s->params["ros_threshold"] = Param(Type::kMoney, Value::Of(centinela::Money{1000000, centinela::Currency::Usd()}));
    s->params["min_count"] = Param(Type::kNumber, Value::Number(3));
    s->params["window"] = Param(Type::kDuration, Value::Duration(int64_t{7} * 86400 * 1000000));
    s->params["strict"] = Param(Type::kBool, Value::Bool(true));
    ParamValue text;
    text.type = Type::kString;
    text.text = "CASH";
    s->params["channel_name"] = std::move(text);
    ParamValue list;
    list.type = Type::kStringList;
    list.list = {"PE", "BO", "CO"};
    s->params["countries"] = std::move(list);
    s->lists["mining_regions"] = {"170101", "170201", "170301"};
    s->aggregates["cash_7d"] = 0;
    s->aggregate_types["cash_7d"] = Type::kMoney;
    s->aggregates["count_30d"] = 1;
    s->aggregate_types["count_30d"] = Type::kNumber;
    s->profiles["monthly"] = 0;
    s->rules["structuring"] = 0;
    return s;
  }();
  return *symbols;
}

constexpr Type kTypes[] = {Type::kBool,       Type::kNumber, Type::kMoney,   Type::kString,
                           Type::kStringList, Type::kTime,   Type::kDuration};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Type expected = kTypes[data[0] % (sizeof(kTypes) / sizeof(kTypes[0]))];
  const absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto compiled = centinela::rules::CompileExpr(text, TheSymbols(), expected);
  centinela::fuzz::CheckError(compiled);
  if (compiled.ok()) {
    centinela::fuzz::Require(compiled->root != nullptr, "a compiled expression has a root");
    centinela::fuzz::Require(compiled->root->type() == expected, "a compiled expression has the type asked for");
  } else {
    // Errors carry the offset of the fault within the text.
    const auto error = centinela::rules::SplitExprError(compiled.status());
    centinela::fuzz::Require(error.offset <= text.size(), "error offset within the expression");
  }
  return 0;
}
