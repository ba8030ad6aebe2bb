// The rule expression language: parse, type-check and compile an expression
// such as
//   channel == "CASH" and amount_usd between param.ros * 0.7 and param.ros * 0.99
// into a tree of nodes that evaluates without parsing, map lookups or
// allocation. See docs/rules.md for the reference.
#ifndef CENTINELA_RULES_LANG_EXPR_H_
#define CENTINELA_RULES_LANG_EXPR_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/validate/fx_table.h"
#include "engine/validate/normalizer.h"
#include "rules/lang/value.h"

namespace centinela::rules {

// Graph features a rule can read (`graph.NAME`).
enum class GraphFeature {
  // Edges of the shortest time-respecting cycle that the transaction closes
  // (beneficiary -> ... -> originator, then this transfer); null if none
  // within the pack's graph window and hop limit.
  kCycleLength = 0,
};

// Supplies windowed aggregate values and graph features on demand while a
// transaction is scored.
class AggregateSource {
 public:
  virtual ~AggregateSource() = default;
  // Value of aggregate `index` (as numbered by the pack) for the current
  // transaction, including the transaction itself when it passes the filter.
  virtual Value Aggregate(int index) = 0;
  virtual Value Graph(GraphFeature feature) { return Value::Null(); }
};

// Everything an expression can see while one transaction is scored.
// Borrowed pointers; lives for one evaluation.
struct EvalContext {
  const NormalizedTx* tx = nullptr;
  const FxTable* fx = nullptr;
  AggregateSource* aggregates = nullptr;
};

// A compiled expression node. Immutable after compilation; Eval is const and
// thread-safe given distinct contexts.
class Node {
 public:
  explicit Node(Type type) : type_(type) {}
  virtual ~Node() = default;
  Type type() const { return type_; }
  virtual Value Eval(EvalContext& ctx) const = 0;
  // For enum-typed nodes: the enum's value for a name, or -1.
  virtual int EnumValue(absl::string_view name) const { return -1; }
  virtual std::string EnumName(int value) const { return ""; }
  // Constant string lists (`list.X`, ["a","b"]) expose their members.
  virtual const std::vector<std::string>* StringList() const { return nullptr; }
  // True for nodes whose value does not depend on the transaction.
  virtual bool IsConstant() const { return false; }

 private:
  Type type_;
};

// A parameter of the pack, already typed.
struct ParamValue {
  Type type;
  Value value;
  std::vector<std::string> list;  // for kStringList
  std::string text;               // owns string params
};

// What names mean while compiling one pack.
struct Symbols {
  absl::flat_hash_map<std::string, ParamValue> params;
  absl::flat_hash_map<std::string, std::vector<std::string>> lists;
  absl::flat_hash_map<std::string, int> aggregates;       // name -> index
  absl::flat_hash_map<std::string, Type> aggregate_types;  // name -> result type
};

// A reference that a compiled expression read, kept to explain hits:
// "agg.cash_7d" -> the node that yields its value.
struct Observed {
  std::string name;
  const Node* node;
};

struct CompiledExpr {
  std::unique_ptr<Node> root;
  std::vector<std::unique_ptr<Node>> owned;  // every node of the tree
  std::vector<Observed> observed;            // leaves worth explaining
  bool uses_graph = false;                   // reads graph.* features
};

// An error in an expression: `offset` is the byte offset within its text.
struct ExprError {
  size_t offset;
  std::string message;
};

// Compiles `text`. On error returns InvalidArgument whose message is
// "<offset>:<message>"; use SplitExprError to recover both.
absl::StatusOr<CompiledExpr> CompileExpr(absl::string_view text, const Symbols& symbols, Type expected);
ExprError SplitExprError(const absl::Status& status);

// Renders a value for explanations ("USD 9,400.00", "4", "CASH").
std::string FormatValue(const Node& node, const Value& v);

}  // namespace centinela::rules

#endif  // CENTINELA_RULES_LANG_EXPR_H_
