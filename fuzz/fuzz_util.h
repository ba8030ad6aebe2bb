// What every fuzz target checks beyond "no crash, no sanitizer report".
#ifndef CENTINELA_FUZZ_FUZZ_UTIL_H_
#define CENTINELA_FUZZ_FUZZ_UTIL_H_

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/stubs/logging.h"

namespace centinela::fuzz {

// An error must say what was wrong: a status without a message is a bug.
inline void CheckError(const absl::Status& s) {
  if (!s.ok() && s.message().empty()) {
    std::fprintf(stderr, "fuzz: error without a message: %s\n", s.ToString().c_str());
    std::abort();
  }
}
template <class T>
void CheckError(const absl::StatusOr<T>& s) {
  CheckError(s.status());
}

// Protobuf logs every string field that is not UTF-8 (an error the decoder
// returns anyway); silenced so that the fuzzer spends its time fuzzing.
inline bool SilenceProtobufLogs() {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}

// Fails loudly when an invariant of the target does not hold.
inline void Require(bool condition, const std::string& what) {
  if (!condition) {
    std::fprintf(stderr, "fuzz: invariant broken: %s\n", what.c_str());
    std::abort();
  }
}

}  // namespace centinela::fuzz

#endif  // CENTINELA_FUZZ_FUZZ_UTIL_H_
