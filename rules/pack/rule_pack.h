// A rule pack: the YAML file a UIF typology analyst writes (parameters,
// reference lists, windowed aggregates, rules, typologies), validated with
// file:line:column errors and compiled once into an evaluator.
#ifndef CENTINELA_RULES_PACK_RULE_PACK_H_
#define CENTINELA_RULES_PACK_RULE_PACK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "centinela/v1/alert.pb.h"
#include "rules/lang/expr.h"
#include "rules/pack/window_totals.h"

namespace centinela::rules {

// Whose state an aggregate or typology is about.
enum class SubjectKind {
  kOriginatorAccount,
  kBeneficiaryAccount,
  kOriginatorDocument,
  kBeneficiaryDocument,
  kBranch,
  kReportingEntity,
  kCounterpartyPair,  // originator account -> beneficiary account
};

// "account", "document", "branch", "reporting_entity", "counterparty_pair".
absl::string_view SubjectKindName(SubjectKind k);

// Writes the subject's identity for `tx` into `*out` ("BCP-001", "6:20512333797").
// Returns false when the transaction has no such subject (e.g. no account).
bool SubjectKey(SubjectKind k, const NormalizedTx& tx, std::string* out);

enum class AggFunction {
  kCount,          // number of transactions
  kSum,            // sum of amount_usd (money, USD)
  kCountDistinct,  // number of distinct values of `of` (e.g. counterparties: fan-in/fan-out degree)
  kMin,            // smallest amount_usd (money, USD); null on an empty window
  kMax,            // largest amount_usd
  kAvg,            // mean amount_usd, rounded to the cent
  kStddev,         // population standard deviation of amount_usd, rounded to the cent
};

struct AggregateSpec {
  std::string name;
  int index = 0;
  // Stable id of the windowed state this aggregate reads: a hash of subject,
  // window, filter and `of`, not of the name or function, so that aggregates
  // that differ only in function (count and sum of the same filter) share one
  // state, and renaming an aggregate keeps its history. Storage key prefix.
  uint32_t state_id = 0;
  // Index of the aggregate that folds transactions into that state: its own
  // index or another sharer's. Only owners are folded.
  int state_owner = 0;
  SubjectKind subject = SubjectKind::kBeneficiaryAccount;
  int64_t window_micros = 0;
  int64_t bucket_micros = 0;
  AggFunction function = AggFunction::kCount;
  CompiledExpr filter;  // root null = every transaction counts
  CompiledExpr of;      // count_distinct: the string/enum value counted
};

// A running profile of one subject: mean and stddev of amount_usd (Welford),
// last activity, and the counterparties seen.
struct ProfileSpec {
  std::string name;
  int index = 0;
  uint32_t state_id = 0;  // storage key prefix
  SubjectKind subject = SubjectKind::kOriginatorAccount;
  CompiledExpr filter;                     // root null = every transaction with the subject
  CompiledExpr counterparty;               // string; root null = no new_counterparty feature
  int64_t counterparty_memory_micros = 0;  // a counterparty unseen this long is new again
};

struct RuleSpec {
  std::string id;
  std::string description;
  CompiledExpr when;
};

struct TypologySpec {
  std::string id;
  std::string name;
  SubjectKind subject = SubjectKind::kBeneficiaryAccount;
  std::vector<std::pair<int, double>> rules;  // rule index, weight
  double threshold = 0;
  double total_weight = 0;  // sum of the rule weights
  v1::Severity severity = v1::MEDIUM;
  std::vector<v1::Destination> destinations;
  int64_t dedup_window_micros = 0;
  bool shadow = false;
};

// An aggregate's value from the totals of its window: a count, or USD money;
// min, max, avg and stddev are null on an empty window, never 0. Shared by
// scoring and by the investigators' subject view.
Value AggregateValue(AggFunction f, const WindowTotals& t);
// The pack-file spelling: "count", "sum", "count_distinct", ...
absl::string_view AggFunctionName(AggFunction f);

struct TypologyHit {
  int typology = 0;
  double score = 0;
  std::vector<int> fired_rules;
};

// Per-thread scratch space reused across evaluations (no allocation per tx).
struct EvalScratch {
  std::vector<int8_t> rule_state;  // -1 unknown, 0 false, 1 true
  std::vector<TypologyHit> hits;
  std::vector<std::vector<int>> spare_rule_lists;  // fired_rules storage of earlier hits, for reuse
};

// Bounds of the graph search behind graph.* features.
struct GraphSpec {
  int64_t window_micros = 0;  // edges kept and searched, behind the transaction
  int max_hops = 12;          // longest cycle searched
  int max_visits = 5000;      // accounts expanded per search, at most
  // Cycle edges must carry between ratio and 1/ratio times the closing
  // transfer's USD amount (layered funds keep their value); 0 = any amount.
  double amount_ratio = 0;
  // graph.pass_through_delay: an inflow within this window before the
  // outflow, whose amount is between ratio and 1/ratio times the outflow's.
  int64_t pass_through_window_micros = 0;
  double pass_through_ratio = 0.9;
  // graph.*_degree: distinct counterparties over this window behind the transaction.
  int64_t degree_window_micros = 0;
};

// Immutable after Load*; share between threads freely (evaluation state lives
// in EvalContext and EvalScratch).
class RulePack {
 public:
  // `source` names the file in error messages ("rules/packs/peru.yaml").
  static absl::StatusOr<std::unique_ptr<RulePack>> Parse(absl::string_view yaml_text, const std::string& source);
  static absl::StatusOr<std::unique_ptr<RulePack>> LoadFile(const std::string& path);

  const std::string& name() const { return name_; }
  // "peru@1.0.0+3f2a9c1d": author's semver plus content hash.
  const std::string& version() const { return version_; }
  const std::string& semver() const { return semver_; }
  const std::string& content_hash() const { return content_hash_; }  // 8 hex digits of the text's hash
  // The YAML text it was compiled from, and the name given for it.
  const std::string& text() const { return text_; }
  const std::string& source() const { return source_; }
  const std::vector<AggregateSpec>& aggregates() const { return aggregates_; }
  const std::vector<RuleSpec>& rules() const { return rules_; }
  const std::vector<ProfileSpec>& profiles() const { return profiles_; }
  const std::vector<TypologySpec>& typologies() const { return typologies_; }
  // True when some rule reads graph.* features: the engine then keeps edges.
  bool uses_graph() const { return uses_graph_; }
  // Lists and categories the rules screen against (`screen(p, "un")`), sorted.
  const std::vector<std::string>& screen_lists() const { return screen_lists_; }
  const GraphSpec& graph() const { return graph_; }

  // Scores one transaction: fills scratch->hits with the typologies whose
  // score reached their threshold.
  void Evaluate(EvalContext& ctx, EvalScratch* scratch) const;

 private:
  RulePack() = default;
  friend class RuleMemo;
  // Whether rule `index` fires, memoised in `state` (-1 unknown, 0, 1).
  bool RuleFires(int index, EvalContext& ctx, std::vector<int8_t>& state) const;
  std::string name_;
  std::string version_;
  std::string semver_;
  std::string content_hash_;
  std::string text_;
  std::string source_;
  Symbols symbols_;
  std::vector<AggregateSpec> aggregates_;
  std::vector<ProfileSpec> profiles_;
  std::vector<RuleSpec> rules_;
  std::vector<TypologySpec> typologies_;
  bool uses_graph_ = false;
  std::vector<std::string> screen_lists_;
  GraphSpec graph_;
};

}  // namespace centinela::rules

#endif  // CENTINELA_RULES_PACK_RULE_PACK_H_
