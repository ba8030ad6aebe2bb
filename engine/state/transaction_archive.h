// Retention of the scored transactions themselves, for investigators: the
// evidence behind an alert and a subject's recent activity; and the memory
// of which transactions were received, so that one sent twice counts once.
// Column family `transactions`; layout in docs/storage.md ("Transaction
// archive").
#ifndef CENTINELA_ENGINE_STATE_TRANSACTION_ARCHIVE_H_
#define CENTINELA_ENGINE_STATE_TRANSACTION_ARCHIVE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// A transaction is identified by its reporting entity (RUC) and the id that
// entity gave it: two banks may use the same ids.
struct TransactionKey {
  absl::string_view reporting_entity;
  absl::string_view id;
};

// Keys (every value starts with expire_at = event time + horizon, so the
// event-time expiry filter drops them once it has passed):
//   'T' '-' | len16 | ref                   -> expire_at | fingerprint u64 | format u8 | payload as received
//   'I' '-' | len16 | ref                   -> expire_at | fingerprint u64   (received ids, when the archive is off
//                                              or keeps records for less time than ids are remembered)
//   'S' | kind u8 | len16 | id | ordered(~event) | ref -> expire_at   (newest first)
// where ref = len16 | reporting entity | transaction id, kind is 'a'
// (account) or 'd' (document "<type>:<number>", the rule packs' document
// subject), for the originator and the beneficiary. The first four bytes and
// the length-prefixed string are the prefix the column family's hash
// memtable and bloom filters work on (as in `state`).
//
// The payload is kept exactly as it arrived (protobuf or JSON): the evidence
// is the record the reporting entity sent, not a re-encoding of it. The
// fingerprint (a 64-bit hash of the decoded transaction, deterministic
// serialisation) tells a re-sent record from another one under the same id.
//
// Lifetime: borrows `store`. Thread-safety: Add and Remember append to the
// caller's batch and reuse scratch buffers (one processing thread); the
// const readers are thread-safe.
class TransactionArchive {
 public:
  struct Entry {
    std::string reporting_entity;
    std::string tx_id;
    int64_t event_micros = 0;
    uint64_t fingerprint = 0;
    char format = 0;      // 'P' protobuf, 'J' JSON
    std::string payload;  // as received
  };

  explicit TransactionArchive(Store* store) : store_(store) {}

  // Writes `payload` (format 'P' or 'J') and its subject index entries.
  // `accounts` and `documents` are the parties' keys; empty ones are skipped.
  void Add(TransactionKey key, uint64_t fingerprint, int64_t event_micros, int64_t retention_micros, char format,
           absl::string_view payload, absl::string_view originator_account, absl::string_view beneficiary_account,
           absl::string_view originator_document, absl::string_view beneficiary_document, rocksdb::WriteBatch* batch);

  // Remembers that `key` was received with `fingerprint`, for `horizon` of
  // event time (an id-only record: for when Add does not keep it as long).
  void Remember(TransactionKey key, uint64_t fingerprint, int64_t event_micros, int64_t horizon_micros,
                rocksdb::WriteBatch* batch);

  // The fingerprint `key` was received with, while remembered (by Add or
  // Remember); nullopt when it was not, or has expired.
  absl::StatusOr<std::optional<uint64_t>> Seen(TransactionKey key) const;

  // The retained record, or nullopt when it expired or was never stored.
  absl::StatusOr<std::optional<Entry>> Get(TransactionKey key) const;

  // Up to `limit` of the subject's transactions, newest first, with event
  // time before `before_micros` (for paging). `kind` is "account" or
  // "document"; InvalidArgument otherwise.
  absl::StatusOr<std::vector<Entry>> Recent(absl::string_view kind, absl::string_view id, int limit,
                                            int64_t before_micros = INT64_MAX) const;

  // Every retained record, in key (not time) order; stops at the first
  // error `f` returns. For backtests over stored input.
  absl::Status ForEach(const std::function<absl::Status(const Entry&)>& f) const;

  static absl::StatusOr<char> KindCode(absl::string_view kind);

 private:
  bool Expired(absl::string_view value) const;
  absl::StatusOr<std::optional<Entry>> GetRef(absl::string_view ref) const;
  Store* store_;
  std::string key_scratch_, ref_scratch_, value_scratch_;  // Add's and Remember's, reused
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_TRANSACTION_ARCHIVE_H_
