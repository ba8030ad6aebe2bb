// Runs the centinela binary as a child process for integration tests: reads
// its stdout line by line, kills it with any signal, collects exit status.
#ifndef CENTINELA_TESTS_TESTING_SUBPROCESS_H_
#define CENTINELA_TESTS_TESTING_SUBPROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace centinela::testing {

inline std::string CentinelaBinary() { return CENTINELA_BINARY_DIR "/cli/centinela"; }

// Lifetime: kills (SIGKILL) and reaps the child on destruction if still running.
class Subprocess {
 public:
  // stderr goes to `stderr_path` (or is inherited when empty).
  explicit Subprocess(const std::vector<std::string>& args, const std::string& stderr_path = "") {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      if (!stderr_path.empty()) {
        int fd = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) dup2(fd, 2);
      }
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    out_ = fdopen(out[0], "r");
  }
  ~Subprocess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      Wait();
    }
    if (out_) fclose(out_);
  }
  // The next stdout line (without newline), or nullopt at EOF.
  std::optional<std::string> ReadLine() {
    if (!out_) return std::nullopt;
    char* line = nullptr;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, out_);
    if (n < 0) {
      free(line);
      return std::nullopt;
    }
    std::string s(line, size_t(n));
    free(line);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return s;
  }
  void Kill(int sig) { kill(pid_, sig); }
  // Exit code, or 128+signal.
  int Wait() {
    if (exited_) return status_;
    int st = 0;
    waitpid(pid_, &st, 0);
    exited_ = true;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  FILE* out_ = nullptr;
  bool exited_ = false;
  int status_ = -1;
};

// Runs to completion; returns exit code and captures stderr (and stdout,
// when `out` is given).
inline int RunCapture(const std::vector<std::string>& args, std::string* err, const std::string& scratch_dir,
                      std::string* out = nullptr) {
  const std::string path = scratch_dir + "/stderr.txt";
  unlink(path.c_str());
  Subprocess p(args, path);
  if (out) out->clear();
  while (auto line = p.ReadLine()) {
    if (out) out->append(*line + "\n");
  }
  const int code = p.Wait();
  err->clear();
  if (FILE* f = fopen(path.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) err->append(buf, n);
    fclose(f);
  }
  return code;
}

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_SUBPROCESS_H_
