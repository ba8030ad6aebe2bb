// Event-time expiry of window buckets, counterparty memories and transfer
// edges, done by RocksDB compaction rather than by delete records on the hot
// path.
#ifndef CENTINELA_ENGINE_STATE_EXPIRY_FILTER_H_
#define CENTINELA_ENGINE_STATE_EXPIRY_FILTER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "rocksdb/compaction_filter.h"

namespace centinela {

// Every expirable value starts with `expire_at` (an ordered i64 event time:
// the moment after which no window, memory or graph search can reach the
// entry). An entry is dropped at compaction once
//   expire_at + grace < watermark,
// where the watermark is the event time up to which the engine has committed
// (Store::AdvanceExpiryWatermark) and `grace` is how late a transaction may
// arrive and still see the state it would have seen in order.
//
// Which entries are expirable is told by the key: in `state`, a key that ends
// right after its subject is a profile and never expires; anything longer
// (window bucket, counterparty memory) carries `expire_at`. In `edges` and
// `transactions` (layout kEdges), every value carries it. Entries too short
// to carry it are kept: the filter never drops what it cannot read.
//
// Lifetime: must outlive the DB it is installed in (the Store owns both).
// Thread-safe: RocksDB calls it from its compaction threads; it only reads
// the watermark atomically.
class EventTimeExpiryFilter : public rocksdb::CompactionFilter {
 public:
  enum class Layout { kState, kEdges };
  EventTimeExpiryFilter(Layout layout, const std::atomic<int64_t>* watermark, int64_t grace_micros)
      : layout_(layout), watermark_(watermark), grace_(grace_micros) {}

  bool Filter(int level, const rocksdb::Slice& key, const rocksdb::Slice& existing_value, std::string* new_value,
              bool* value_changed) const override;
  const char* Name() const override { return "centinela.EventTimeExpiry"; }

  // Whether an entry with this key and value is past its expiry at `watermark`.
  static bool Expired(Layout layout, absl::string_view key, absl::string_view value, int64_t watermark,
                      int64_t grace_micros);

 private:
  Layout layout_;
  const std::atomic<int64_t>* watermark_;
  int64_t grace_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_EXPIRY_FILTER_H_
