#include "engine/pipeline/processor.h"

#include <chrono>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/hash.h"
#include "base/keys.h"
#include "base/proto_json.h"
#include "base/status_macros.h"
#include "base/time_util.h"
#include "centinela/v1/dead_letter.pb.h"
#include "engine/codec/decoder.h"
#include "engine/pipeline/party_screening.h"

namespace centinela {

// One pack's evaluation of the current transaction: the rules' view of the
// state (aggregates, profiles, graph features) and the per-transaction
// scratch. The active lane folds the transaction into every state its pack
// defines; a shadow lane folds only the states the active pack lacks and reads
// the shared ones, so shared state is never counted twice.
class Processor::Lane : public rules::AggregateSource {
 public:
  Lane(Processor* p, const rules::RulePack* pack, const Lane* active);

  // Steps 1-3 for `tx`: profiles, aggregate folds, (the processor adds the
  // graph edge between Fold and Evaluate), rules, alerts.
  absl::Status Fold(const NormalizedTx& tx, rules::EvalContext& ctx);
  absl::Status EvaluateAndRecord(const NormalizedTx& tx, rules::EvalContext& ctx);

  const rules::RulePack* pack() const { return pack_; }

 private:
  rules::Value Aggregate(int index) override;
  rules::Value Graph(rules::GraphFeature feature) override;
  void GraphWitnesses(rules::GraphFeature feature, std::vector<rules::WitnessRef>* out) override;
  rules::Value Profile(int index, rules::ProfileFeature feature) override;
  // With `witnesses`, the edges behind the value are appended to it.
  rules::Value ComputeGraph(rules::GraphFeature feature, GraphStore::Witnesses* witnesses = nullptr);
  // Reads each profile as it was before `tx`, then folds `tx` in.
  absl::Status UpdateProfiles(const NormalizedTx& tx, rules::EvalContext& ctx);

  Processor* p_;
  const rules::RulePack* pack_;
  const Lane* active_;  // for a shadow lane: the active lane, whose shared profiles it reads
  bool shadow_;
  // Per aggregate state owner: whether this lane folds it (a shadow lane
  // leaves the states the active pack also has to the active lane).
  std::vector<char> folds_owner_;
  // Per profile: the active pack's profile with the same state, or -1.
  std::vector<int> shared_profile_;

  rules::EvalScratch scratch_;
  std::vector<int8_t> agg_ready_;
  std::vector<rules::Value> agg_values_;
  std::vector<WindowStore::Handle> agg_window_;  // per state owner, this transaction's subject window
  // Step 1 of Score, per state owner the transaction folds into: its key
  // (slots reused across transactions) and the value it counts distinct.
  struct FoldSlot {
    int index;
    uint64_t distinct;
  };
  std::vector<FoldSlot> folds_;
  std::vector<std::string> fold_keys_;
  static constexpr int kGraphFeatures = rules::kGraphFeatureCount;
  int8_t graph_ready_[kGraphFeatures] = {};
  rules::Value graph_values_[kGraphFeatures];
  GraphStore::Witnesses witness_scratch_;  // GraphWitnesses'
  // Per profile: its state before the current transaction; -1 = no subject.
  struct ProfileBefore {
    bool has_subject = false;
    centinela::Profile profile;
    int8_t new_counterparty = -1;  // -1 unknown (no counterparty), 0, 1
  };
  std::vector<ProfileBefore> profile_before_;
  // UpdateProfiles, per profile the transaction folds into: its keys (slots
  // reused across transactions).
  struct ProfileFold {
    int index = 0;
    bool has_counterparty = false;
    std::string profile_key, counterparty_key;
  };
  std::vector<ProfileFold> profile_fold_slots_;
  std::vector<const ProfileFold*> profile_folds_;
  const NormalizedTx* current_ = nullptr;
};

Processor::Lane::Lane(Processor* p, const rules::RulePack* pack, const Lane* active)
    : p_(p), pack_(pack), active_(active), shadow_(active != nullptr) {
  const size_t n = pack_->aggregates().size();
  agg_ready_.resize(n);
  agg_values_.resize(n);
  agg_window_.resize(n);
  folds_.reserve(n);
  fold_keys_.resize(n);
  folds_owner_.assign(n, 1);
  if (active_) {
    absl::flat_hash_set<uint32_t> active_states;
    for (const rules::AggregateSpec& a : active_->pack_->aggregates()) active_states.insert(a.state_id);
    for (const rules::AggregateSpec& a : pack_->aggregates())
      folds_owner_[a.index] = !active_states.contains(a.state_id);
  }
  profile_before_.resize(pack_->profiles().size());
  profile_fold_slots_.resize(pack_->profiles().size());
  profile_folds_.reserve(pack_->profiles().size());
  shared_profile_.assign(pack_->profiles().size(), -1);
  if (active_) {
    for (const rules::ProfileSpec& s : pack_->profiles()) {
      for (const rules::ProfileSpec& a : active_->pack_->profiles()) {
        if (a.state_id == s.state_id) shared_profile_[s.index] = a.index;
      }
    }
  }
}

absl::StatusOr<std::unique_ptr<Processor>> Processor::Create(Store* store, const rules::RulePack* pack,
                                                             const FxTable* fx, ProcessorOptions options) {
  ASSIGN_OR_RETURN(OutboxWriter outbox, OutboxWriter::Create(store));
  std::unique_ptr<Processor> p(new Processor(store, fx, std::move(options), std::move(outbox)));
  ASSIGN_OR_RETURN(p->sequencer_, Sequencer::Open(store, p->options_.allowed_lateness_micros));
  RETURN_IF_ERROR(p->SetPacks(pack, nullptr));
  ASSIGN_OR_RETURN(p->counters_.consumed, store->GetCounter(kMetaConsumed));
  ASSIGN_OR_RETURN(p->counters_.processed, store->GetCounter(kMetaProcessed));
  ASSIGN_OR_RETURN(p->counters_.dead_lettered, store->GetCounter(kMetaDeadLettered));
  ASSIGN_OR_RETURN(p->counters_.duplicates, store->GetCounter(kMetaDuplicates));
  ASSIGN_OR_RETURN(p->counters_.alerts_created, store->GetCounter(kMetaAlertsCreated));
  ASSIGN_OR_RETURN(p->counters_.alerts_updated, store->GetCounter(kMetaAlertsUpdated));
  ASSIGN_OR_RETURN(p->counters_.late, store->GetCounter(kMetaLate));
  p->counters_.buffered = int64_t(p->sequencer_->buffered());
  return p;
}

namespace {

ProcessorOptions WithDefaultClock(ProcessorOptions options) {
  if (!options.wall_clock_micros) {
    options.wall_clock_micros = [] {
      return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  return options;
}

}  // namespace

Processor::Processor(Store* store, const FxTable* fx, ProcessorOptions options, OutboxWriter outbox)
    : store_(store),
      fx_(fx),
      options_(WithDefaultClock(std::move(options))),
      normalizer_(fx, options_.validation, options_.validation_clock_micros),
      windows_(store),
      profiles_(store),
      alerts_(store, options_.alert_topics),
      outbox_(std::move(outbox)),
      archive_(store) {
  google::protobuf::ArenaOptions arena_options;
  arena_block_ = std::make_unique<char[]>(kArenaBlockBytes);
  arena_options.initial_block = arena_block_.get();
  arena_options.initial_block_size = kArenaBlockBytes;
  arena_ = std::make_unique<google::protobuf::Arena>(arena_options);
}

Processor::~Processor() = default;

absl::Status Processor::SetPacks(const rules::RulePack* active, const rules::RulePack* shadow) {
  if (pending_ > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("processor: cannot switch rule packs with ", pending_, " record(s) uncommitted"));
  }
  if (!active) return absl::InvalidArgumentError("processor: no active rule pack");
  if (shadow && shadow->version() == active->version()) {
    return absl::InvalidArgumentError(
        absl::StrCat("processor: shadow pack ", shadow->version(), " is the active version"));
  }
  // The graph keeps edges for the longest window either pack searches.
  int64_t graph_window = 0;
  for (const rules::RulePack* p : {active, shadow}) {
    if (p && p->uses_graph()) graph_window = std::max(graph_window, p->graph().window_micros);
  }
  if (graph_window == 0) {
    graph_.reset();
  } else if (!graph_ || graph_->retention_micros() != graph_window) {
    graph_ = std::make_unique<GraphStore>(store_, graph_window);
  }
  shadow_.reset();
  active_ = std::make_unique<Lane>(this, active, nullptr);
  if (shadow) shadow_ = std::make_unique<Lane>(this, shadow, active_.get());
  return absl::OkStatus();
}

const rules::RulePack* Processor::active_pack() const { return active_->pack(); }
const rules::RulePack* Processor::shadow_pack() const { return shadow_ ? shadow_->pack() : nullptr; }

absl::Status Processor::DeadLetter(const InputRecord& r, absl::string_view reason) {
  v1::DeadLetter dl;
  dl.set_reason(ToValidUtf8(reason));
  dl.set_source_topic(ToValidUtf8(r.topic));
  dl.set_source_partition(r.partition);
  dl.set_source_offset(r.offset);
  const bool truncated = r.payload.size() > options_.dead_letter_raw_max_bytes;
  dl.set_raw(std::string(truncated ? r.payload.substr(0, options_.dead_letter_raw_max_bytes) : r.payload));
  dl.set_raw_truncated(truncated);
  dl.set_raw_size(int64_t(r.payload.size()));
  dl.set_raw_sha256(Sha256Hex(r.payload));
  dl.set_content_type(ToValidUtf8(r.content_type));
  v1::OutboxEntry e;
  e.set_topic(options_.dlq_topic);
  e.set_key(absl::StrCat(r.topic, "/", r.partition, "/", r.offset));
  google::protobuf::util::JsonPrintOptions json = ProtoFieldNames();
  json.always_print_primitive_fields = true;
  ASSIGN_OR_RETURN(*e.mutable_value(), ProtoToJson(dl, json));
  e.set_content_type(std::string(kContentTypeJson));
  outbox_.Append(e, &batch_);
  ++counters_.dead_lettered;
  return absl::OkStatus();
}

rules::Value Processor::Lane::Aggregate(int index) {
  if (agg_ready_[index]) return agg_values_[index];
  agg_ready_[index] = 1;
  const rules::AggregateSpec& spec = pack_->aggregates()[index];
  rules::Value v = rules::Value::Null();
  WindowStore::Handle& w = agg_window_[spec.state_owner];  // opened by step 1 of Score when the filter passed
  if (!w && rules::SubjectKey(spec.subject, *current_, &p_->subject_)) {
    auto opened = p_->windows_.Open(spec.state_id, p_->subject_);
    if (opened.ok()) {
      w = *opened;
    } else {
      p_->agg_error_ = opened.status();
    }
  }
  if (w) {
    v = rules::AggregateValue(spec.function,
                              p_->windows_.Read(w, spec.window_micros, spec.bucket_micros, current_->event_micros));
  }
  agg_values_[index] = v;
  return v;
}

rules::Value Processor::Lane::Graph(rules::GraphFeature feature) {
  const int i = int(feature);
  if (!graph_ready_[i]) {
    graph_ready_[i] = 1;
    graph_values_[i] = ComputeGraph(feature);
  }
  return graph_values_[i];
}

void Processor::Lane::GraphWitnesses(rules::GraphFeature feature, std::vector<rules::WitnessRef>* out) {
  const int i = int(feature);
  if (!graph_ready_[i] || graph_values_[i].null) return;
  // Searched again, now naming its edges: only for a rule that fired, so
  // the searches of every other transaction keep no witnesses. The graph
  // has not changed since (the transaction's edge went in before scoring).
  witness_scratch_.clear();
  ComputeGraph(feature, &witness_scratch_);
  for (const GraphStore::Edge* e : witness_scratch_) {
    if (!e->tx.id.empty()) out->push_back({e->tx.reporting_entity, e->tx.id, e->tx.fingerprint});
  }
}

rules::Value Processor::Lane::ComputeGraph(rules::GraphFeature feature, GraphStore::Witnesses* witnesses) {
  const v1::Transaction& tx = *current_->tx;
  const std::string& from = tx.originator().account();
  const std::string& to = tx.beneficiary().account();
  if (!p_->graph_ || from.empty() || to.empty() || from == to) return rules::Value::Null();
  const rules::GraphSpec& g = pack_->graph();
  const int64_t now = current_->event_micros, since = now - g.window_micros;
  const int64_t degree_since = now - std::min(g.degree_window_micros, g.window_micros);
  auto number = [this](const absl::StatusOr<int>& n) {
    if (!n.ok()) {
      p_->agg_error_ = n.status();
      return rules::Value::Null();
    }
    return rules::Value::Number(double(*n));
  };
  switch (feature) {
    case rules::GraphFeature::kCycleLength: {
      // This transfer X -> A closes a cycle when A reached X earlier within the
      // window, which needs a transfer into X first: a cheap test before the search.
      auto inflow = p_->graph_->LatestInflow(from, since, now, 0, INT64_MAX);
      if (!inflow.ok()) {
        p_->agg_error_ = inflow.status();
        return rules::Value::Null();
      }
      if (*inflow < 0) return rules::Value::Null();
      int64_t min_amount = 0, max_amount = INT64_MAX;
      if (g.amount_ratio > 0) {
        min_amount = SatRound(double(current_->amount_usd) * g.amount_ratio);
        max_amount = SatRound(double(current_->amount_usd) / g.amount_ratio);
      }
      auto hops = p_->graph_->ShortestPath(to, from, since, now, g.max_hops - 1, g.max_visits, min_amount, max_amount,
                                           witnesses);
      if (!hops.ok()) {
        p_->agg_error_ = hops.status();
        return rules::Value::Null();
      }
      return *hops > 0 ? rules::Value::Number(double(*hops + 1)) : rules::Value::Null();
    }
    case rules::GraphFeature::kPassThroughDelay: {
      const double r = g.pass_through_ratio;
      auto at = p_->graph_->LatestInflow(from, now - g.pass_through_window_micros, now,
                                         SatRound(double(current_->amount_usd) * r),
                                         SatRound(double(current_->amount_usd) / r), witnesses);
      if (!at.ok()) {
        p_->agg_error_ = at.status();
        return rules::Value::Null();
      }
      return *at < 0 ? rules::Value::Null() : rules::Value::Duration(now - *at);
    }
    case rules::GraphFeature::kGatherPaths: {
      rules::Value v = number(p_->graph_->GatherPaths(from, to, since, now, g.max_visits));
      return v.null || v.n == 0 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kPassThroughHops: {
      rules::Value v = number(p_->graph_->PassThroughHops(from, now, current_->amount_usd, g.pass_through_window_micros,
                                                          g.pass_through_ratio, g.max_hops, witnesses));
      return v.null || v.n == 0 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kBipartiteSenders: {
      rules::Value v = number(p_->graph_->SharedSenders(from, to, degree_since, now, g.max_visits));
      return v.null || v.n < 2 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kOriginatorInDegree:
      return number(p_->graph_->Degree(from, GraphStore::Dir::kIn, degree_since, now, witnesses));
    case rules::GraphFeature::kOriginatorOutDegree:
      return number(p_->graph_->Degree(from, GraphStore::Dir::kOut, degree_since, now, witnesses));
    case rules::GraphFeature::kBeneficiaryInDegree:
      return number(p_->graph_->Degree(to, GraphStore::Dir::kIn, degree_since, now, witnesses));
    case rules::GraphFeature::kBeneficiaryOutDegree:
      return number(p_->graph_->Degree(to, GraphStore::Dir::kOut, degree_since, now, witnesses));
  }
  return rules::Value::Null();
}

rules::Value Processor::Lane::Profile(int index, rules::ProfileFeature feature) {
  const ProfileBefore& b = profile_before_[index];
  if (!b.has_subject) return rules::Value::Null();
  const centinela::Profile& p = b.profile;
  switch (feature) {
    case rules::ProfileFeature::kCount:
      return rules::Value::Number(double(p.count));
    case rules::ProfileFeature::kMean:
      return p.count > 0 ? rules::Value::Of(Money{p.MeanMinor(), Currency::Usd()}) : rules::Value::Null();
    case rules::ProfileFeature::kStddev:
      return p.count > 1 ? rules::Value::Of(Money{p.StddevMinor(), Currency::Usd()}) : rules::Value::Null();
    case rules::ProfileFeature::kLastSeen:
      return p.count > 0 ? rules::Value::Time(p.last_micros) : rules::Value::Null();
    case rules::ProfileFeature::kDaysInactive:
      if (p.count == 0) return rules::Value::Null();
      return rules::Value::Number(double(std::max<int64_t>(0, current_->event_micros - p.last_micros)) /
                                  double(kMicrosPerDay));
    case rules::ProfileFeature::kNewCounterparty:
      return b.new_counterparty < 0 ? rules::Value::Null() : rules::Value::Bool(b.new_counterparty == 1);
  }
  return rules::Value::Null();
}

absl::Status Processor::Lane::UpdateProfiles(const NormalizedTx& tx, rules::EvalContext& ctx) {
  // Keys first, prefetched; then the lookups, whose cache misses overlap.
  profile_folds_.clear();
  for (const rules::ProfileSpec& spec : pack_->profiles()) {
    ProfileBefore& b = profile_before_[spec.index];
    if (const int shared = shared_profile_[spec.index]; shared >= 0) {
      b = active_->profile_before_[shared];  // folded by the active lane; read its "before"
      continue;
    }
    b = ProfileBefore{};
    if (!rules::SubjectKey(spec.subject, tx, &p_->subject_)) continue;
    if (spec.filter.root) {
      const rules::Value pass = spec.filter.root->Eval(ctx);
      if (pass.null || !pass.b) continue;
    }
    b.has_subject = true;
    ProfileFold& f = profile_fold_slots_[profile_folds_.size()];
    f.index = spec.index;
    f.has_counterparty = false;
    ProfileStore::BuildProfileKey(spec.state_id, p_->subject_, &f.profile_key);
    p_->profiles_.PrefetchProfile(f.profile_key);
    if (spec.counterparty.root) {
      const rules::Value cp = spec.counterparty.root->Eval(ctx);
      if (!cp.null) {
        f.has_counterparty = true;
        ProfileStore::BuildCounterpartyKey(spec.state_id, p_->subject_, StableHash64(cp.s), &f.counterparty_key);
        p_->profiles_.PrefetchCounterparty(f.counterparty_key);
      }
    }
    profile_folds_.push_back(&f);
  }
  for (const ProfileFold* f : profile_folds_) {
    const rules::ProfileSpec& spec = pack_->profiles()[f->index];
    ProfileBefore& b = profile_before_[f->index];
    ASSIGN_OR_RETURN(ProfileStore::ProfileHandle p, p_->profiles_.OpenProfile(f->profile_key));
    b.profile = ProfileStore::Get(p);
    if (f->has_counterparty) {
      ASSIGN_OR_RETURN(ProfileStore::MemoryHandle m, p_->profiles_.OpenCounterparty(f->counterparty_key));
      const int64_t seen = ProfileStore::LastSeen(m);
      b.new_counterparty = (seen < 0 || seen < tx.event_micros - spec.counterparty_memory_micros) ? 1 : 0;
      p_->profiles_.Touch(m, tx.event_micros, spec.counterparty_memory_micros);
    }
    p_->profiles_.Add(p, tx.event_micros, tx.amount_usd);
  }
  return absl::OkStatus();
}

absl::Status Processor::Lane::Fold(const NormalizedTx& tx, rules::EvalContext& ctx) {
  current_ = &tx;
  std::fill(std::begin(graph_ready_), std::end(graph_ready_), 0);
  std::fill(agg_ready_.begin(), agg_ready_.end(), 0);
  std::fill(agg_window_.begin(), agg_window_.end(), nullptr);
  RETURN_IF_ERROR(UpdateProfiles(tx, ctx));
  // 1. Fold the transaction into every aggregate whose filter it passes, so
  //    that rules see windows that include it.
  //    Aggregates that share a state (same subject, window and filter) are
  //    folded once, by the state's owner. All keys first, prefetched, then
  //    the lookups: their cache misses overlap (WindowStore::Prefetch).
  folds_.clear();
  for (const rules::AggregateSpec& spec : pack_->aggregates()) {
    if (spec.state_owner != spec.index || !folds_owner_[spec.index]) continue;
    if (spec.filter.root) {
      const rules::Value pass = spec.filter.root->Eval(ctx);
      if (pass.null || !pass.b) continue;
    }
    if (!rules::SubjectKey(spec.subject, tx, &p_->subject_)) continue;
    uint64_t distinct = 0;  // 0: no value to count distinct (never counted as a value "")
    if (spec.of.root) {
      const rules::Value of = spec.of.root->Eval(ctx);
      if (!of.null) distinct = StableHash64(of.s) | 1;  // `of` is a string (checked at compile time)
    }
    std::string& key = fold_keys_[folds_.size()];
    WindowStore::BuildKey(spec.state_id, p_->subject_, &key);
    p_->windows_.Prefetch(key);
    folds_.push_back({spec.index, distinct});
  }
  for (size_t i = 0; i < folds_.size(); ++i) {
    const rules::AggregateSpec& spec = pack_->aggregates()[folds_[i].index];
    ASSIGN_OR_RETURN(WindowStore::Handle w, p_->windows_.OpenKey(fold_keys_[i]));
    p_->windows_.Add(w, spec.window_micros, spec.bucket_micros, tx.event_micros, tx.amount_usd, folds_[i].distinct);
    agg_window_[spec.index] = w;
  }
  return absl::OkStatus();
}

absl::Status Processor::Lane::EvaluateAndRecord(const NormalizedTx& tx, rules::EvalContext& ctx) {
  // 2. Rules and typologies.
  pack_->Evaluate(ctx, &scratch_);
  RETURN_IF_ERROR(p_->agg_error_);
  // 3. Alerts.
  for (const rules::TypologyHit& hit : scratch_.hits) {
    RETURN_IF_ERROR(p_->alerts_.Record(*pack_, hit, tx, ctx, p_->options_.wall_clock_micros(), shadow_));
  }
  return p_->agg_error_;
}

absl::Status Processor::Score(const NormalizedTx& tx) {
  max_event_micros_ = std::max(max_event_micros_, tx.event_micros);
  const bool transfer = !tx.tx->originator().account().empty() && !tx.tx->beneficiary().account().empty();
  if (graph_ && transfer) graph_->Prefetch(tx.tx->originator().account(), tx.tx->beneficiary().account());
  PartyScreening screening(options_.lists, options_.suppressions, tx.tx, tx.event_micros);
  rules::EvalContext ctx{&tx, fx_, active_.get(), nullptr, &screening};
  RETURN_IF_ERROR(active_->Fold(tx, ctx));
  rules::EvalContext shadow_ctx{&tx, fx_, shadow_.get(), nullptr, &screening};
  if (shadow_) RETURN_IF_ERROR(shadow_->Fold(tx, shadow_ctx));
  if (graph_ && transfer) {
    RETURN_IF_ERROR(graph_->AddEdge(tx.tx->originator().account(), tx.tx->beneficiary().account(), tx.event_micros,
                                    tx.amount_usd, {tx.tx->reporting_entity().ruc(), tx.tx->id(), tx.fingerprint},
                                    &batch_));
  }
  RETURN_IF_ERROR(active_->EvaluateAndRecord(tx, ctx));
  if (shadow_) RETURN_IF_ERROR(shadow_->EvaluateAndRecord(tx, shadow_ctx));
  return absl::OkStatus();
}

absl::Status Processor::Process(const InputRecord& r) {
  ++counters_.consumed;
  ++pending_;
  if (!last_position_ || r.partition != last_partition_ || r.topic != last_topic_) {
    auto key = std::make_pair(std::string(r.topic), r.partition);
    last_position_ = &positions_[key];
    last_dirty_position_ = &dirty_positions_[key];
    last_topic_ = std::string(r.topic);
    last_partition_ = r.partition;
  }
  *last_position_ = r.offset + 1;
  *last_dirty_position_ = r.offset + 1;
  NormalizedTx tx;
  WireFormat format = WireFormat::kProtobuf;
  ASSIGN_OR_RETURN(const bool valid, Decode(r, &tx, &format));
  if (!valid) {
    settled_create_times_.push_back(r.create_time_ms);
    return absl::OkStatus();
  }
  sequencer_->Observe(r.topic, r.partition, tx.event_micros);
  std::string key = SequenceKey(tx.event_micros, tx.tx->reporting_entity().ruc(), tx.tx->id(), tx.fingerprint, r.topic,
                                r.partition, r.offset);
  if (sequencer_->IsLate(key)) {
    // The frontier has passed it: what it would have changed in order is
    // scored already. It is scored now, counted, and named on its alerts.
    ++counters_.late;
    tx.late = true;
    settled_create_times_.push_back(r.create_time_ms);
    return Admit(r, tx, format);
  }
  sequencer_->Buffer(std::move(key),
                     SequencedRecord{std::string(r.topic), r.partition, r.offset, std::string(r.content_type),
                                     std::string(r.payload), r.create_time_ms},
                     &batch_);
  counters_.buffered = int64_t(sequencer_->buffered());
  return absl::OkStatus();
}

absl::StatusOr<bool> Processor::Decode(const InputRecord& r, NormalizedTx* out, WireFormat* format) {
  arena_->Reset();
  v1::Transaction* tx = google::protobuf::Arena::CreateMessage<v1::Transaction>(arena_.get());
  if (absl::Status s = DecodeTransaction(r.payload, r.content_type, tx, format); !s.ok()) {
    RETURN_IF_ERROR(DeadLetter(r, s.message()));
    return false;
  }
  auto normalized = normalizer_.Normalize(*tx);
  if (!normalized.ok()) {
    RETURN_IF_ERROR(DeadLetter(r, absl::StrCat("validate: ", normalized.status().message())));
    return false;
  }
  auto fingerprint = TransactionFingerprint(*tx);
  if (!fingerprint.ok()) {
    RETURN_IF_ERROR(DeadLetter(r, absl::StrCat("decode: ", fingerprint.status().message())));
    return false;
  }
  *out = *normalized;
  out->fingerprint = *fingerprint;
  return true;
}

absl::Status Processor::Admit(const InputRecord& r, const NormalizedTx& tx, WireFormat format) {
  ASSIGN_OR_RETURN(const bool first, FirstTime(r, tx));
  if (!first) return absl::OkStatus();
  RETURN_IF_ERROR(Score(tx));
  Archive(tx, format, r.payload);
  ++counters_.processed;
  return absl::OkStatus();
}

absl::Status Processor::Release(int64_t frontier) {
  absl::Status s =
      sequencer_->Release(frontier, &batch_, [this](absl::string_view, const SequencedRecord& rec) -> absl::Status {
        ++pending_;
        settled_create_times_.push_back(rec.create_time_ms);
        const InputRecord r{rec.topic, rec.partition, rec.offset, rec.payload, rec.content_type, rec.create_time_ms};
        NormalizedTx tx;
        WireFormat format = WireFormat::kProtobuf;
        // It was valid on arrival; only a changed configuration (limits, FX
        // table) between then and now can refuse it here, and then it is
        // dead-lettered like any other invalid record.
        ASSIGN_OR_RETURN(const bool valid, Decode(r, &tx, &format));
        if (!valid) return absl::OkStatus();
        return Admit(r, tx, format);
      });
  counters_.buffered = int64_t(sequencer_->buffered());
  return s;
}

absl::Status Processor::Flush() {
  RETURN_IF_ERROR(Release(INT64_MAX));
  return Commit();
}

absl::StatusOr<bool> Processor::FirstTime(const InputRecord& r, const NormalizedTx& tx) {
  const TransactionKey key{tx.tx->reporting_entity().ruc(), tx.tx->id()};
  std::string& ref = ref_scratch_;
  ref.clear();
  PutLengthPrefixed16(&ref, key.reporting_entity);
  ref.append(key.id.data(), key.id.size());
  std::optional<uint64_t> seen;
  if (auto it = batch_ids_.find(ref); it != batch_ids_.end()) {
    seen = it->second;
  } else {
    ASSIGN_OR_RETURN(seen, archive_.Seen(key));
  }
  if (!seen) {
    batch_ids_.emplace(ref, tx.fingerprint);
    return true;
  }
  if (*seen == tx.fingerprint) {
    ++counters_.duplicates;  // sent again: it counted the first time
    return false;
  }
  RETURN_IF_ERROR(DeadLetter(
      r, absl::StrCat("duplicate id: reporting entity ", key.reporting_entity.empty() ? "(none)" : key.reporting_entity,
                      " already sent transaction ", key.id, " with other content; a corrected record needs a new id")));
  return false;
}

void Processor::Archive(const NormalizedTx& tx, WireFormat format, absl::string_view payload) {
  const TransactionKey key{tx.tx->reporting_entity().ruc(), tx.tx->id()};
  const int64_t retention = options_.transaction_retention_micros;
  if (retention < options_.dedup_horizon_micros) {
    // The archive (if any) forgets first: remember the id on its own.
    archive_.Remember(key, tx.fingerprint, tx.event_micros, options_.dedup_horizon_micros, &batch_);
  }
  if (retention <= 0) return;
  rules::SubjectKey(rules::SubjectKind::kOriginatorDocument, tx, &originator_document_);
  rules::SubjectKey(rules::SubjectKind::kBeneficiaryDocument, tx, &beneficiary_document_);
  archive_.Add(key, tx.fingerprint, tx.event_micros, retention, format == WireFormat::kJson ? 'J' : 'P', payload,
               tx.tx->originator().account(), tx.tx->beneficiary().account(), originator_document_,
               beneficiary_document_, &batch_);
}

absl::Status Processor::Commit() {
  if (pending_ == 0) return absl::OkStatus();
  windows_.Flush(&batch_);
  profiles_.Flush(&batch_);
  const int64_t created_before = alerts_.created(), updated_before = alerts_.updated();
  if (absl::Status s = alerts_.Flush(&batch_, &outbox_); !s.ok()) {
    // Nothing of this batch is written: a restart reads the same records
    // again and meets the same error, named here.
    batch_.Clear();
    return s;
  }
  counters_.alerts_created += alerts_.created() - created_before;
  counters_.alerts_updated += alerts_.updated() - updated_before;
  for (const auto& [key, next] : dirty_positions_) {
    std::string v;
    PutBigEndian64(&v, uint64_t(next));
    batch_.Put(store_->cf(Cf::kOffsets), Store::OffsetKey(key.first, key.second), v);
  }
  auto* meta = store_->cf(Cf::kMeta);
  Store::PutCounter(&batch_, meta, kMetaConsumed, counters_.consumed);
  Store::PutCounter(&batch_, meta, kMetaProcessed, counters_.processed);
  Store::PutCounter(&batch_, meta, kMetaDeadLettered, counters_.dead_lettered);
  Store::PutCounter(&batch_, meta, kMetaDuplicates, counters_.duplicates);
  Store::PutCounter(&batch_, meta, kMetaAlertsCreated, counters_.alerts_created);
  Store::PutCounter(&batch_, meta, kMetaAlertsUpdated, counters_.alerts_updated);
  Store::PutCounter(&batch_, meta, kMetaLate, counters_.late);
  sequencer_->Persist(&batch_);
  RETURN_IF_ERROR(store_->Write(&batch_));
  batch_.Clear();
  // State older than this (less the store's grace) may now be compacted away.
  // A record stamped in the future cannot drag expiry ahead of real time.
  store_->AdvanceExpiryWatermark(std::min(max_event_micros_, options_.wall_clock_micros() + kMicrosPerDay));
  dirty_positions_.clear();
  batch_ids_.clear();  // written now: Seen finds them
  settled_create_times_.clear();
  last_position_ = last_dirty_position_ = nullptr;
  pending_ = 0;
  windows_.Evict();
  profiles_.Evict();
  if (graph_) graph_->Evict();
  return absl::OkStatus();
}

}  // namespace centinela
