#include "engine/state/expiry_filter.h"

#include "base/keys.h"

namespace centinela {

bool EventTimeExpiryFilter::Expired(Layout layout, absl::string_view key, absl::string_view value, int64_t watermark,
                                    int64_t grace_micros) {
  if (layout == Layout::kState) {
    // state_id(4) | len(2) | subject | rest: no rest means a profile.
    if (key.size() < 6) return false;
    const size_t subject_len = GetBigEndian16(key.substr(4, 2));
    if (key.size() <= 6 + subject_len) return false;
  }
  if (value.size() < 8) return false;
  const int64_t expire_at = GetOrderedInt64(value.substr(0, 8));
  // expire_at + grace < watermark, written so that nothing can overflow.
  if (watermark < INT64_MIN + grace_micros) return false;
  return expire_at < watermark - grace_micros;
}

bool EventTimeExpiryFilter::Filter(int /*level*/, const rocksdb::Slice& key, const rocksdb::Slice& existing_value,
                                   std::string* /*new_value*/, bool* /*value_changed*/) const {
  const int64_t watermark = watermark_->load(std::memory_order_relaxed);
  if (watermark == INT64_MIN) return false;
  return Expired(layout_, absl::string_view(key.data(), key.size()),
                 absl::string_view(existing_value.data(), existing_value.size()), watermark, grace_);
}

}  // namespace centinela
