// A scratch directory under the system's temp directory, removed with all it
// holds on destruction; path() is empty when it could not be created.
// Internal to cli/ (eval and backtest databases).
#ifndef CENTINELA_CLI_SCRATCH_DIR_H_
#define CENTINELA_CLI_SCRATCH_DIR_H_

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace centinela::cli {

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) {
    std::string t = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    path_ = mkdtemp(t.data()) ? t : "";
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_SCRATCH_DIR_H_
