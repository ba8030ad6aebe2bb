// Measures the screening matcher on the lists themselves:
//
// - recall: every name and alias of the chosen lists, perturbed one way at a
//   time (one typo, tokens reordered, a middle name dropped, accents added,
//   a Spanish-style second surname added), must find its own entry at the
//   threshold;
// - false positives: generated Peruvian person and company names (not on the
//   lists: any that equals a listed name token for token is set aside and
//   counted) must not hit anything;
// - cross-script pairs (../shared/data/lists/cross_script_pairs.csv): the
//   pairwise score must reach each pair's minimum.
//
// Deterministic for a given seed. Used by tests/eval/screening_eval_test.cc
// and `centinela lists evaluate`.
#ifndef CENTINELA_EVAL_SCREENING_EVAL_H_
#define CENTINELA_EVAL_SCREENING_EVAL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eval/class_counts.h"
#include "screening/match/list_set.h"

namespace centinela::eval {

struct ScreeningEvalOptions {
  double threshold = screening::kDefaultThreshold;
  int64_t negatives = 100000;
  uint64_t seed = 20261123;
  int64_t max_examples = 10;
  std::function<void(const std::string&)> progress;  // optional
};

struct PerturbationResult {
  std::string kind;  // typo, reorder, drop_middle, accents, double_surname
  int64_t total = 0;
  int64_t found = 0;
  double recall() const { return total > 0 ? double(found) / double(total) : 0; }
};

struct ScreeningEvalReport {
  std::vector<PerturbationResult> by_kind;
  // Positives: perturbed listed names (tp found, fn missed); negatives:
  // generated names (fp hit something, tn did not).
  PairCounts counts;
  int64_t set_aside = 0;  // generated names equal to a listed name (not negatives)
  int64_t positives() const { return counts.tp + counts.fn; }
  int64_t negatives() const { return counts.fp + counts.tn; }
  std::vector<std::string> misses;  // examples: "query -> expected entry"
  std::vector<std::string> false_positive_examples;
  double seconds = 0;
  double recall() const { return counts.Recall(); }
  double fp_rate() const { return negatives() > 0 ? double(counts.fp) / double(negatives()) : 0; }
  double precision() const { return counts.Precision(); }
  double f1() const { return counts.F1(); }
};

// Runs recall and false-positive measurements over `lists` (names in `set`).
absl::StatusOr<ScreeningEvalReport> EvaluateScreening(const screening::ListSet& set,
                                                      const std::vector<std::string>& lists,
                                                      const ScreeningEvalOptions& options);

// Generates `n` Peruvian person and company names (deterministic).
std::vector<std::string> GeneratePeruvianNames(int64_t n, uint64_t seed);

struct CrossScriptPair {
  std::string query, expected;
  double min_score = 0;
  std::string description;
  int line = 0;
};
// Reads cross_script_pairs.csv ("query,expected,min_score,description";
// '#' comments). Errors name FILE:LINE.
absl::StatusOr<std::vector<CrossScriptPair>> LoadCrossScriptPairs(const std::string& path);

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_SCREENING_EVAL_H_
