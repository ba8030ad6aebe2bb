#include "screening/lists/list_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/status_macros.h"

namespace centinela::screening {
namespace fs = std::filesystem;

absl::StatusOr<std::vector<std::string>> CanonicalDirs(const std::vector<std::string>& dirs) {
  std::vector<std::string> out;
  for (const std::string& d : dirs) {
    std::error_code ec;
    const fs::path canonical = fs::canonical(d, ec);
    if (ec) return absl::NotFoundError(absl::StrCat(d, ": list directory: ", ec.message()));
    if (!fs::is_directory(canonical, ec)) {
      return absl::InvalidArgumentError(absl::StrCat(d, ": list directory: not a directory"));
    }
    out.push_back(canonical.string());
  }
  return out;
}

absl::Status CheckInDirs(const std::string& path, const std::vector<std::string>& dirs) {
  std::error_code ec;
  const std::string canonical = fs::canonical(path, ec).string();
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": ", ec.message()));
  for (const std::string& d : dirs) {
    if (canonical == d || (canonical.size() > d.size() && canonical.compare(0, d.size(), d) == 0 &&
                           (d.back() == '/' || canonical[d.size()] == '/'))) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat(path, ": outside the list directories (screening.list_dirs: ",
                                                  dirs.empty() ? "none configured" : absl::StrJoin(dirs, ", "), ")"));
}

absl::StatusOr<std::string> ReadListFile(const std::string& path, absl::string_view what, const ListFileRules& rules) {
  std::error_code ec;
  const std::string canonical = fs::canonical(path, ec).string();
  if (ec) return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what, ": ", ec.message()));
  if (!rules.dirs.empty()) RETURN_IF_ERROR(CheckInDirs(path, rules.dirs));
  auto check = [&](const struct stat& st) -> absl::Status {
    if (!S_ISREG(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", what, " is not a regular file"));
    }
    if (st.st_size > rules.max_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", what, " is ", st.st_size,
                                                     " bytes, more than the limit of ", rules.max_bytes,
                                                     " (screening.max_list_bytes)"));
    }
    return absl::OkStatus();
  };
  struct stat st;
  if (::stat(canonical.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what, ": ", std::strerror(errno)));
  }
  if (absl::Status s = check(st); !s.ok()) return s;
  // Non-blocking: should the file be swapped for a FIFO meanwhile, open does
  // not wait for a writer; fstat then refuses it.
  const int fd = ::open(canonical.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return absl::NotFoundError(absl::StrCat(path, ": cannot open ", what, ": ", std::strerror(errno)));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot stat ", what, ": ", std::strerror(errno)));
  }
  if (absl::Status s = check(st); !s.ok()) return s;
  std::string text;
  text.resize(size_t(st.st_size));
  size_t got = 0;
  while (true) {
    if (got == text.size()) {
      if (int64_t(text.size()) > rules.max_bytes) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": ", what, " grew past the limit of ", rules.max_bytes, " bytes while read"));
      }
      text.resize(std::min<size_t>(text.size() + 65536, size_t(rules.max_bytes) + 1));
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat(path, ": cannot read ", what, ": ", std::strerror(errno)));
    }
    if (n == 0) break;
    got += size_t(n);
  }
  text.resize(got);
  return text;
}

}  // namespace centinela::screening
