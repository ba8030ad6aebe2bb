// Retention of the scored transactions themselves, for investigators: the
// evidence behind an alert and a subject's recent activity. Column family
// `transactions`; layout in docs/storage.md ("Transaction archive").
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

// Keys (every value starts with expire_at = event time + retention, so the
// event-time expiry filter drops both kinds once retention has passed):
//   'T' | '-' | len16 | tx_id                     -> expire_at | format u8 | payload as received
//   'S' | kind u8 | len16 | id | ordered(~event) | tx_id -> expire_at   (newest first)
// The first four bytes and the length-prefixed string are the prefix the
// column family's hash memtable and bloom filters work on (as in `state`).
// where kind is 'a' (account) or 'd' (document "<type>:<number>", the rule
// packs' document subject), for the originator and the beneficiary.
//
// The payload is kept exactly as it arrived (protobuf or JSON): the evidence
// is the record the reporting entity sent, not a re-encoding of it.
//
// Lifetime: borrows `store`. Thread-safety: Add appends to the caller's batch
// and reuses scratch buffers (one processing thread); the const readers are
// thread-safe.
class TransactionArchive {
 public:
  struct Entry {
    std::string tx_id;
    int64_t event_micros = 0;
    char format = 0;      // 'P' protobuf, 'J' JSON
    std::string payload;  // as received
  };

  explicit TransactionArchive(Store* store) : store_(store) {}

  // Writes `payload` (format 'P' or 'J') and its subject index entries.
  // `accounts` and `documents` are the parties' keys; empty ones are skipped.
  void Add(absl::string_view tx_id, int64_t event_micros, int64_t retention_micros, char format,
           absl::string_view payload, absl::string_view originator_account, absl::string_view beneficiary_account,
           absl::string_view originator_document, absl::string_view beneficiary_document, rocksdb::WriteBatch* batch);

  // The retained record, or nullopt when it expired or was never stored.
  absl::StatusOr<std::optional<Entry>> Get(absl::string_view tx_id) const;

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
  Store* store_;
  std::string key_scratch_, expiry_scratch_;  // Add's, reused (no allocation per record)
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_TRANSACTION_ARCHIVE_H_
