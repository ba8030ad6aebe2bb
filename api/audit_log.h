// The append-only, hash-chained audit log of every request to the API
// (docs/api.md, "Audit"), and the anchor that makes cutting its tail
// detectable.
#ifndef CENTINELA_API_AUDIT_LOG_H_
#define CENTINELA_API_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "base/mutex.h"
#include "centinela/v1/investigation.pb.h"
#include "engine/state/store.h"

namespace centinela::api {

// The last entry of a chain: what an anchor remembers.
struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

// Where the chain's head is kept outside the log file, so that removing
// entries from the end of the file (which leaves a valid chain) is found.
// Thread-safety: Save is called under the log's lock.
class AuditAnchor {
 public:
  virtual ~AuditAnchor() = default;
  virtual absl::StatusOr<std::optional<AuditHead>> Load() const = 0;
  virtual absl::Status Save(const AuditHead& head) = 0;
  // Where it is kept, for messages ("demo-data/db (RocksDB)").
  virtual std::string Describe() const = 0;
};

// The anchor in the engine's RocksDB (meta column family, key
// "audit/head"), written after every entry. Borrows `store`.
class StoreAuditAnchor : public AuditAnchor {
 public:
  explicit StoreAuditAnchor(Store* store) : store_(store) {}
  absl::StatusOr<std::optional<AuditHead>> Load() const override;
  absl::Status Save(const AuditHead& head) override;
  std::string Describe() const override;

 private:
  Store* store_;
};

// A JSON Lines file: one AuditEntry per line, each carrying the hash of the
// previous entry and its own. Lines are written with O_APPEND and reach the
// OS on every entry (they survive a process crash; `sync_every` > 0 also
// fdatasyncs every that many entries, for power loss). With an anchor, the
// head is saved after every entry, and a log that does not reach its anchor
// (truncated) or does not hold the anchored entry (replaced) is refused at
// Open: the engine never extends such a chain.
//
// Lifetime: owns the file descriptor; borrows the anchor. Thread-safe:
// appends are serialised.
class AuditLog {
 public:
  // Opens or creates the log and resumes its chain from the last entry
  // (which must parse), checking it against `anchor` when given (see above;
  // DataLoss "PATH: ..." naming what is wrong and what to do). Entries
  // written after the anchor was last saved (a crash between the two) must
  // chain from it; the anchor then moves to the last entry.
  static absl::StatusOr<std::unique_ptr<AuditLog>> Open(const std::string& path, AuditAnchor* anchor = nullptr,
                                                        int sync_every = 0);
  ~AuditLog();

  // Fills seq, prev and hash, appends the entry, saves the anchor; returns
  // the entry's seq.
  absl::StatusOr<int64_t> Append(v1::AuditEntry entry);

  // Checks every line: it parses, prints back byte for byte, its hash
  // matches its content, it names the previous hash and seq follows; with
  // `anchor`, also that the chain reaches the anchored entry. Returns the
  // number of entries, or DataLoss "PATH:LINE: entry seq N: what is wrong".
  static absl::StatusOr<int64_t> Verify(const std::string& path, const std::optional<AuditHead>& anchor = {});
  // Entries with seq >= from_seq, at most `limit`.
  static absl::StatusOr<std::vector<v1::AuditEntry>> Read(const std::string& path, int64_t from_seq, int limit);

  const std::string& path() const { return path_; }

 private:
  AuditLog(std::string path, int fd, AuditAnchor* anchor, int sync_every)
      : path_(std::move(path)), fd_(fd), anchor_(anchor), sync_every_(sync_every) {}
  // The canonical line of an entry (protobuf JSON, field names as in the proto).
  static absl::StatusOr<std::string> Print(const v1::AuditEntry& e);
  static absl::StatusOr<std::string> HashOf(v1::AuditEntry e);
  // The entries of the last `window` bytes of the file (whole lines only).
  static absl::StatusOr<std::vector<v1::AuditEntry>> Tail(const std::string& path, size_t window);

  const std::string path_;
  const int fd_;
  AuditAnchor* const anchor_;
  const int sync_every_;
  Mutex mu_;
  int64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_hash_ ABSL_GUARDED_BY(mu_);
  int unsynced_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace centinela::api

#endif  // CENTINELA_API_AUDIT_LOG_H_
