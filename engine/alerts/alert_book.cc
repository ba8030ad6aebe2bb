#include "engine/alerts/alert_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "base/keys.h"
#include "base/proto_json.h"
#include "base/time_util.h"
#include "engine/alerts/alert_index.h"
#include "engine/codec/decoder.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace centinela {

std::string MakeAlertId(absl::string_view pack_version, absl::string_view typology_id, absl::string_view subject_kind,
                        absl::string_view subject_id, int64_t window_start_micros) {
  return absl::StrCat("al-", StableHashHex128(absl::StrCat(pack_version, "\x1f", typology_id, "\x1f", subject_kind,
                                                           "\x1f", subject_id, "\x1f", window_start_micros)));
}

namespace {

// What the alert says, without the wall-clock detected_at: the same on every
// instance that scored the same input (OutboxEntry.digest).
absl::StatusOr<std::string> ContentDigest(v1::Alert a) {
  a.clear_detected_at();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    if (!a.SerializeToCodedStream(&cos)) return absl::InternalError(absl::StrCat("alert ", a.id(), ": serialising"));
  }
  return StableHashHex128(bytes);
}

// The subject party's ubigeo when the feed gives one, else the branch's.
std::string RegionOf(rules::SubjectKind subject, const v1::Transaction& tx) {
  const std::string* party = nullptr;
  switch (subject) {
    case rules::SubjectKind::kOriginatorAccount:
    case rules::SubjectKind::kOriginatorDocument:
    case rules::SubjectKind::kCounterpartyPair:
      party = &tx.originator().ubigeo();
      break;
    case rules::SubjectKind::kBeneficiaryAccount:
    case rules::SubjectKind::kBeneficiaryDocument:
      party = &tx.beneficiary().ubigeo();
      break;
    default:
      break;
  }
  return party && !party->empty() ? *party : tx.branch_ubigeo();
}

}  // namespace

absl::Status AlertBook::Record(const rules::RulePack& pack, const rules::TypologyHit& hit, const NormalizedTx& tx,
                               rules::EvalContext& ctx, int64_t wall_micros, bool shadow_pack) {
  const rules::TypologySpec& typ = pack.typologies()[hit.typology];
  if (!rules::SubjectKey(typ.subject, tx, &subject_)) return absl::OkStatus();  // no subject: nothing to alert on
  const absl::string_view kind = rules::SubjectKindName(typ.subject);
  const int64_t window_start = FloorDiv(tx.event_micros, typ.dedup_window_micros) * typ.dedup_window_micros;
  std::string id = MakeAlertId(pack.version(), typ.id, kind, subject_, window_start);

  auto it = touched_.find(id);
  if (it == touched_.end()) {
    Touched t;
    std::string stored;
    auto found = store_->Get(Cf::kAlerts, id, &stored);
    if (!found.ok()) return found.status();
    if (*found) {
      if (!t.alert.ParseFromString(stored)) return absl::DataLossError(absl::StrCat("alerts: cannot parse ", id));
    } else {
      t.is_new = true;
      v1::Alert& a = t.alert;
      a.set_id(id);
      a.set_typology_id(typ.id);
      a.set_typology_name(typ.name);
      a.set_pack_version(pack.version());
      a.mutable_subject()->set_kind(std::string(kind));
      a.mutable_subject()->set_id(subject_);
      a.set_severity(typ.severity);
      for (auto d : typ.destinations) a.add_destinations(d);
      a.set_shadow(typ.shadow || shadow_pack);
      *a.mutable_window_start() = FromMicros(window_start);
      *a.mutable_created_event_time() = tx.tx->event_time();
      *a.mutable_updated_event_time() = tx.tx->event_time();
      *a.mutable_detected_at() = FromMicros(wall_micros);
      a.set_region_ubigeo(RegionOf(typ.subject, *tx.tx));
    }
    t.original_score = t.alert.score();
    it = touched_.emplace(id, std::move(t)).first;
    order_.push_back(id);
  }
  v1::Alert& a = it->second.alert;
  a.set_score(std::max(a.score(), hit.score));
  a.set_transaction_count(a.transaction_count() + 1);
  // created_event_time stays that of the creating transaction (the alert
  // indexes are keyed on it); a late, earlier transaction is in the evidence.
  if (ToMicros(tx.tx->event_time()) > ToMicros(a.updated_event_time())) {
    *a.mutable_updated_event_time() = tx.tx->event_time();
  }
  if (a.evidence_transaction_ids_size() < kMaxEvidence) {
    a.add_evidence_transaction_ids(tx.tx->id());
    v1::TransactionRef* ref = a.add_evidence();
    ref->set_reporting_entity(tx.tx->reporting_entity().ruc());
    ref->set_id(tx.tx->id());
    ref->set_fingerprint(tx.fingerprint);
  }
  if (tx.late && a.late_transaction_ids_size() < kMaxEvidence) a.add_late_transaction_ids(tx.tx->id());
  AddWitnesses(pack, hit, ctx, &a);
  // One hit per rule, holding the values of its latest firing.
  for (int rule : hit.fired_rules) {
    const rules::RuleSpec& spec = pack.rules()[rule];
    v1::RuleHit* h = nullptr;
    for (auto& existing : *a.mutable_hits()) {
      if (existing.rule_id() == spec.id) h = &existing;
    }
    if (!h) h = a.add_hits();
    h->Clear();
    h->set_rule_id(spec.id);
    for (const auto& [r, w] : typ.rules) {
      if (r == rule) h->set_weight(w);
    }
    h->set_transaction_id(tx.tx->id());
    for (const rules::Observed& o : spec.when.observed) {
      v1::ObservedValue* v = h->add_values();
      v->set_name(o.name);
      v->set_value(o.node->Explain(ctx));
    }
  }
  return absl::OkStatus();
}

void AlertBook::AddWitnesses(const rules::RulePack& pack, const rules::TypologyHit& hit, rules::EvalContext& ctx,
                             v1::Alert* a) {
  if (!ctx.aggregates || a->evidence_size() >= kMaxEvidence) return;
  witnesses_.clear();
  for (int rule : hit.fired_rules) {
    for (const rules::Observed& o : pack.rules()[rule].when.observed) {
      if (const rules::GraphFeature* f = o.node->graph_feature()) ctx.aggregates->GraphWitnesses(*f, &witnesses_);
    }
  }
  for (const rules::WitnessRef& w : witnesses_) {
    if (a->evidence_size() >= kMaxEvidence) break;
    bool known = false;
    for (const v1::TransactionRef& e : a->evidence()) {
      known |= e.id() == w.id && e.reporting_entity() == w.reporting_entity;
    }
    if (known) continue;
    a->add_evidence_transaction_ids(w.id);
    v1::TransactionRef* ref = a->add_evidence();
    ref->set_reporting_entity(w.reporting_entity);
    ref->set_id(w.id);
    ref->set_fingerprint(w.fingerprint);
  }
}

absl::Status AlertBook::Flush(rocksdb::WriteBatch* batch, OutboxWriter* outbox) {
  google::protobuf::util::JsonPrintOptions json = ProtoFieldNames();
  json.always_print_primitive_fields = true;
  // The overlay is cleared whatever happens: after an error the batch is
  // discarded and the records are read again.
  struct Clear {
    AlertBook* book;
    ~Clear() {
      book->touched_.clear();
      book->order_.clear();
    }
  } clear{this};
  for (const std::string& id : order_) {
    Touched& t = touched_[id];
    const v1::Alert& a = t.alert;
    batch->Put(store_->cf(Cf::kAlerts), id, a.SerializeAsString());
    if (t.is_new) {
      ++created_;
      AlertIndex::AddNew(a, store_->cf(Cf::kAlertIndex), batch);
    } else {
      ++updated_;
      AlertIndex::MoveScore(a, t.original_score, store_->cf(Cf::kAlertIndex), batch);
    }
    if (a.shadow()) continue;
    absl::StatusOr<std::string> value = ProtoToJson(a, json);
    if (!value.ok()) return absl::InternalError(absl::StrCat("alert ", id, ": ", value.status().message()));
    absl::StatusOr<std::string> digest = ContentDigest(a);
    if (!digest.ok()) return digest.status();
    for (int d : a.destinations()) {
      v1::OutboxEntry e;
      e.set_topic(d == v1::UIF ? topics_.uif : topics_.sunat);
      e.set_key(id);
      e.set_value(*value);
      e.set_content_type(std::string(kContentTypeJson));
      e.set_version(a.transaction_count());
      e.set_digest(*digest);
      outbox->Append(e, batch);
    }
  }
  return absl::OkStatus();
}

}  // namespace centinela
