// Confusion counts of a binary labelling (the positive class: a name pair
// that is the same party, a laundering transaction) and the measures made
// of them. Value type.
#ifndef CENTINELA_EVAL_CLASS_COUNTS_H_
#define CENTINELA_EVAL_CLASS_COUNTS_H_

#include <cstdint>

namespace centinela::eval {

struct PairCounts {
  int64_t tp = 0, fp = 0, fn = 0, tn = 0;
  double Precision() const { return tp + fp > 0 ? double(tp) / double(tp + fp) : 0; }
  double Recall() const { return tp + fn > 0 ? double(tp) / double(tp + fn) : 0; }
  double F1() const {
    const double p = Precision(), r = Recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
  }
  int64_t Total() const { return tp + fp + fn + tn; }
};

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_CLASS_COUNTS_H_
