#include "eval/name_pairs.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/status_macros.h"
#include "base/yaml_util.h"
#include "screening/lists/csv_reader.h"
#include "screening/match/name_match.h"
#include "screening/match/to_proto.h"

namespace centinela::eval {

absl::StatusOr<std::vector<NamePair>> LoadNamePairs(const std::string& path) {
  ASSIGN_OR_RETURN(const std::string text, ReadFile(path, "name pairs"));
  screening::CsvReader reader(text, path);
  std::vector<std::string> f;
  const std::vector<std::string> header = {"a", "b", "kind", "label", "class", "source"};
  if (!reader.Next(f)) {
    RETURN_IF_ERROR(reader.status());
    return absl::InvalidArgumentError(absl::StrCat(path, ": empty; expected the header a,b,kind,label,class,source"));
  }
  if (f != header) {
    return absl::InvalidArgumentError(
        absl::StrCat(reader.Where(), ": expected the header a,b,kind,label,class,source"));
  }
  std::vector<NamePair> out;
  while (reader.Next(f)) {
    if (f.size() != header.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat(reader.Where(), ": ", f.size(), " fields, expected ", header.size()));
    }
    NamePair p;
    p.a = f[0];
    p.b = f[1];
    if (p.a.empty() || p.b.empty())
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": a name is empty"));
    absl::StatusOr<screening::EntryKind> kind = screening::ParseNameKind(f[2]);
    if (!kind.ok()) return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": ", kind.status().message()));
    p.kind = *kind;
    if (f[3] != "0" && f[3] != "1") {
      return absl::InvalidArgumentError(absl::StrCat(reader.Where(), ": label '", f[3], "' is not 0 or 1"));
    }
    p.same = f[3] == "1";
    p.klass = f[4].empty() ? "unclassified" : f[4];
    p.source = f[5];
    p.line = reader.line();
    out.push_back(std::move(p));
  }
  RETURN_IF_ERROR(reader.status());
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no pairs after the header"));
  return out;
}

NamePairReport EvaluateNamePairs(const std::vector<NamePair>& pairs, double threshold) {
  NamePairReport r;
  r.threshold = threshold;
  for (const NamePair& p : pairs) {
    const double score = screening::CompareNameReadings(p.a, p.b, nullptr, nullptr, p.kind).score;
    const bool match = score >= threshold;
    for (PairCounts* c : {&r.all, &r.by_kind[std::string(screening::EntryKindName(p.kind))], &r.by_class[p.klass]}) {
      (p.same ? (match ? c->tp : c->fn) : (match ? c->fp : c->tn)) += 1;
    }
    if (match != p.same) {
      r.errors.push_back(absl::StrFormat("line %d %s (%s): %s ~ %s score %.3f", p.line, p.klass,
                                         p.same ? "missed" : "false match", p.a, p.b, score));
    }
  }
  return r;
}

}  // namespace centinela::eval
