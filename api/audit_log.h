// The append-only, hash-chained audit log of every read and write of alert
// data through the API (docs/api.md, "Audit").
#ifndef CENTINELA_API_AUDIT_LOG_H_
#define CENTINELA_API_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "centinela/v1/investigation.pb.h"

namespace centinela::api {

// A JSON Lines file: one AuditEntry per line, each carrying the hash of the
// previous entry and its own. Lines are written with O_APPEND and flushed to
// the OS on every entry (they survive a process crash; `sync_every` > 0 also
// fdatasyncs every that many entries, for power loss).
//
// Lifetime: owns the file descriptor. Thread-safe: appends are serialised.
class AuditLog {
 public:
  // Opens or creates the log and resumes its chain from the last line (which
  // must parse; run Verify() for the whole file).
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path, int sync_every = 0);
  ~AuditLog();

  // Fills seq, prev and hash and appends the entry.
  absl::Status Append(v1::AuditEntry entry);

  // Checks every line: it parses, prints back byte for byte, its hash
  // matches its content, it names the previous hash and seq follows. Returns
  // the number of entries, or DataLoss "PATH:LINE: entry seq N: what is wrong".
  static absl::StatusOr<int64_t> Verify(const std::string& path);
  // Entries with seq >= from_seq, at most `limit`.
  static absl::StatusOr<std::vector<v1::AuditEntry>> Read(const std::string& path, int64_t from_seq, int limit);

  const std::string& path() const { return path_; }

 private:
  AuditLog(std::string path, int fd, int sync_every) : path_(std::move(path)), fd_(fd), sync_every_(sync_every) {}
  // The canonical line of an entry (protobuf JSON, field names as in the proto).
  static absl::StatusOr<std::string> Print(const v1::AuditEntry& e);
  static absl::StatusOr<std::string> HashOf(v1::AuditEntry e);

  const std::string path_;
  const int fd_;
  const int sync_every_;
  absl::Mutex mu_;
  int64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_hash_ ABSL_GUARDED_BY(mu_);
  int unsynced_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace centinela::api

#endif  // CENTINELA_API_AUDIT_LOG_H_
