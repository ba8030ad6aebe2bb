#include "eval/scratch_engine.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace centinela::eval {

absl::StatusOr<std::unique_ptr<ScratchEngine>> ScratchEngine::Open(const std::string& pack_path,
                                                                   const std::string& fx_path,
                                                                   const std::string& work_dir,
                                                                   const std::vector<screening::ListSpec>& lists) {
  if (std::filesystem::exists(work_dir) && !std::filesystem::is_empty(work_dir)) {
    return absl::FailedPreconditionError(absl::StrCat(work_dir, ": work directory must be empty"));
  }
  ASSIGN_OR_RETURN(FxTable fx, FxTable::LoadFile(fx_path));
  auto e = std::make_unique<ScratchEngine>(ScratchEngine{std::move(fx), nullptr, nullptr, nullptr, nullptr});
  ASSIGN_OR_RETURN(e->pack, rules::RulePack::LoadFile(pack_path));
  e->lists = std::make_unique<screening::ListSet>();
  RETURN_IF_ERROR(e->lists->LoadAll(lists));
  ASSIGN_OR_RETURN(e->store, Store::Open(work_dir, {}));
  ProcessorOptions popts;
  popts.wall_clock_micros = [] { return int64_t(0); };
  popts.transaction_retention_micros = 0;
  popts.lists = e->lists.get();
  ASSIGN_OR_RETURN(e->processor, Processor::Create(e->store.get(), e->pack.get(), &e->fx, popts));
  return e;
}

absl::StatusOr<std::vector<v1::Alert>> ScratchEngine::Alerts() const {
  std::vector<v1::Alert> alerts;
  auto it = store->NewIterator(Cf::kAlerts);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!alerts.emplace_back().ParseFromArray(it->value().data(), int(it->value().size()))) {
      return absl::DataLossError("unreadable alert in the scratch database");
    }
  }
  return alerts;
}

}  // namespace centinela::eval
