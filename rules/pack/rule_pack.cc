#include "rules/pack/rule_pack.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <functional>
#include <regex>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/hash.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "base/yaml_util.h"

namespace centinela::rules {

absl::string_view SubjectKindName(SubjectKind k) {
  switch (k) {
    case SubjectKind::kOriginatorAccount:
    case SubjectKind::kBeneficiaryAccount:
      return "account";
    case SubjectKind::kOriginatorDocument:
    case SubjectKind::kBeneficiaryDocument:
      return "document";
    case SubjectKind::kBranch:
      return "branch";
    case SubjectKind::kReportingEntity:
      return "reporting_entity";
    case SubjectKind::kCounterpartyPair:
      return "counterparty_pair";
  }
  return "?";
}

namespace {

void DocumentKey(const v1::Party& p, std::string* out) {
  out->clear();
  if (p.document_number().empty()) return;
  absl::StrAppend(out, int(p.document_type()), ":", p.document_number());
}

}  // namespace

absl::string_view AggFunctionName(AggFunction f) {
  switch (f) {
    case AggFunction::kCount:
      return "count";
    case AggFunction::kSum:
      return "sum";
    case AggFunction::kCountDistinct:
      return "count_distinct";
    case AggFunction::kMin:
      return "min";
    case AggFunction::kMax:
      return "max";
    case AggFunction::kAvg:
      return "avg";
    case AggFunction::kStddev:
      return "stddev";
  }
  return "?";
}

Value AggregateValue(AggFunction f, const WindowTotals& t) {
  switch (f) {
    case AggFunction::kCount:
      return Value::Number(double(t.count));
    case AggFunction::kCountDistinct:
      return Value::Number(double(t.distinct));
    case AggFunction::kSum:
      return Value::Of(Money{t.sum_usd_minor, Currency::Usd()});
    default:
      break;
  }
  if (t.count == 0) return Value::Null();
  int64_t minor = 0;
  switch (f) {
    case AggFunction::kMin:
      minor = t.min_usd_minor;
      break;
    case AggFunction::kMax:
      minor = t.max_usd_minor;
      break;
    case AggFunction::kAvg:
      minor = SatRound(double(t.sum_usd_minor) / double(t.count));
      break;
    default: {
      const double mean = double(t.sum_usd_minor) / double(t.count);
      const double var = std::max(0.0, t.sum_sq / double(t.count) - mean * mean);
      minor = SatRound(std::sqrt(var));
    }
  }
  return Value::Of(Money{minor, Currency::Usd()});
}

bool SubjectKey(SubjectKind k, const NormalizedTx& n, std::string* out) {
  const v1::Transaction& tx = *n.tx;
  switch (k) {
    case SubjectKind::kOriginatorAccount:
      *out = tx.originator().account();
      break;
    case SubjectKind::kBeneficiaryAccount:
      *out = tx.beneficiary().account();
      break;
    case SubjectKind::kOriginatorDocument:
      DocumentKey(tx.originator(), out);
      break;
    case SubjectKind::kBeneficiaryDocument:
      DocumentKey(tx.beneficiary(), out);
      break;
    case SubjectKind::kBranch:
      *out = tx.branch_ubigeo();
      break;
    case SubjectKind::kReportingEntity:
      *out = tx.reporting_entity().ruc();
      break;
    case SubjectKind::kCounterpartyPair:
      out->clear();
      if (tx.originator().account().empty() || tx.beneficiary().account().empty()) return false;
      absl::StrAppend(out, tx.originator().account(), ">", tx.beneficiary().account());
      break;
  }
  return !out->empty();
}

namespace {

// Builds "file:line:col: message" errors from YAML node positions.
class Errors {
 public:
  explicit Errors(std::string source) : source_(std::move(source)) {}
  absl::Status At(const YAML::Node& n, absl::string_view msg) const { return YamlError(source_, n, msg); }
  // An error inside an expression scalar: offset within its text.
  absl::Status InExpr(const YAML::Node& n, const absl::Status& s, absl::string_view what) const {
    const ExprError e = SplitExprError(s);
    const YAML::Mark m = n.Mark();
    // Quoted scalars carry the tag "!"; their text starts one column later.
    const int quote = n.Tag() == "!" ? 1 : 0;
    const std::string text = n.Scalar();
    int line = m.line + 1, col = m.column + 1 + quote;
    for (size_t i = 0; i < e.offset && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(source_, ":", line, ":", col, ": ", what, ": ", e.message));
  }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

absl::Status CheckKeys(const Errors& err, const YAML::Node& map, std::initializer_list<absl::string_view> allowed,
                       absl::string_view where) {
  return CheckYamlKeys(err.source(), map, allowed, where);
}

absl::StatusOr<std::string> Scalar(const Errors& err, const YAML::Node& parent, absl::string_view key,
                                   absl::string_view where, bool required = true) {
  const YAML::Node n = parent[std::string(key)];
  if (!n) {
    if (!required) return std::string();
    return err.At(parent, absl::StrCat(where, ": missing required field '", key, "'"));
  }
  if (!n.IsScalar()) return err.At(n, absl::StrCat(where, ".", key, " must be a single value"));
  return n.Scalar();
}

absl::StatusOr<SubjectKind> ParseSubject(const Errors& err, const YAML::Node& n) {
  static const std::pair<absl::string_view, SubjectKind> kSubjects[] = {
      {"originator.account", SubjectKind::kOriginatorAccount},
      {"beneficiary.account", SubjectKind::kBeneficiaryAccount},
      {"originator.document", SubjectKind::kOriginatorDocument},
      {"beneficiary.document", SubjectKind::kBeneficiaryDocument},
      {"branch", SubjectKind::kBranch},
      {"reporting_entity", SubjectKind::kReportingEntity},
      {"counterparty_pair", SubjectKind::kCounterpartyPair}};
  const std::string s = n.Scalar();
  for (const auto& [name, kind] : kSubjects) {
    if (s == name) return kind;
  }
  return err.At(n, absl::StrCat("unknown subject '", s,
                                "' (expected originator.account, beneficiary.account, originator.document, "
                                "beneficiary.document, branch, reporting_entity or counterparty_pair)"));
}

absl::StatusOr<double> ParseNumber(const Errors& err, const YAML::Node& n, absl::string_view what) {
  try {
    return n.as<double>();
  } catch (const YAML::Exception&) {
    return err.At(n, absl::StrCat(what, " must be a number, got '", n.Scalar(), "'"));
  }
}

absl::StatusOr<ParamValue> ParseParam(const Errors& err, const YAML::Node& n) {
  ParamValue p;
  if (n.IsSequence()) {
    p.type = Type::kStringList;
    for (const auto& item : n) p.list.push_back(item.as<std::string>());
    return p;
  }
  if (!n.IsScalar()) return err.At(n, "a parameter is a number, money (\"USD 10000\"), bool, string or list");
  const std::string s = n.Scalar();
  static const std::regex kMoney("^([A-Z]{3}) ([0-9][0-9,]*(\\.[0-9]+)?)$");
  std::smatch m;
  if (std::regex_match(s, m, kMoney)) {
    auto c = Currency::FromCode(m[1].str());
    auto minor = ParseDecimalMinor(m[2].str(), CurrencyExponent(*c));
    if (!minor.ok()) return err.At(n, minor.status().message());
    p.type = Type::kMoney;
    p.value = Value::Of(Money{*minor, *c});
    return p;
  }
  static const std::regex kDurationParam("^[0-9]+[mhd]$");
  if (n.Tag() != "!" && std::regex_match(s, kDurationParam)) {
    auto d = ParseDuration(s);
    if (!d.ok()) return err.At(n, d.status().message());
    p.type = Type::kDuration;
    p.value = Value::Duration(*d);
    return p;
  }
  if (n.Tag() != "!" && (s == "true" || s == "false")) {
    p.type = Type::kBool;
    p.value = Value::Bool(s == "true");
    return p;
  }
  double d;
  if (n.Tag() != "!" && YAML::convert<double>::decode(n, d)) {
    p.type = Type::kNumber;
    p.value = Value::Number(d);
    return p;
  }
  p.type = Type::kString;
  p.text = s;
  return p;
}

bool IsIdentifier(const std::string& s) {
  static const std::regex kId("^[a-z][a-z0-9_]*$");
  return std::regex_match(s, kId);
}

absl::Status CheckName(const Errors& err, const YAML::Node& key, absl::string_view what) {
  if (!IsIdentifier(key.as<std::string>())) {
    return err.At(key, absl::StrCat(what, " name '", key.as<std::string>(),
                                    "' must be lower_snake_case (a-z, 0-9, _), starting with a letter"));
  }
  return absl::OkStatus();
}

// Rules may read other rules; a definition that reaches itself is an error
// at the reference that closes the cycle: "cyclic definition a -> b -> a".
absl::Status CheckRuleCycles(const Errors& err, const std::vector<RuleSpec>& rules,
                             const std::vector<YAML::Node>& nodes) {
  std::vector<int8_t> color(rules.size(), 0);  // 0 new, 1 on the path, 2 done
  std::vector<int> path;
  std::function<absl::Status(int)> visit = [&](int r) -> absl::Status {
    color[r] = 1;
    path.push_back(r);
    for (const auto& [next, offset] : rules[r].when.rule_refs) {
      if (color[next] == 1) {
        std::vector<std::string> names;
        for (auto it = std::find(path.begin(), path.end(), next); it != path.end(); ++it)
          names.push_back(rules[*it].id);
        names.push_back(rules[next].id);
        return err.InExpr(
            nodes[r]["when"],
            absl::InvalidArgumentError(absl::StrCat(offset, ":cyclic definition ", absl::StrJoin(names, " -> "))),
            absl::StrCat("rule '", rules[r].id, "'"));
      }
      if (color[next] == 0) RETURN_IF_ERROR(visit(next));
    }
    path.pop_back();
    color[r] = 2;
    return absl::OkStatus();
  };
  for (size_t r = 0; r < rules.size(); ++r) {
    if (color[r] == 0) RETURN_IF_ERROR(visit(int(r)));
  }
  return absl::OkStatus();
}

// `text` followed by the values of the parameters and lists it names
// (`param.X`, `list.Y`), so that state keyed on it changes when their values
// do: a pack that moves a threshold in a filter gets a fresh state, never one
// folded under the old threshold.
std::string WithReferencedValues(const std::string& text, const YAML::Node& root) {
  std::string out = text;
  for (const auto& [prefix, section] :
       {std::pair<const char*, const char*>{"param.", "parameters"}, {"list.", "lists"}}) {
    const size_t plen = strlen(prefix);
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + plen)) {
      if (at > 0 && (isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) continue;
      size_t end = at + plen;
      while (end < text.size() && (isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) ++end;
      const std::string name = text.substr(at + plen, end - at - plen);
      const YAML::Node value = root[section] ? root[section][name] : YAML::Node();
      absl::StrAppend(&out, "|", prefix, name, "=", value ? YAML::Dump(value) : "");
    }
  }
  return out;
}

}  // namespace

// Serves `rule.NAME` references during one evaluation.
class RuleMemo : public RuleSource {
 public:
  RuleMemo(const RulePack* pack, EvalContext* ctx, std::vector<int8_t>* state)
      : pack_(pack), ctx_(ctx), state_(state) {}
  Value Rule(int index) override { return Value::Bool(pack_->RuleFires(index, *ctx_, *state_)); }

 private:
  const RulePack* pack_;
  EvalContext* ctx_;
  std::vector<int8_t>* state_;
};

bool RulePack::RuleFires(int index, EvalContext& ctx, std::vector<int8_t>& state) const {
  int8_t& s = state[index];
  if (s < 0) {
    const Value v = rules_[index].when.root->Eval(ctx);
    s = (!v.null && v.b) ? 1 : 0;
  }
  return s == 1;
}

absl::StatusOr<std::unique_ptr<RulePack>> RulePack::LoadFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path, "rule pack"));
  return Parse(text, path);
}

absl::StatusOr<std::unique_ptr<RulePack>> RulePack::Parse(absl::string_view text, const std::string& source) {
  Errors err(source);
  ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(std::string(text), source));
  if (!root.IsMap()) return absl::InvalidArgumentError(absl::StrCat(source, ":1:1: a rule pack is a YAML mapping"));

  std::unique_ptr<RulePack> pack(new RulePack);
  try {
    RETURN_IF_ERROR(CheckKeys(err, root,
                              {"pack", "version", "description", "parameters", "lists", "aggregates", "profiles",
                               "graph", "rules", "typologies"},
                              "the pack"));
    ASSIGN_OR_RETURN(pack->name_, Scalar(err, root, "pack", "the pack"));
    ASSIGN_OR_RETURN(std::string semver, Scalar(err, root, "version", "the pack"));
    static const std::regex kSemver("^[0-9]+\\.[0-9]+\\.[0-9]+([-+][0-9A-Za-z.-]+)?$");
    if (!std::regex_match(semver, kSemver)) {
      return err.At(root["version"], absl::StrCat("version '", semver, "' is not semver (e.g. 1.2.0)"));
    }
    pack->semver_ = semver;
    pack->content_hash_ = StableHashHex128(text).substr(0, 8);
    pack->version_ = absl::StrCat(pack->name_, "@", semver, "+", pack->content_hash_);
    pack->text_ = std::string(text);
    pack->source_ = source;

    Symbols& sym = pack->symbols_;
    if (const YAML::Node params = root["parameters"]) {
      if (!params.IsMap()) return err.At(params, "parameters must be a mapping name: value");
      for (const auto& kv : params) {
        RETURN_IF_ERROR(CheckName(err, kv.first, "parameter"));
        ASSIGN_OR_RETURN(ParamValue p, ParseParam(err, kv.second));
        sym.params[kv.first.as<std::string>()] = std::move(p);
      }
    }
    if (const YAML::Node lists = root["lists"]) {
      if (!lists.IsMap()) return err.At(lists, "lists must be a mapping name: [items] or name: {version, items}");
      for (const auto& kv : lists) {
        RETURN_IF_ERROR(CheckName(err, kv.first, "list"));
        YAML::Node items = kv.second;
        if (items.IsMap()) {
          RETURN_IF_ERROR(CheckKeys(err, items, {"version", "source", "items"}, "a list"));
          items = kv.second["items"];
          if (!items) return err.At(kv.second, "list needs 'items'");
        }
        if (!items.IsSequence()) return err.At(items, "list items must be a sequence [\"a\", \"b\"]");
        std::vector<std::string> values;
        for (const auto& item : items) {
          if (!item.IsScalar()) return err.At(item, "list items must be strings");
          values.push_back(item.Scalar());
        }
        sym.lists[kv.first.as<std::string>()] = std::move(values);
      }
    }
    // Aggregates: names first, so that rules can refer to any of them.
    if (const YAML::Node aggs = root["aggregates"]) {
      std::vector<std::pair<std::string, std::string>> state_keys;  // (subject|window|filter, of) per aggregate
      if (!aggs.IsMap()) return err.At(aggs, "aggregates must be a mapping name: {subject, window, function, filter}");
      for (const auto& kv : aggs) {
        RETURN_IF_ERROR(CheckName(err, kv.first, "aggregate"));
        const std::string name = kv.first.as<std::string>();
        const YAML::Node a = kv.second;
        const std::string where = absl::StrCat("aggregate '", name, "'");
        RETURN_IF_ERROR(CheckKeys(err, a, {"subject", "window", "function", "of", "filter", "description"}, where));
        AggregateSpec spec;
        spec.name = name;
        spec.index = int(pack->aggregates_.size());
        if (!a["subject"]) return err.At(a, absl::StrCat(where, ": missing required field 'subject'"));
        ASSIGN_OR_RETURN(spec.subject, ParseSubject(err, a["subject"]));
        ASSIGN_OR_RETURN(std::string window, Scalar(err, a, "window", where));
        auto w = ParseDuration(window);
        if (!w.ok()) return err.At(a["window"], absl::StrCat("window: ", w.status().message()));
        if (*w < kMicrosPerHour || *w > 400 * kMicrosPerDay) {
          return err.At(a["window"], "window must be between 1h and 400d");
        }
        spec.window_micros = *w;
        spec.bucket_micros = *w <= 2 * kMicrosPerDay ? kMicrosPerHour : kMicrosPerDay;
        ASSIGN_OR_RETURN(std::string fn, Scalar(err, a, "function", where));
        if (fn == "count") {
          spec.function = AggFunction::kCount;
        } else if (fn == "sum") {
          spec.function = AggFunction::kSum;
        } else if (fn == "min") {
          spec.function = AggFunction::kMin;
        } else if (fn == "max") {
          spec.function = AggFunction::kMax;
        } else if (fn == "avg") {
          spec.function = AggFunction::kAvg;
        } else if (fn == "stddev") {
          spec.function = AggFunction::kStddev;
        } else if (fn == "count_distinct") {
          spec.function = AggFunction::kCountDistinct;
          if (!a["of"]) {
            return err.At(a, absl::StrCat(where, ": count_distinct needs 'of' (e.g. of: originator.account)"));
          }
        } else {
          return err.At(a["function"],
                        absl::StrCat("unknown aggregate function '", fn,
                                     "' (expected count, sum, min, max, avg, stddev or count_distinct)"));
        }
        if (a["of"] && spec.function != AggFunction::kCountDistinct) {
          return err.At(a["of"], absl::StrCat(where, ": 'of' is only for count_distinct"));
        }
        ASSIGN_OR_RETURN(std::string filter, Scalar(err, a, "filter", where, /*required=*/false));
        filter = WithReferencedValues(filter, root);
        const std::string of = a["of"] ? WithReferencedValues(a["of"].Scalar(), root) : "";
        state_keys.push_back({absl::StrCat(a["subject"].Scalar(), "|", window, "|", filter), of});
        sym.aggregates[name] = spec.index;
        sym.aggregate_types[name] = spec.function == AggFunction::kCount || spec.function == AggFunction::kCountDistinct
                                        ? Type::kNumber
                                        : Type::kMoney;
        pack->aggregates_.push_back(std::move(spec));
      }
      // Aggregates over the same subject, window and filter share one state:
      // a bucket holds count, sum, min, max, sum of squares and the distinct
      // set together. One without `of` joins a sharer that counts an `of`.
      absl::flat_hash_map<std::string, int> owners;          // subject|window|filter|of -> owner
      absl::flat_hash_map<std::string, int> distinct_owner;  // subject|window|filter -> owner with an `of`
      for (int pass = 0; pass < 2; ++pass) {                 // those with `of` first
        for (auto& spec : pack->aggregates_) {
          const auto& [base, of] = state_keys[spec.index];
          if ((pass == 0) == of.empty()) continue;
          const std::string full = absl::StrCat(base, "|", of);
          int owner = spec.index;
          if (auto it = owners.find(full); it != owners.end()) {
            owner = it->second;
          } else if (auto d = distinct_owner.find(base); of.empty() && d != distinct_owner.end()) {
            owner = d->second;
          } else {
            owners.emplace(full, owner);
            if (!of.empty()) distinct_owner.emplace(base, owner);
          }
          spec.state_owner = owner;
          spec.state_id =
              uint32_t(StableHash64(absl::StrCat("window|", state_keys[owner].first, "|", state_keys[owner].second)));
        }
      }
      // Filters may use parameters and lists, not aggregates (no cycles).
      Symbols filter_symbols = sym;
      filter_symbols.aggregates.clear();
      for (auto& spec : pack->aggregates_) {
        if (const YAML::Node of = aggs[spec.name]["of"]) {
          auto compiled = CompileExpr(of.Scalar(), filter_symbols, Type::kString);
          if (!compiled.ok()) return err.InExpr(of, compiled.status(), absl::StrCat("aggregate '", spec.name, "' of"));
          spec.of = std::move(*compiled);
        }
        const YAML::Node f = aggs[spec.name]["filter"];
        if (!f) continue;
        auto compiled = CompileExpr(f.Scalar(), filter_symbols, Type::kBool);
        if (!compiled.ok()) {
          return err.InExpr(f, compiled.status(), absl::StrCat("aggregate '", spec.name, "' filter"));
        }
        spec.filter = std::move(*compiled);
      }
    }
    if (const YAML::Node profiles = root["profiles"]) {
      if (!profiles.IsMap())
        return err.At(profiles, "profiles must be a mapping name: {subject, filter, counterparty}");
      Symbols filter_symbols = sym;
      filter_symbols.aggregates.clear();
      for (const auto& kv : profiles) {
        RETURN_IF_ERROR(CheckName(err, kv.first, "profile"));
        const std::string name = kv.first.as<std::string>();
        const std::string where = absl::StrCat("profile '", name, "'");
        const YAML::Node p = kv.second;
        RETURN_IF_ERROR(
            CheckKeys(err, p, {"subject", "filter", "counterparty", "counterparty_memory", "description"}, where));
        ProfileSpec spec;
        spec.name = name;
        spec.index = int(pack->profiles_.size());
        if (!p["subject"]) return err.At(p, absl::StrCat(where, ": missing required field 'subject'"));
        ASSIGN_OR_RETURN(spec.subject, ParseSubject(err, p["subject"]));
        if (const YAML::Node f = p["filter"]) {
          auto compiled = CompileExpr(f.Scalar(), filter_symbols, Type::kBool);
          if (!compiled.ok()) return err.InExpr(f, compiled.status(), absl::StrCat(where, " filter"));
          spec.filter = std::move(*compiled);
        }
        if (const YAML::Node c = p["counterparty"]) {
          auto compiled = CompileExpr(c.Scalar(), filter_symbols, Type::kString);
          if (!compiled.ok()) return err.InExpr(c, compiled.status(), absl::StrCat(where, " counterparty"));
          spec.counterparty = std::move(*compiled);
        }
        spec.counterparty_memory_micros = 400 * kMicrosPerDay;
        if (const YAML::Node m = p["counterparty_memory"]) {
          auto d = ParseDuration(m.Scalar());
          if (!d.ok() || *d < kMicrosPerHour || *d > 400 * kMicrosPerDay) {
            return err.At(m, "counterparty_memory must be a duration between 1h and 400d");
          }
          spec.counterparty_memory_micros = *d;
        }
        spec.state_id = uint32_t(StableHash64(
            absl::StrCat("profile|", name, "|", p["subject"].Scalar(), "|",
                         p["filter"] ? WithReferencedValues(p["filter"].Scalar(), root) : "", "|",
                         p["counterparty"] ? WithReferencedValues(p["counterparty"].Scalar(), root) : "")));
        sym.profiles[name] = spec.index;
        pack->profiles_.push_back(std::move(spec));
      }
    }
    pack->graph_.window_micros = 30 * kMicrosPerDay;
    pack->graph_.pass_through_window_micros = 48 * kMicrosPerHour;
    pack->graph_.degree_window_micros = 3 * kMicrosPerDay;
    if (const YAML::Node g = root["graph"]) {
      RETURN_IF_ERROR(CheckKeys(err, g,
                                {"window", "max_hops", "max_visits", "amount_ratio", "pass_through_window",
                                 "pass_through_ratio", "degree_window"},
                                "graph"));
      // graph.KEY: a duration into *out, when present.
      auto duration = [&](const char* key, int64_t* out) -> absl::Status {
        if (!g[key]) return absl::OkStatus();
        auto w = ParseDuration(g[key].Scalar());
        if (!w.ok()) return err.At(g[key], absl::StrCat("graph.", key, ": ", w.status().message()));
        *out = *w;
        return absl::OkStatus();
      };
      RETURN_IF_ERROR(duration("window", &pack->graph_.window_micros));
      RETURN_IF_ERROR(duration("pass_through_window", &pack->graph_.pass_through_window_micros));
      RETURN_IF_ERROR(duration("degree_window", &pack->graph_.degree_window_micros));
      if (g["pass_through_ratio"]) {
        ASSIGN_OR_RETURN(double r, ParseNumber(err, g["pass_through_ratio"], "graph.pass_through_ratio"));
        if (r <= 0 || r > 1) return err.At(g["pass_through_ratio"], "graph.pass_through_ratio must be in (0, 1]");
        pack->graph_.pass_through_ratio = r;
      }
      if (g["amount_ratio"]) {
        ASSIGN_OR_RETURN(double r, ParseNumber(err, g["amount_ratio"], "graph.amount_ratio"));
        if (r < 0 || r >= 1) return err.At(g["amount_ratio"], "graph.amount_ratio must be in [0, 1)");
        pack->graph_.amount_ratio = r;
      }
      if (g["max_hops"]) {
        ASSIGN_OR_RETURN(double h, ParseNumber(err, g["max_hops"], "graph.max_hops"));
        if (h < 2 || h > 30) return err.At(g["max_hops"], "graph.max_hops must be 2..30");
        pack->graph_.max_hops = int(h);
      }
      if (g["max_visits"]) {
        ASSIGN_OR_RETURN(double v, ParseNumber(err, g["max_visits"], "graph.max_visits"));
        if (v < 1 || v > 1e6) return err.At(g["max_visits"], "graph.max_visits must be 1..1000000");
        pack->graph_.max_visits = int(v);
      }
    }
    absl::flat_hash_map<std::string, int> rule_index;
    const YAML::Node rules = root["rules"];
    if (!rules || !rules.IsMap() || rules.size() == 0) {
      return err.At(rules ? rules : root, "the pack needs a non-empty 'rules' mapping");
    }
    for (const auto& kv : rules) {  // names first: rules may read other rules (rule.NAME)
      RETURN_IF_ERROR(CheckName(err, kv.first, "rule"));
      sym.rules[kv.first.as<std::string>()] = int(sym.rules.size());
    }
    std::vector<YAML::Node> rule_nodes;
    for (const auto& kv : rules) rule_nodes.push_back(kv.second);
    for (const auto& kv : rules) {
      const std::string id = kv.first.as<std::string>();
      const std::string where = absl::StrCat("rule '", id, "'");
      RETURN_IF_ERROR(CheckKeys(err, kv.second, {"when", "description"}, where));
      ASSIGN_OR_RETURN(std::string when, Scalar(err, kv.second, "when", where));
      auto compiled = CompileExpr(when, sym, Type::kBool);
      if (!compiled.ok()) return err.InExpr(kv.second["when"], compiled.status(), where);
      RuleSpec spec;
      spec.id = id;
      ASSIGN_OR_RETURN(spec.description, Scalar(err, kv.second, "description", where, false));
      spec.when = std::move(*compiled);
      pack->uses_graph_ |= spec.when.uses_graph;
      for (const auto& l : spec.when.screen_lists) {
        if (std::find(pack->screen_lists_.begin(), pack->screen_lists_.end(), l) == pack->screen_lists_.end()) {
          pack->screen_lists_.push_back(l);
        }
      }
      std::sort(pack->screen_lists_.begin(), pack->screen_lists_.end());
      rule_index[id] = int(pack->rules_.size());
      pack->rules_.push_back(std::move(spec));
    }
    RETURN_IF_ERROR(CheckRuleCycles(err, pack->rules_, rule_nodes));
    const YAML::Node typologies = root["typologies"];
    if (!typologies || !typologies.IsMap() || typologies.size() == 0) {
      return err.At(typologies ? typologies : root, "the pack needs a non-empty 'typologies' mapping");
    }
    for (const auto& kv : typologies) {
      RETURN_IF_ERROR(CheckName(err, kv.first, "typology"));
      TypologySpec t;
      t.id = kv.first.as<std::string>();
      const std::string where = absl::StrCat("typology '", t.id, "'");
      const YAML::Node n = kv.second;
      RETURN_IF_ERROR(CheckKeys(err, n,
                                {"name", "subject", "rules", "threshold", "severity", "destinations", "dedup_window",
                                 "status", "description"},
                                where));
      ASSIGN_OR_RETURN(t.name, Scalar(err, n, "name", where, false));
      if (t.name.empty()) t.name = t.id;
      if (!n["subject"]) return err.At(n, absl::StrCat(where, ": missing required field 'subject'"));
      ASSIGN_OR_RETURN(t.subject, ParseSubject(err, n["subject"]));
      const YAML::Node weights = n["rules"];
      if (!weights || !weights.IsMap() || weights.size() == 0) {
        return err.At(weights ? weights : n, absl::StrCat(where, ": 'rules' must map rule ids to weights"));
      }
      for (const auto& w : weights) {
        const std::string rid = w.first.as<std::string>();
        auto it = rule_index.find(rid);
        if (it == rule_index.end()) return err.At(w.first, absl::StrCat(where, ": unknown rule '", rid, "'"));
        ASSIGN_OR_RETURN(double weight, ParseNumber(err, w.second, "a rule weight"));
        if (weight <= 0) return err.At(w.second, "a rule weight must be > 0");
        t.rules.push_back({it->second, weight});
      }
      if (!n["threshold"]) return err.At(n, absl::StrCat(where, ": missing required field 'threshold'"));
      ASSIGN_OR_RETURN(t.threshold, ParseNumber(err, n["threshold"], "threshold"));
      double total = 0;
      for (const auto& [_, w] : t.rules) total += w;
      t.total_weight = total;
      if (t.threshold <= 0 || t.threshold > total + 1e-9) {
        return err.At(n["threshold"],
                      absl::StrCat(where, ": threshold must be > 0 and reachable (the weights sum to ", total, ")"));
      }
      ASSIGN_OR_RETURN(std::string sev, Scalar(err, n, "severity", where));
      static const std::pair<absl::string_view, v1::Severity> kSev[] = {
          {"low", v1::LOW}, {"medium", v1::MEDIUM}, {"high", v1::HIGH}, {"critical", v1::CRITICAL}};
      bool found = false;
      for (const auto& [name, s] : kSev) {
        if (sev == name) {
          t.severity = s;
          found = true;
        }
      }
      if (!found)
        return err.At(n["severity"], absl::StrCat("unknown severity '", sev, "' (low, medium, high, critical)"));
      const YAML::Node dests = n["destinations"];
      if (!dests || !dests.IsSequence() || dests.size() == 0) {
        return err.At(dests ? dests : n, absl::StrCat(where, ": 'destinations' must list UIF and/or SUNAT"));
      }
      for (const auto& d : dests) {
        const std::string s = d.Scalar();
        if (s == "UIF") {
          t.destinations.push_back(v1::UIF);
        } else if (s == "SUNAT") {
          t.destinations.push_back(v1::SUNAT);
        } else {
          return err.At(d, absl::StrCat("unknown destination '", s, "' (expected UIF or SUNAT)"));
        }
      }
      ASSIGN_OR_RETURN(std::string dedup, Scalar(err, n, "dedup_window", where));
      auto dw = ParseDuration(dedup);
      if (!dw.ok()) return err.At(n["dedup_window"], absl::StrCat("dedup_window: ", dw.status().message()));
      t.dedup_window_micros = *dw;
      ASSIGN_OR_RETURN(std::string status, Scalar(err, n, "status", where, false));
      if (status.empty() || status == "active") {
        t.shadow = false;
      } else if (status == "shadow") {
        t.shadow = true;
      } else {
        return err.At(n["status"], absl::StrCat("unknown status '", status, "' (active or shadow)"));
      }
      pack->typologies_.push_back(std::move(t));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(source, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return pack;
}

void RulePack::Evaluate(EvalContext& ctx, EvalScratch* scratch) const {
  scratch->rule_state.assign(rules_.size(), -1);
  for (TypologyHit& h : scratch->hits) scratch->spare_rule_lists.push_back(std::move(h.fired_rules));
  scratch->hits.clear();
  RuleMemo memo(this, &ctx, &scratch->rule_state);
  RuleSource* const previous = ctx.rules;
  ctx.rules = &memo;
  for (size_t t = 0; t < typologies_.size(); ++t) {
    const TypologySpec& typ = typologies_[t];
    double score = 0, remaining = typ.total_weight;
    TypologyHit* hit = nullptr;
    for (const auto& [rule, weight] : typ.rules) {
      // Stop once the threshold is out of reach: later (costlier) rules are
      // never evaluated for nothing. Authors list cheap rules first.
      if (score + remaining + 1e-9 < typ.threshold) break;
      remaining -= weight;
      if (RuleFires(rule, ctx, scratch->rule_state)) {
        score += weight;
        if (!hit) {
          hit = &scratch->hits.emplace_back();
          hit->typology = int(t);
          if (!scratch->spare_rule_lists.empty()) {
            hit->fired_rules = std::move(scratch->spare_rule_lists.back());
            scratch->spare_rule_lists.pop_back();
            hit->fired_rules.clear();
          }
        }
        hit->fired_rules.push_back(rule);
      }
    }
    if (hit) {
      if (score + 1e-9 >= typ.threshold) {
        hit->score = score;
      } else {
        scratch->spare_rule_lists.push_back(std::move(hit->fired_rules));
        scratch->hits.pop_back();
      }
    }
  }
  ctx.rules = previous;
}

}  // namespace centinela::rules
