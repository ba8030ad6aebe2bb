#include "api/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "base/keys.h"
#include "base/proto_json.h"
#include "base/status_macros.h"

namespace centinela::api {
namespace {

constexpr absl::string_view kAnchorKey = "audit/head";
// Open reads this much of the file's end to find the anchored entry (a crash
// leaves at most a few entries after it); a longer tail is read whole.
constexpr size_t kTailWindow = 4 << 20;

absl::Status Truncated(const std::string& path, int64_t last, const AuditAnchor* anchor, const AuditHead& a) {
  return absl::DataLossError(absl::StrCat(
      path, ": the log ends at seq ", last, ", but its anchor in ", anchor ? anchor->Describe() : "the data directory",
      " says the chain reached seq ", a.seq,
      ": entries were removed from its end, or the file was replaced. Restore it from a backup; the engine does not "
      "extend a chain that does not match its anchor (docs/api.md, \"Audit\")"));
}

}  // namespace

// ---------------------------------------------------------------- anchor

absl::StatusOr<std::optional<AuditHead>> StoreAuditAnchor::Load() const {
  std::string v;
  ASSIGN_OR_RETURN(const bool found, store_->Get(Cf::kMeta, kAnchorKey, &v));
  if (!found) return std::nullopt;
  if (v.size() < 8) return absl::DataLossError(absl::StrCat(store_->path(), ": the audit anchor is malformed"));
  return AuditHead{int64_t(GetBigEndian64(v)), v.substr(8)};
}

absl::Status StoreAuditAnchor::Save(const AuditHead& head) {
  std::string v;
  PutBigEndian64(&v, uint64_t(head.seq));
  v += head.hash;
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kMeta), rocksdb::Slice(kAnchorKey.data(), kAnchorKey.size()), v);
  return store_->Write(&batch);
}

std::string StoreAuditAnchor::Describe() const { return absl::StrCat(store_->path(), " (RocksDB)"); }

// ---------------------------------------------------------------- log

absl::StatusOr<std::string> AuditLog::Print(const v1::AuditEntry& e) { return ProtoToJson(e); }

absl::StatusOr<std::string> AuditLog::HashOf(v1::AuditEntry e) {
  e.clear_hash();
  ASSIGN_OR_RETURN(const std::string printed, Print(e));
  return Sha256Hex(printed);
}

absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::Tail(const std::string& path, size_t window) {
  std::vector<v1::AuditEntry> out;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return out;  // no file yet
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > std::streamoff(window) ? size - std::streamoff(window) : 0;
  in.seekg(from);
  std::string text(size_t(size - from), '\0');
  if (!in.read(text.data(), std::streamsize(text.size()))) {
    return absl::DataLossError(absl::StrCat(path, ": cannot read the end of the audit log"));
  }
  size_t pos = 0;
  if (from > 0) pos = text.find('\n') == std::string::npos ? text.size() : text.find('\n') + 1;  // a partial line
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const absl::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty()) continue;
    v1::AuditEntry e;
    if (!ProtoFromJson(line, &e).ok()) {
      return absl::DataLossError(absl::StrCat(
          path, ": an entry near its end does not parse; run `centinela audit verify` and restore the log"));
    }
    out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path, AuditAnchor* anchor, int sync_every) {
  std::optional<AuditHead> anchored;
  if (anchor != nullptr) {
    ASSIGN_OR_RETURN(anchored, anchor->Load());
  }
  ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> tail, Tail(path, kTailWindow));
  if (anchored && anchored->seq > 0 && !tail.empty() && tail.front().seq() > anchored->seq) {
    ASSIGN_OR_RETURN(tail, Read(path, anchored->seq, INT32_MAX));  // a long run after the anchor: read it all
  }
  const int64_t last_seq = tail.empty() ? 0 : tail.back().seq();
  const std::string last_hash = tail.empty() ? "" : tail.back().hash();
  if (anchored && anchored->seq > 0) {
    if (last_seq < anchored->seq) return Truncated(path, last_seq, anchor, *anchored);
    // The anchored entry must be there, and whatever follows it must chain.
    const v1::AuditEntry* prev = nullptr;
    for (const v1::AuditEntry& e : tail) {
      if (e.seq() < anchored->seq) continue;
      if (e.seq() == anchored->seq && e.hash() != anchored->hash) {
        return absl::DataLossError(absl::StrCat(path, ": entry seq ", e.seq(), " is not the one anchored in ",
                                                anchor->Describe(),
                                                ": the log was replaced or rewritten. Restore it from a backup"));
      }
      if (prev != nullptr) {
        ASSIGN_OR_RETURN(const std::string hash, HashOf(e));
        if (e.seq() != prev->seq() + 1 || e.prev() != prev->hash() || hash != e.hash()) {
          return absl::DataLossError(absl::StrCat(path, ": entry seq ", e.seq(),
                                                  " does not chain to the anchored entries before it; run "
                                                  "`centinela audit verify` and restore the log"));
        }
      }
      prev = &e;
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot open the audit log: ", std::strerror(errno)));
  std::unique_ptr<AuditLog> log(new AuditLog(path, fd, anchor, sync_every));
  if (anchor != nullptr && last_seq > 0 && (!anchored || anchored->seq != last_seq)) {
    // A log from before anchoring, or entries the anchor missed: anchor them.
    RETURN_IF_ERROR(anchor->Save({last_seq, last_hash}));
  }
  MutexLock lock(&log->mu_);
  log->last_seq_ = last_seq;
  log->last_hash_ = last_hash;
  return log;
}

AuditLog::~AuditLog() {
  if (::fdatasync(fd_) != 0) fprintf(stderr, "audit: %s: fdatasync: %s\n", path_.c_str(), std::strerror(errno));
  ::close(fd_);
}

absl::StatusOr<int64_t> AuditLog::Append(v1::AuditEntry e) {
  MutexLock lock(&mu_);
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
    if (::fdatasync(fd_) != 0) {
      return absl::InternalError(absl::StrCat(path_, ": cannot sync the audit log: ", std::strerror(errno)));
    }
    unsynced_ = 0;
  }
  last_seq_ = e.seq();
  last_hash_ = e.hash();
  if (anchor_ != nullptr) RETURN_IF_ERROR(anchor_->Save({last_seq_, last_hash_}));
  return last_seq_;
}

absl::StatusOr<int64_t> AuditLog::Verify(const std::string& path, const std::optional<AuditHead>& anchor) {
  std::ifstream in(path);
  if (!in) {
    if (anchor && anchor->seq > 0) return Truncated(path, 0, nullptr, *anchor);
    return absl::NotFoundError(absl::StrCat(path, ": cannot open the audit log"));
  }
  std::string line, prev_hash;
  int64_t prev_seq = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string where = absl::StrCat(path, ":", line_no, ": ");
    v1::AuditEntry e;
    if (!ProtoFromJson(line, &e).ok()) {
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
    if (anchor && e.seq() == anchor->seq && e.hash() != anchor->hash) {
      return absl::DataLossError(absl::StrCat(where, label, "is not the entry anchored in the data directory"));
    }
    prev_seq = e.seq();
    prev_hash = e.hash();
  }
  if (anchor && prev_seq < anchor->seq) return Truncated(path, prev_seq, nullptr, *anchor);
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
    if (!ProtoFromJson(line, &e).ok()) {
      return absl::DataLossError(absl::StrCat(path, ":", line_no, ": not a valid audit entry"));
    }
    if (e.seq() >= from_seq) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace centinela::api
