// Big-endian fixed-width key encoding, so that RocksDB's bytewise order equals
// numeric order and range scans read time-ordered. See docs/storage.md.
#ifndef CENTINELA_BASE_KEYS_H_
#define CENTINELA_BASE_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace centinela {

inline void PutBigEndian64(std::string* out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out->push_back(char((v >> (i * 8)) & 0xff));
}
inline void PutBigEndian32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(char((v >> (i * 8)) & 0xff));
}
inline void PutBigEndian16(std::string* out, uint16_t v) {
  out->push_back(char(v >> 8));
  out->push_back(char(v & 0xff));
}
// A variable-length component: 2-byte length, then the bytes (at most 65,535),
// so that it cannot run into the component after it.
inline void PutLengthPrefixed16(std::string* out, absl::string_view s) {
  const size_t n = s.size() < 0xffff ? s.size() : 0xffff;
  PutBigEndian16(out, uint16_t(n));
  out->append(s.data(), n);
}
inline uint64_t GetBigEndian64(absl::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | uint8_t(in[i]);
  return v;
}
inline uint16_t GetBigEndian16(absl::string_view in) {
  return uint16_t((uint16_t(uint8_t(in[0])) << 8) | uint8_t(in[1]));
}
inline uint32_t GetBigEndian32(absl::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | uint8_t(in[i]);
  return v;
}
// Signed values are biased so that negative numbers sort before positive ones.
inline void PutOrderedInt64(std::string* out, int64_t v) { PutBigEndian64(out, uint64_t(v) ^ (1ULL << 63)); }
inline int64_t GetOrderedInt64(absl::string_view in) { return int64_t(GetBigEndian64(in) ^ (1ULL << 63)); }

}  // namespace centinela

#endif  // CENTINELA_BASE_KEYS_H_
