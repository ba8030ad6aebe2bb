// Precision, recall and F1 of the pairwise name comparison on a labelled set
// of name pairs (eval/data/name_pairs.csv, made by
// scripts/make-name-pairs.py; eval/data/README.md says where each pair
// comes from). Each pair is compared as `centinela lists compare --kind`
// does, and matches when its score reaches the threshold.
// Pure functions, thread-safe.
#ifndef CENTINELA_EVAL_NAME_PAIRS_H_
#define CENTINELA_EVAL_NAME_PAIRS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/class_counts.h"
#include "screening/lists/watchlist.h"

namespace centinela::eval {

struct NamePair {
  std::string a, b;
  screening::EntryKind kind = screening::EntryKind::kUnknown;
  bool same = false;  // label 1: both name the same party
  std::string klass;  // difficulty class ("typo", "legal_form", "other_surname", ...)
  std::string source;
  int line = 0;
};

// Reads a CSV with the header a,b,kind,label,class,source (kind: person,
// organization or empty; label: 0 or 1). Errors name FILE:LINE.
absl::StatusOr<std::vector<NamePair>> LoadNamePairs(const std::string& path);

struct NamePairReport {
  double threshold = 0;
  PairCounts all;
  std::map<std::string, PairCounts> by_kind;   // "person", "entity", "unknown"
  std::map<std::string, PairCounts> by_class;  // a class holds positives or negatives
  // The wrong answers, in file order: "LINE class: A ~ B score S".
  std::vector<std::string> errors;
};

NamePairReport EvaluateNamePairs(const std::vector<NamePair>& pairs, double threshold);

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_NAME_PAIRS_H_
