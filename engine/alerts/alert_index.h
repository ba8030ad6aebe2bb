// Secondary indexes over alerts in the `alert_index` column family, so that
// every search filter is a range scan (docs/storage.md, "Alert indexes").
#ifndef CENTINELA_ENGINE_ALERTS_ALERT_INDEX_H_
#define CENTINELA_ENGINE_ALERTS_ALERT_INDEX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "centinela/v1/alert.pb.h"
#include "centinela/v1/investigation.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// Key layout (all big-endian / order-preserving):
//   field (1 byte) | order (1 byte) | len(2) value | sort key | alert id
// with sort key = created event time (8 bytes) for order 'T', and
// score (8 bytes, micro-units) | created event time (8 bytes) for order 'S'.
// Every alert has one entry per (field value, order), except `status`, which
// is indexed in time order only: the workflow (API threads) owns the status
// entries and the alert book (processing thread) owns the score entries, so
// that neither ever rewrites the other's keys.
//
// Created event time is the event time of the transaction that created the
// alert and never changes, so time-ordered entries are written once.
//
// Stateless; the functions only add operations to a WriteBatch.
class AlertIndex {
 public:
  enum class Field : char {
    kAll = 'a',
    kTypology = 't',
    kSubject = 's',      // value: kind '\x1f' id
    kDestination = 'd',  // value: "UIF" / "SUNAT"
    kSeverity = 'v',     // value: "LOW" ... "CRITICAL"
    kStatus = 'u',       // value: "NEW" ... (time order only)
    kPackVersion = 'p',
    kShadow = 'x',          // value: "0" / "1"
    kRegion = 'g',          // value: the 2-, 4- and 6-digit prefixes of the region ubigeo
    kTypologyRegion = 'r',  // value: typology '\x1f' the 2- and 4-digit region prefixes
  };
  enum class Order : char { kTime = 'T', kScore = 'S' };

  // Prefix of all entries of one (field, order, value), and a full key.
  static std::string Prefix(Field field, Order order, absl::string_view value);
  static int64_t ScoreKey(double score);  // micro-units, rounded
  static std::string Key(Field field, Order order, absl::string_view value, int64_t created_micros, double score,
                         absl::string_view alert_id);
  // The alert id at the end of an index key.
  static absl::string_view IdOf(absl::string_view key, size_t prefix_size, Order order);

  static std::string SubjectValue(absl::string_view kind, absl::string_view id);
  static std::string TypologyRegionValue(absl::string_view typology, absl::string_view region_prefix);

  // A new alert: every entry, with status NEW.
  static void AddNew(const v1::Alert& a, rocksdb::ColumnFamilyHandle* cf, rocksdb::WriteBatch* batch);
  // The alert's score went from `old_score` to a.score(): moves its
  // score-ordered entries.
  static void MoveScore(const v1::Alert& a, double old_score, rocksdb::ColumnFamilyHandle* cf,
                        rocksdb::WriteBatch* batch);
  // The workflow moved the alert from `from` to `to`.
  static void MoveStatus(const v1::Alert& a, v1::AlertStatus from, v1::AlertStatus to, rocksdb::ColumnFamilyHandle* cf,
                         rocksdb::WriteBatch* batch);

 private:
  // (field, value) pairs of an alert, status excluded.
  static std::vector<std::pair<Field, std::string>> Values(const v1::Alert& a);
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_ALERT_INDEX_H_
