// Merges typology hits into alerts: one alert per (typology, subject, dedup
// window), under a deterministic id, with the rule hits and evidence.
#ifndef CENTINELA_ENGINE_ALERTS_ALERT_BOOK_H_
#define CENTINELA_ENGINE_ALERTS_ALERT_BOOK_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "centinela/v1/alert.pb.h"
#include "engine/state/outbox.h"
#include "engine/state/store.h"
#include "rules/pack/rule_pack.h"

namespace centinela {

// Topic names for alert destinations.
struct AlertTopics {
  std::string uif = "uif.alerts";
  std::string sunat = "sunat.alerts";
};

// Deterministic alert id: "al-" + 128-bit stable hash of the pack version,
// typology, subject and dedup window start. The version is part of it so that
// an alert is the work of exactly one pack version: after a deployment, hits
// of the new version open new alerts instead of merging into the old ones.
std::string MakeAlertId(absl::string_view pack_version, absl::string_view typology_id, absl::string_view subject_kind,
                        absl::string_view subject_id, int64_t window_start_micros);

// Alerts touched by the current batch, on top of those in RocksDB.
// Lifetime: borrows `store`. Not thread-safe (processing thread only).
class AlertBook {
 public:
  static constexpr int kMaxEvidence = 100;

  AlertBook(Store* store, AlertTopics topics) : store_(store), topics_(std::move(topics)) {}

  // Merges one hit. `ctx` is the evaluation context of `tx` (to render the
  // values the fired rules saw). `wall_micros` stamps first detection. The
  // evidence gets `tx` and the witnesses of the graph features the fired
  // rules read (the inflow passed through, the legs of a cycle, a hub's
  // transfers), each once, up to kMaxEvidence.
  // `shadow_pack`: the pack runs in shadow, so its alert is a shadow alert
  // whatever the typology's own status.
  absl::Status Record(const rules::RulePack& pack, const rules::TypologyHit& hit, const NormalizedTx& tx,
                      rules::EvalContext& ctx, int64_t wall_micros, bool shadow_pack = false);

  // Writes every touched alert, its index entries and one outbox record per
  // destination into `batch`; clears the overlay. Shadow alerts are stored but
  // never sent. Fails (Internal, naming the alert) when an alert cannot be
  // printed as JSON: then `batch` must not be written.
  absl::Status Flush(rocksdb::WriteBatch* batch, OutboxWriter* outbox);

  int64_t created() const { return created_; }
  int64_t updated() const { return updated_; }

 private:
  struct Touched {
    v1::Alert alert;
    bool is_new = false;
    double original_score = 0;  // as stored before this batch (moves the score index)
  };
  void AddWitnesses(const rules::RulePack& pack, const rules::TypologyHit& hit, rules::EvalContext& ctx, v1::Alert* a);

  Store* store_;
  AlertTopics topics_;
  std::vector<rules::WitnessRef> witnesses_;  // AddWitnesses' scratch
  absl::flat_hash_map<std::string, Touched> touched_;
  std::vector<std::string> order_;  // first-touch order: deterministic flush
  int64_t created_ = 0;
  int64_t updated_ = 0;
  std::string subject_;
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_ALERT_BOOK_H_
