// What a new rule pack changes against another (usually the active one):
// added, removed and changed parameters, lists, aggregates, profiles, rules,
// typologies and graph settings, field by field; and the consequences a rule
// author must know before deploying (state that restarts empty).
#ifndef CENTINELA_RULES_DEPLOY_PACK_DIFF_H_
#define CENTINELA_RULES_DEPLOY_PACK_DIFF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rules/pack/rule_pack.h"

namespace centinela::rules {

struct PackChange {
  std::string section;  // "parameters", "lists", "aggregates", "profiles", "rules", "typologies", "graph", "pack"
  std::string name;
  std::string kind;                  // "added", "removed", "changed"
  std::vector<std::string> details;  // "threshold: 1.0 -> 0.8", "items: +PA -MM"
};

struct PackDiff {
  std::string from_version, to_version;
  std::vector<PackChange> changes;  // in section order, then by name
  std::vector<std::string> warnings;
};

// Both packs compiled (so both are valid); compares their texts entry by entry.
absl::StatusOr<PackDiff> DiffPacks(const RulePack& from, const RulePack& to);

// Human-readable, one change per line ("~ typologies/structuring: threshold: 1.0 -> 0.8").
std::string FormatPackDiff(const PackDiff& diff);

}  // namespace centinela::rules

#endif  // CENTINELA_RULES_DEPLOY_PACK_DIFF_H_
