// Reading list files defensively. A list file comes from the operator's
// configuration or, on a reload, from a request (the API, the control
// topic): then it must lie in a configured list directory (symlinks
// resolved). Either way only a regular file of bounded size is read, so that
// /dev/zero, a FIFO or a 40 GB file is an error, not a hang or an exhausted
// machine. Errors name the file, never its content.
#ifndef CENTINELA_SCREENING_LISTS_LIST_FILE_H_
#define CENTINELA_SCREENING_LISTS_LIST_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace centinela::screening {

// What a list file must satisfy. Value type.
struct ListFileRules {
  // Directories files may be read from, canonical (see CanonicalDirs);
  // empty: anywhere (files named by the operator's own configuration).
  std::vector<std::string> dirs;
  // Files larger than this are refused (screening.max_list_bytes).
  int64_t max_bytes = 256LL << 20;
};

inline constexpr int64_t kDefaultMaxListBytes = 256LL << 20;

// The canonical form of each directory (symlinks resolved); NotFound naming
// one that does not exist, InvalidArgument for one that is not a directory.
absl::StatusOr<std::vector<std::string>> CanonicalDirs(const std::vector<std::string>& dirs);

// The whole content of `path` (`what` names it in errors: "OFAC SDN file").
// Errors: NotFound (missing or unreadable), PermissionDenied (outside
// rules.dirs), InvalidArgument (not a regular file, larger than max_bytes).
absl::StatusOr<std::string> ReadListFile(const std::string& path, absl::string_view what, const ListFileRules& rules);

// Whether `path` resolves (symlinks followed) into one of `dirs`; the error
// names the path and the directories.
absl::Status CheckInDirs(const std::string& path, const std::vector<std::string>& dirs);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_LISTS_LIST_FILE_H_
