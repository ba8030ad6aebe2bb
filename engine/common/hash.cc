#include "engine/common/hash.h"

#include "absl/strings/str_format.h"

namespace centinela {

uint64_t StableHash64(absl::string_view data, uint64_t seed) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (seed * 0x9e3779b97f4a7c15ULL);
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

std::string StableHashHex128(absl::string_view data) {
  return absl::StrFormat("%016x%016x", StableHash64(data, 1), StableHash64(data, 2));
}

}  // namespace centinela
