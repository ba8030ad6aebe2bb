#include "api/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "api/auth.h"
#include "engine/common/proto_json.h"
#include "engine/common/status_macros.h"
#include "google/protobuf/util/json_util.h"

namespace centinela::api {

absl::StatusOr<std::string> AuditLog::Print(const v1::AuditEntry& e) { return ProtoToJson(e); }

absl::StatusOr<std::string> AuditLog::HashOf(v1::AuditEntry e) {
  e.clear_hash();
  ASSIGN_OR_RETURN(const std::string printed, Print(e));
  return Sha256Hex(printed);
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path, int sync_every) {
  int64_t last_seq = 0;
  std::string last_hash;
  {
    std::ifstream in(path);
    std::string line, last;
    int line_no = 0, last_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty()) {
        last = line;
        last_no = line_no;
      }
    }
    if (!last.empty()) {
      v1::AuditEntry e;
      if (!google::protobuf::util::JsonStringToMessage(last, &e).ok()) {
        return absl::DataLossError(absl::StrCat(path, ":", last_no,
                                                ": the last audit entry does not parse; run "
                                                "`centinela audit verify` and restore the log"));
      }
      last_seq = e.seq();
      last_hash = e.hash();
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot open the audit log: ", std::strerror(errno)));
  std::unique_ptr<AuditLog> log(new AuditLog(path, fd, sync_every));
  absl::MutexLock lock(&log->mu_);
  log->last_seq_ = last_seq;
  log->last_hash_ = last_hash;
  return log;
}

AuditLog::~AuditLog() {
  ::fdatasync(fd_);
  ::close(fd_);
}

absl::Status AuditLog::Append(v1::AuditEntry e) {
  absl::MutexLock lock(&mu_);
  e.set_seq(last_seq_ + 1);
  e.set_prev(last_hash_);
  ASSIGN_OR_RETURN(const std::string hash, HashOf(e));
  e.set_hash(hash);
  ASSIGN_OR_RETURN(std::string line, Print(e));
  line.push_back('\n');
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + off, line.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat(path_, ": cannot append to the audit log: ", std::strerror(errno)));
    }
    off += size_t(n);
  }
  if (sync_every_ > 0 && ++unsynced_ >= sync_every_) {
    ::fdatasync(fd_);
    unsynced_ = 0;
  }
  last_seq_ = e.seq();
  last_hash_ = e.hash();
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AuditLog::Verify(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the audit log"));
  std::string line, prev_hash;
  int64_t prev_seq = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = absl::StrCat(path, ":", line_no, ": ");
    v1::AuditEntry e;
    if (!google::protobuf::util::JsonStringToMessage(line, &e).ok()) {
      return absl::DataLossError(absl::StrCat(where, "entry after seq ", prev_seq, " is not a valid audit entry"));
    }
    const std::string label = absl::StrCat("entry seq ", e.seq(), ": ");
    absl::StatusOr<std::string> printed = Print(e);
    if (!printed.ok() || *printed != line) {
      return absl::DataLossError(absl::StrCat(where, label, "the line is not as written (bytes changed)"));
    }
    absl::StatusOr<std::string> hash = HashOf(e);
    if (!hash.ok() || *hash != e.hash()) {
      return absl::DataLossError(absl::StrCat(where, label, "hash mismatch: its content was changed"));
    }
    if (e.seq() != prev_seq + 1) {
      return absl::DataLossError(
          absl::StrCat(where, label, "expected seq ", prev_seq + 1, ": entries were removed or reordered"));
    }
    if (e.prev() != prev_hash) {
      return absl::DataLossError(absl::StrCat(where, label, "does not chain to the entry before it"));
    }
    prev_seq = e.seq();
    prev_hash = e.hash();
  }
  return prev_seq;
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::Read(const std::string& path, int64_t from_seq, int limit) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the audit log"));
  std::vector<v1::AuditEntry> out;
  std::string line;
  int64_t line_no = 0;
  while (int(out.size()) < limit && std::getline(in, line)) {
    ++line_no;
    v1::AuditEntry e;
    if (!google::protobuf::util::JsonStringToMessage(line, &e).ok()) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": not a valid audit entry"));
    }
    if (e.seq() >= from_seq) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace centinela::api
