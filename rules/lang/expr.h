// The rule expression language: parse, type-check and compile an expression
// such as
//   channel == "CASH" and amount_usd between param.ros * 0.7 and param.ros * 0.99
// into a tree of nodes that evaluates without parsing, map lookups or
// allocation. See docs/rules.md for the reference.
#ifndef CENTINELA_RULES_LANG_EXPR_H_
#define CENTINELA_RULES_LANG_EXPR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "base/fx_table.h"
#include "rules/lang/normalized_tx.h"
#include "rules/lang/value.h"

namespace centinela::rules {

// Graph features a rule can read (`graph.NAME`).
enum class GraphFeature {
  // Edges of the shortest time-respecting cycle that the transaction closes
  // (beneficiary -> ... -> originator, then this transfer); null if none
  // within the pack's graph window and hop limit.
  kCycleLength = 0,
  // Rapid pass-through: time from the latest inflow into the originator of a
  // similar amount (graph.pass_through_ratio) to this outflow, within
  // graph.pass_through_window; null if none. Duration.
  kPassThroughDelay,
  // Scatter-gather: the most intermediaries B_i of paths A -> B_i -> C (C the
  // beneficiary, the originator among the B_i), over accounts A; null if the
  // originator received nothing within the window. Number.
  kGatherPaths,
  // Distinct counterparties within the graph window (edges before or at this one).
  kOriginatorInDegree,
  kOriginatorOutDegree,
  kBeneficiaryInDegree,
  kBeneficiaryOutDegree,
  // Stack (layering): consecutive pass-through hops ending at this transfer,
  // each within graph.pass_through_window at graph.pass_through_ratio,
  // up to graph.max_hops; 1 is a simple pass-through. Null when 0. Number.
  kPassThroughHops,
  // Bipartite: the most senders (the originator among them) that paid both
  // the beneficiary and another account the originator paid, within
  // graph.degree_window. Null when below 2. Number.
  kBipartiteSenders,
  // New features go above this line; kGraphFeatureCount follows the last.
};
inline constexpr int kGraphFeatureCount = int(GraphFeature::kBipartiteSenders) + 1;

// Per-subject profile features a rule can read (`profile.NAME.FEATURE`). All
// describe the subject *before* the transaction being scored.
enum class ProfileFeature {
  kCount = 0,        // number: earlier transactions in the profile
  kMean,             // money USD: their mean amount; null when none
  kStddev,           // money USD: their standard deviation; null when fewer than 2
  kLastSeen,         // time: the latest earlier transaction; null when none
  kDaysInactive,     // number: days between that and this transaction; null when none
  kNewCounterparty,  // bool: the counterparty was not seen before (within the memory); null without one
};

// A transaction that made a graph feature what it is (the inflow a
// pass-through passed on, the legs of a cycle, a hub's counterparties), as
// the engine identifies transactions: an alert adds it to its evidence.
struct WitnessRef {
  std::string reporting_entity;
  std::string id;
  uint64_t fingerprint = 0;
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
  // The witnesses of `feature` for the current transaction (after Graph
  // computed it), appended to `out`; none by default.
  virtual void GraphWitnesses(GraphFeature feature, std::vector<WitnessRef>* out) {}
  virtual Value Profile(int index, ProfileFeature feature) { return Value::Null(); }
};

// Evaluates other rules of the pack (`rule.NAME`), memoised per transaction.
class RuleSource {
 public:
  virtual ~RuleSource() = default;
  virtual Value Rule(int index) = 0;
};

// Which party of the transaction `screen(PARTY, "list")` screens.
enum class ScreenedParty { kOriginator = 0, kBeneficiary = 1 };

// Scores under this read as 0 in screen() (the engine's screening cache keeps
// only matches from here: screening::kCacheFloor). Comparing screen() with a
// constant between 0 and this is refused at compile time.
inline constexpr double kScreenFloor = 0.80;

// Screens the parties of the current transaction against sanctions and PEP
// lists (screening/match/list_set.h). `list` is a list name ("un") or a
// category ("sanctions", "pep": the best over the lists of that category).
class ScreeningSource {
 public:
  virtual ~ScreeningSource() = default;
  // The best match score in [0, 1]; 0 when nothing reaches kScreenFloor,
  // null when no such list is loaded or the party has no name.
  virtual Value Screen(ScreenedParty party, absl::string_view list) = 0;
  // Whether that best match rests on more than the name (a document, a date
  // of birth or nationality with a strong name, or an exact strong name:
  // screening::Evidence); false when nothing reaches kScreenFloor, null as
  // Screen.
  virtual Value Confirmed(ScreenedParty party, absl::string_view list) = 0;
  // One line naming the entry, matched name and parts for alert hits.
  virtual std::string Explain(ScreenedParty party, absl::string_view list) = 0;
};

// Everything an expression can see while one transaction is scored.
// Borrowed pointers; lives for one evaluation.
struct EvalContext {
  const NormalizedTx* tx = nullptr;
  const FxTable* fx = nullptr;
  AggregateSource* aggregates = nullptr;
  RuleSource* rules = nullptr;
  ScreeningSource* screening = nullptr;  // null: screen() is null
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
  // For `graph.*` leaves: the feature they read (its witnesses go into
  // evidence); null otherwise.
  virtual const GraphFeature* graph_feature() const { return nullptr; }
  // The value as an alert hit shows it; FormatValue unless the node has
  // more to say (screen() names the list entry it matched).
  virtual std::string Explain(EvalContext& ctx) const;

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
  absl::flat_hash_map<std::string, int> aggregates;        // name -> index
  absl::flat_hash_map<std::string, Type> aggregate_types;  // name -> result type
  absl::flat_hash_map<std::string, int> profiles;          // name -> index
  absl::flat_hash_map<std::string, int> rules;             // name -> index (`rule.NAME`)
};

// A reference that a compiled expression read, kept to explain hits:
// "agg.cash_7d" -> the node that yields its value.
struct Observed {
  std::string name;
  const Node* node;
};

struct CompiledExpr {
  std::unique_ptr<Node> root;
  std::vector<std::unique_ptr<Node>> owned;       // every node of the tree
  std::vector<Observed> observed;                 // leaves worth explaining
  bool uses_graph = false;                        // reads graph.* features
  std::vector<std::pair<int, size_t>> rule_refs;  // rule.NAME read: rule index, text offset
  std::vector<std::string> screen_lists;          // lists or categories screen() names
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
