// The engine's processor on a scratch database, as the offline runs use it
// (evaluation on labelled data, backtests): detected_at fixed at 0 so that
// output is a function of the input, and no transaction archive (nobody
// investigates these transactions). Internal to eval/.
#ifndef CENTINELA_EVAL_SCRATCH_ENGINE_H_
#define CENTINELA_EVAL_SCRATCH_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "centinela/v1/alert.pb.h"
#include "engine/pipeline/processor.h"

namespace centinela::eval {

// Lifetime: owns everything; heap-allocated so the processor's borrowed
// pointers stay valid. One thread.
struct ScratchEngine {
  // `work_dir` must be empty or absent. `lists` are loaded for screen() in
  // rules, as the live engine loads its screening.lists.
  static absl::StatusOr<std::unique_ptr<ScratchEngine>> Open(const std::string& pack_path, const std::string& fx_path,
                                                             const std::string& work_dir,
                                                             const std::vector<screening::ListSpec>& lists = {});
  // Every alert in the scratch database, by id (commit first).
  absl::StatusOr<std::vector<v1::Alert>> Alerts() const;

  FxTable fx;
  std::unique_ptr<rules::RulePack> pack;
  std::unique_ptr<screening::ListSet> lists;
  std::unique_ptr<Store> store;
  std::unique_ptr<Processor> processor;
};

}  // namespace centinela::eval

#endif  // CENTINELA_EVAL_SCRATCH_ENGINE_H_
