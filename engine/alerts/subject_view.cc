#include "engine/alerts/subject_view.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "engine/codec/decoder.h"
#include "engine/state/profile_store.h"
#include "engine/state/window_store.h"
#include "engine/validate/normalizer.h"

namespace centinela {
namespace {

constexpr int kMaxCounterparties = 100;

absl::Status Bad(absl::string_view param, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(param, ": ", what));
}

v1::Money UsdMoney(int64_t minor) {
  v1::Money m;
  m.set_minor_units(minor);
  m.set_currency("USD");
  return m;
}

// One party's key of a subject kind ("account" or "document"), as the rule
// packs key subjects (rules::SubjectKey); empty when the party has none.
std::string PartyKey(absl::string_view kind, const v1::Transaction& tx, bool originator) {
  using K = rules::SubjectKind;
  const K k = kind == "account" ? (originator ? K::kOriginatorAccount : K::kBeneficiaryAccount)
                                : (originator ? K::kOriginatorDocument : K::kBeneficiaryDocument);
  NormalizedTx n;
  n.tx = &tx;
  std::string key;
  return rules::SubjectKey(k, n, &key) ? key : std::string();
}

// The other side: its account, else "document:" and its document key.
std::string CounterpartyKey(const v1::Transaction& tx, bool originator) {
  std::string account = PartyKey("account", tx, originator);
  if (!account.empty()) return account;
  const std::string document = PartyKey("document", tx, originator);
  return document.empty() ? "" : absl::StrCat("document:", document);
}

struct Tally {
  v1::CounterpartySummary summary;
  std::map<std::string, int64_t> sent, received;  // currency -> minor units
  int64_t last_seen = INT64_MIN;
};

void AddTotals(const std::map<std::string, int64_t>& totals, google::protobuf::RepeatedPtrField<v1::Money>* out) {
  for (const auto& [currency, minor] : totals) {
    v1::Money* m = out->Add();
    m->set_currency(currency);
    m->set_minor_units(minor);
  }
}

}  // namespace

absl::Status DecodeArchived(const TransactionArchive::Entry& e, v1::Transaction* tx) {
  const absl::string_view type = e.format == 'J' ? kContentTypeJson : kContentTypeProtobuf;
  if (absl::Status s = DecodeTransaction(e.payload, type, tx); !s.ok()) {
    return absl::DataLossError(
        absl::StrCat("transactions: retained record ", e.tx_id, " no longer decodes: ", s.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SubjectView> SubjectViewer::View(const SubjectQuery& q) const {
  if (q.kind != "account" && q.kind != "document") {
    return Bad("kind", absl::StrCat("expected account or document, got \"", q.kind, "\""));
  }
  if (q.id.empty() || q.id.size() > 256) return Bad("id", "must be 1 to 256 characters");
  if (q.alert_limit < 0 || q.alert_limit > kMaxLimit) return Bad("alerts", absl::StrCat("must be 0 to ", kMaxLimit));
  if (q.transaction_limit < 0 || q.transaction_limit > kMaxLimit) {
    return Bad("transactions", absl::StrCat("must be 0 to ", kMaxLimit));
  }
  if (q.counterparty_scan < 0 || q.counterparty_scan > kMaxCounterpartyScan) {
    return Bad("counterparty_scan", absl::StrCat("must be 0 to ", kMaxCounterpartyScan));
  }
  v1::SubjectView view;
  view.mutable_subject()->set_kind(q.kind);
  view.mutable_subject()->set_id(q.id);

  if (q.alert_limit > 0) {
    AlertQuery aq;
    aq.subject_kind = q.kind;
    aq.subject_id = q.id;
    aq.limit = q.alert_limit;
    ASSIGN_OR_RETURN(v1::AlertPage page, search_.Search(aq));
    view.mutable_alerts()->Swap(page.mutable_alerts());
    view.set_alerts_next_cursor(page.next_cursor());
  }

  const int scan = std::max(q.transaction_limit, q.counterparty_scan);
  ASSIGN_OR_RETURN(std::vector<TransactionArchive::Entry> entries, archive_.Recent(q.kind, q.id, scan));
  std::vector<v1::Transaction> txs(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    RETURN_IF_ERROR(DecodeArchived(entries[i], &txs[i]));
    if (int(i) < q.transaction_limit) *view.add_recent_transactions() = txs[i];
  }
  if (int(txs.size()) > q.counterparty_scan) txs.resize(size_t(q.counterparty_scan));
  RETURN_IF_ERROR(AddCounterparties(q, txs, &view));

  int64_t as_of = 0;
  if (q.as_of_micros) {
    as_of = *q.as_of_micros;
  } else if (store_->expiry_watermark() != INT64_MIN) {
    as_of = store_->expiry_watermark();
  } else if (!entries.empty()) {
    as_of = entries.front().event_micros;
  }
  *view.mutable_as_of() = FromMicros(as_of);
  RETURN_IF_ERROR(AddState(q, as_of, &view));
  return view;
}

absl::Status SubjectViewer::AddCounterparties(const SubjectQuery& q, const std::vector<v1::Transaction>& txs,
                                              v1::SubjectView* view) const {
  absl::flat_hash_map<std::string, Tally> tallies;
  for (const v1::Transaction& tx : txs) {
    const bool is_originator = PartyKey(q.kind, tx, true) == q.id;
    const bool is_beneficiary = PartyKey(q.kind, tx, false) == q.id;
    if (is_originator == is_beneficiary) continue;  // own accounts, or not the subject's at all
    const v1::Party& other = is_originator ? tx.beneficiary() : tx.originator();
    const std::string key = CounterpartyKey(tx, /*originator=*/!is_originator);
    if (key.empty()) continue;  // cash: nobody on the other side
    Tally& t = tallies[key];
    const int64_t at = ToMicros(tx.event_time());
    if (at >= t.last_seen) {
      t.last_seen = at;
      t.summary.set_name(other.name());
    }
    (is_originator ? t.sent : t.received)[tx.amount().currency()] += tx.amount().minor_units();
    if (is_originator) {
      t.summary.set_sent_count(t.summary.sent_count() + 1);
    } else {
      t.summary.set_received_count(t.summary.received_count() + 1);
    }
    t.summary.set_counterparty(key);
  }
  std::vector<Tally*> order;
  order.reserve(tallies.size());
  for (auto& [key, t] : tallies) order.push_back(&t);
  std::sort(order.begin(), order.end(), [](const Tally* a, const Tally* b) {
    const int64_t na = a->summary.sent_count() + a->summary.received_count();
    const int64_t nb = b->summary.sent_count() + b->summary.received_count();
    if (na != nb) return na > nb;
    if (a->last_seen != b->last_seen) return a->last_seen > b->last_seen;
    return a->summary.counterparty() < b->summary.counterparty();
  });
  if (order.size() > size_t(kMaxCounterparties)) order.resize(kMaxCounterparties);
  for (Tally* t : order) {
    v1::CounterpartySummary* s = view->add_counterparties();
    *s = std::move(t->summary);
    AddTotals(t->sent, s->mutable_sent());
    AddTotals(t->received, s->mutable_received());
    *s->mutable_last_seen() = FromMicros(t->last_seen);
  }
  view->set_counterparty_transactions_examined(int64_t(txs.size()));
  return absl::OkStatus();
}

absl::Status SubjectViewer::AddState(const SubjectQuery& q, int64_t as_of, v1::SubjectView* view) const {
  if (!pack_) return absl::OkStatus();
  view->set_pack_version(pack_->version());
  WindowStore windows(store_, /*max_cached_subjects=*/64);
  for (const rules::AggregateSpec& spec : pack_->aggregates()) {
    if (rules::SubjectKindName(spec.subject) != q.kind) continue;
    ASSIGN_OR_RETURN(WindowTotals t, windows.Read(spec.state_id, q.id, spec.window_micros, spec.bucket_micros, as_of));
    const rules::Value v = rules::AggregateValue(spec.function, t);
    v1::AggregateReading* r = view->add_aggregates();
    r->set_name(spec.name);
    r->set_function(std::string(rules::AggFunctionName(spec.function)));
    r->set_window(FormatDuration(spec.window_micros));
    if (v.null) {
      r->set_value("null");
    } else if (spec.function != rules::AggFunction::kCount && spec.function != rules::AggFunction::kCountDistinct) {
      r->set_value(FormatMoney(v.m));
      *r->mutable_money() = UsdMoney(v.m.minor);
    } else {
      r->set_value(absl::StrCat(SatRound(v.n)));
    }
  }
  ProfileStore profiles(store_, /*max_cached=*/64);
  for (const rules::ProfileSpec& spec : pack_->profiles()) {
    if (rules::SubjectKindName(spec.subject) != q.kind) continue;
    ASSIGN_OR_RETURN(Profile p, profiles.Read(spec.state_id, q.id));
    v1::ProfileReading* r = view->add_profiles();
    r->set_name(spec.name);
    r->set_count(p.count);
    if (p.count > 0) {
      *r->mutable_mean() = UsdMoney(p.MeanMinor());
      *r->mutable_last_seen() = FromMicros(p.last_micros);
    }
    if (p.count > 1) *r->mutable_stddev() = UsdMoney(p.StddevMinor());
  }
  return absl::OkStatus();
}

}  // namespace centinela
