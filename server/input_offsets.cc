#include "server/input_offsets.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"

namespace centinela {

absl::StatusOr<std::vector<InputLoss>> ReconcileInputOffsets(Store* store, const std::string& topic,
                                                             const WatermarkQuery& watermarks, bool accept,
                                                             bool new_broker) {
  ASSIGN_OR_RETURN(auto stored, store->LoadOffsets(topic));
  ASSIGN_OR_RETURN(const auto seen, store->LoadHighWatermarks(topic));
  // A partition seen but never consumed from was at position 0.
  for (const auto& [partition, high] : seen) stored.emplace(partition, 0);
  std::vector<InputLoss> losses;
  rocksdb::WriteBatch batch;
  int64_t lost = 0;
  for (const auto& [partition, position] : stored) {
    auto range = watermarks(partition);
    InputLoss loss;
    loss.partition = partition;
    loss.from = position;
    if (auto it = seen.find(partition); it != seen.end()) loss.to = std::max(it->second, position);
    if (range.ok()) {
      const auto [low, high] = *range;
      // On the broker the position came from, a position in its range is
      // where to resume. On a new broker every old position is moot.
      if (!new_broker && position >= low && position <= high) continue;
      if (new_broker && position == 0 && loss.to <= 0) continue;  // it never held anything here
      // Beyond the end: the broker is not the one the position came from.
      // Before the start: the records in between expired.
      loss.restart_at = low;
      if (position < low) loss.to = std::max(loss.to, low);
    } else if (!absl::IsNotFound(range.status())) {
      return range.status();
    }
    if (!accept) {
      return absl::FailedPreconditionError(absl::StrCat(
          "partition ", topic, "/", partition, ": the position stored in ", store->path(), " (offset ", position,
          ") is not in the broker's range (",
          range.ok() ? absl::StrCat(range->first, " to ", range->second) : std::string(range.status().message()),
          "): the topic was recreated, the broker replaced, or its data expired. The data directory keeps the "
          "alerts, workflow and audit; start with --accept-lost-input to record the records in between as lost "
          "and consume from what the broker has"));
    }
    lost += loss.records();
    losses.push_back(loss);
    std::string v;
    PutBigEndian64(&v, uint64_t(loss.restart_at));
    batch.Put(store->cf(Cf::kOffsets), Store::OffsetKey(topic, partition), v);
    // What was seen of the old partition says nothing of the new one.
    Store::PutHighWatermark(&batch, store->cf(Cf::kMeta), topic, partition, loss.restart_at);
  }
  if (losses.empty()) return losses;
  ASSIGN_OR_RETURN(const int64_t ever, store->GetCounter(kMetaLostInput));
  Store::PutCounter(&batch, store->cf(Cf::kMeta), kMetaLostInput, ever + lost);
  RETURN_IF_ERROR(store->Write(&batch));
  return losses;
}

std::string DescribeLosses(const std::string& topic, const std::vector<InputLoss>& losses) {
  std::string out;
  int64_t total = 0;
  bool unknown = false;
  for (const InputLoss& l : losses) {
    if (l.records() > 0) {
      absl::StrAppend(&out, "  ", topic, "/", l.partition, ": offsets ", l.from, " to ", l.to - 1, " (", l.records(),
                      " record(s), as last seen) were never processed; now from offset ", l.restart_at, "\n");
      total += l.records();
    } else if (l.to >= 0) {
      absl::StrAppend(&out, "  ", topic, "/", l.partition, ": every record up to offset ", l.from - 1,
                      " was processed; now from offset ", l.restart_at, "\n");
    } else {
      absl::StrAppend(&out, "  ", topic, "/", l.partition, ": from offset ", l.from,
                      " on, none known to have existed; now from offset ", l.restart_at, "\n");
      unknown = true;
    }
  }
  absl::StrAppend(&out, "  lost: ", total, " record(s) known",
                  unknown ? " (more may have been sent after the last commit)" : "", "\n");
  return out;
}

}  // namespace centinela
