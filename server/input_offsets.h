// The stored input positions against the broker the engine talks to now.
// Offsets live in RocksDB (docs/delivery.md); when the broker's partitions no
// longer hold them (a new embedded broker, a topic recreated, data expired),
// the records between the stored position and what the broker has are lost.
// This says so plainly, with the offsets, instead of refusing the data
// directory that holds the alerts, the workflow and the audit anchor.
#ifndef CENTINELA_SERVER_INPUT_OFFSETS_H_
#define CENTINELA_SERVER_INPUT_OFFSETS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/state/store.h"

namespace centinela {

// Records of one partition that were never processed and are gone.
struct InputLoss {
  int32_t partition = 0;
  int64_t from = 0;        // the stored position: the first record not processed
  int64_t to = -1;         // one past the last record known to have existed (-1: none known)
  int64_t restart_at = 0;  // where consumption starts now
  int64_t records() const { return to > from ? to - from : 0; }
};

// A partition's low and high watermark on the broker, or an error (NotFound
// when the partition does not exist there).
using WatermarkQuery = std::function<absl::StatusOr<std::pair<int64_t, int64_t>>(int32_t partition)>;

// Checks every stored position of `topic`: one beyond its partition's end
// (a new broker or a recreated topic), before its start (data expired), or
// of a partition that no longer exists, is a loss; on a `new_broker` (the
// embedded one just started) every partition that held records is. With
// `accept`, each loss is recorded (meta counter/lost_input) and its position
// moved to where the broker's data starts; the losses are returned. Without,
// FailedPrecondition naming the partition, the offsets, and the way out
// (--accept-lost-input).
absl::StatusOr<std::vector<InputLoss>> ReconcileInputOffsets(Store* store, const std::string& topic,
                                                             const WatermarkQuery& watermarks, bool accept,
                                                             bool new_broker);

// One line per loss and a total, for the log.
std::string DescribeLosses(const std::string& topic, const std::vector<InputLoss>& losses);

}  // namespace centinela

#endif  // CENTINELA_SERVER_INPUT_OFFSETS_H_
