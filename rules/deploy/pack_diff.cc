#include "rules/deploy/pack_diff.h"

#include <map>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "base/yaml_util.h"

namespace centinela::rules {
namespace {

constexpr const char* kSections[] = {"parameters", "lists", "aggregates", "profiles", "rules", "typologies"};

// A node as one line of canonical YAML (comments and layout dropped).
std::string OneLine(const YAML::Node& n) {
  if (!n) return "(none)";
  std::string s = n.IsScalar() ? n.Scalar() : YAML::Dump(n);
  s = absl::StrReplaceAll(s, {{"\n", " "}});
  while (s.find("  ") != std::string::npos) s = absl::StrReplaceAll(s, {{"  ", " "}});
  if (s.size() > 160) s = s.substr(0, 157) + "...";
  return s;
}

bool Same(const YAML::Node& a, const YAML::Node& b) {
  if (!a || !b) return !a && !b;
  return YAML::Dump(a) == YAML::Dump(b);
}

std::map<std::string, YAML::Node> Entries(const YAML::Node& section) {
  std::map<std::string, YAML::Node> out;
  if (section && section.IsMap()) {
    for (const auto& kv : section) out[kv.first.Scalar()] = kv.second;
  }
  return out;
}

// Field-by-field differences of two map entries; nested maps one level down
// ("rules.near_threshold_cash_deposit: 0.3 -> 0.4").
void FieldChanges(const YAML::Node& a, const YAML::Node& b, const std::string& prefix, int depth,
                  std::vector<std::string>* out) {
  if (!a.IsMap() || !b.IsMap() || depth > 1) {
    out->push_back(absl::StrCat(prefix.empty() ? "" : prefix + ": ", OneLine(a), " -> ", OneLine(b)));
    return;
  }
  std::set<std::string> keys;
  for (const auto& kv : a) keys.insert(kv.first.Scalar());
  for (const auto& kv : b) keys.insert(kv.first.Scalar());
  for (const std::string& k : keys) {
    const YAML::Node x = a[k], y = b[k];
    if (Same(x, y)) continue;
    const std::string name = prefix.empty() ? k : absl::StrCat(prefix, ".", k);
    if (x && y && x.IsMap() && y.IsMap()) {
      FieldChanges(x, y, name, depth + 1, out);
    } else if (x && y && x.IsSequence() && y.IsSequence()) {
      std::set<std::string> xs, ys;
      for (const auto& i : x) xs.insert(OneLine(i));
      for (const auto& i : y) ys.insert(OneLine(i));
      std::vector<std::string> delta;
      for (const auto& i : ys)
        if (!xs.contains(i)) delta.push_back("+" + i);
      for (const auto& i : xs)
        if (!ys.contains(i)) delta.push_back("-" + i);
      if (delta.empty()) delta.push_back("reordered");
      out->push_back(absl::StrCat(name, ": ", absl::StrJoin(delta, " ")));
    } else {
      out->push_back(absl::StrCat(name, ": ", OneLine(x), " -> ", OneLine(y)));
    }
  }
}

}  // namespace

absl::StatusOr<PackDiff> DiffPacks(const RulePack& from, const RulePack& to) {
  ASSIGN_OR_RETURN(YAML::Node a, LoadYaml(from.text(), from.source()));
  ASSIGN_OR_RETURN(YAML::Node b, LoadYaml(to.text(), to.source()));
  PackDiff d;
  d.from_version = from.version();
  d.to_version = to.version();
  try {
    if (from.name() != to.name()) {
      d.changes.push_back({"pack", "name", "changed", {absl::StrCat(from.name(), " -> ", to.name())}});
    }
    for (const char* section : kSections) {
      const auto x = Entries(a[section]), y = Entries(b[section]);
      for (const auto& [name, node] : y) {
        auto it = x.find(name);
        if (it == x.end()) {
          d.changes.push_back({section, name, "added", {}});
        } else if (!Same(it->second, node)) {
          PackChange c{section, name, "changed", {}};
          FieldChanges(it->second, node, "", 0, &c.details);
          d.changes.push_back(std::move(c));
        }
      }
      for (const auto& [name, node] : x) {
        if (!y.contains(name)) d.changes.push_back({section, name, "removed", {}});
      }
    }
    if (!Same(a["graph"], b["graph"])) {
      PackChange c{"graph", "settings", "changed", {}};
      if (a["graph"] && b["graph"]) {
        FieldChanges(a["graph"], b["graph"], "", 0, &c.details);
      } else {
        c.details.push_back(absl::StrCat(OneLine(a["graph"]), " -> ", OneLine(b["graph"])));
      }
      d.changes.push_back(std::move(c));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("rules diff: ", e.what()));
  }
  // State the new version cannot inherit: aggregates and profiles whose state
  // id is new start empty (shadow mode warms them first).
  absl::flat_hash_set<uint32_t> old_states;
  for (const AggregateSpec& s : from.aggregates()) old_states.insert(s.state_id);
  for (const ProfileSpec& s : from.profiles()) old_states.insert(s.state_id);
  for (const AggregateSpec& s : to.aggregates()) {
    if (s.state_owner != s.index || old_states.contains(s.state_id)) continue;
    d.warnings.push_back(absl::StrCat("aggregate ", s.name, " starts with an empty ", FormatDuration(s.window_micros),
                                      " window: until it fills, its rules see only transactions after the switch "
                                      "(run the version in shadow that long first to start it full)"));
  }
  for (const ProfileSpec& s : to.profiles()) {
    if (old_states.contains(s.state_id)) continue;
    d.warnings.push_back(absl::StrCat("profile ", s.name, " starts empty (no history of its subjects)"));
  }
  return d;
}

std::string FormatPackDiff(const PackDiff& d) {
  std::string out = absl::StrCat("--- ", d.from_version, "\n+++ ", d.to_version, "\n");
  if (d.changes.empty())
    absl::StrAppend(&out, "no changes to parameters, lists, aggregates, profiles, rules, typologies or graph\n");
  for (const PackChange& c : d.changes) {
    const char* mark = c.kind == "added" ? "+" : c.kind == "removed" ? "-" : "~";
    absl::StrAppend(&out, mark, " ", c.section, "/", c.name, c.details.empty() ? "" : ":", "\n");
    for (const std::string& detail : c.details) absl::StrAppend(&out, "    ", detail, "\n");
  }
  for (const std::string& w : d.warnings) absl::StrAppend(&out, "warning: ", w, "\n");
  return out;
}

}  // namespace centinela::rules
