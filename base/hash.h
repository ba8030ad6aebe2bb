// Stable (run- and machine-independent) hashes for ids and storage keys.
// absl::Hash is seeded per process and must never be used for anything stored.
#ifndef CENTINELA_BASE_HASH_H_
#define CENTINELA_BASE_HASH_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace centinela {

// 64-bit FNV-1a followed by a murmur3 finaliser (better avalanche).
uint64_t StableHash64(absl::string_view data, uint64_t seed = 0);

// 128 bits as 32 lowercase hex characters; used for alert ids.
std::string StableHashHex128(absl::string_view data);

// Lowercase hex SHA-256 of `data` (OpenSSL): token digests, the audit
// chain, the fingerprint of a dead-lettered record.
std::string Sha256Hex(absl::string_view data);

}  // namespace centinela

#endif  // CENTINELA_BASE_HASH_H_
