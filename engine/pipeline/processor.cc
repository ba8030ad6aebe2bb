#include "engine/pipeline/processor.h"

#include <chrono>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "centinela/v1/dead_letter.pb.h"
#include "engine/codec/decoder.h"
#include "engine/common/hash.h"
#include "engine/common/keys.h"
#include "engine/common/status_macros.h"
#include "engine/common/time_util.h"
#include "google/protobuf/util/json_util.h"

namespace centinela {

absl::StatusOr<std::unique_ptr<Processor>> Processor::Create(Store* store, const rules::RulePack* pack,
                                                             const FxTable* fx, ProcessorOptions options) {
  ASSIGN_OR_RETURN(OutboxWriter outbox, OutboxWriter::Create(store));
  std::unique_ptr<Processor> p(new Processor(store, pack, fx, std::move(options), std::move(outbox)));
  ASSIGN_OR_RETURN(p->counters_.consumed, store->GetCounter(kMetaConsumed));
  ASSIGN_OR_RETURN(p->counters_.processed, store->GetCounter(kMetaProcessed));
  ASSIGN_OR_RETURN(p->counters_.dead_lettered, store->GetCounter(kMetaDeadLettered));
  ASSIGN_OR_RETURN(p->counters_.alerts_created, store->GetCounter(kMetaAlertsCreated));
  ASSIGN_OR_RETURN(p->counters_.alerts_updated, store->GetCounter(kMetaAlertsUpdated));
  return p;
}

Processor::Processor(Store* store, const rules::RulePack* pack, const FxTable* fx, ProcessorOptions options,
                     OutboxWriter outbox)
    : store_(store),
      pack_(pack),
      fx_(fx),
      options_(std::move(options)),
      normalizer_(fx),
      windows_(store),
      profiles_(store),
      alerts_(store, options_.alert_topics),
      outbox_(std::move(outbox)),
      archive_(store) {
  if (!options_.wall_clock_micros) {
    options_.wall_clock_micros = [] {
      return std::chrono::duration_cast<std::chrono::microseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  google::protobuf::ArenaOptions arena_options;
  arena_block_ = std::make_unique<char[]>(kArenaBlockBytes);
  arena_options.initial_block = arena_block_.get();
  arena_options.initial_block_size = kArenaBlockBytes;
  arena_ = std::make_unique<google::protobuf::Arena>(arena_options);
  if (pack_->uses_graph()) graph_ = std::make_unique<GraphStore>(store_, pack_->graph().window_micros);
  agg_ready_.resize(pack_->aggregates().size());
  agg_values_.resize(pack_->aggregates().size());
  agg_window_.resize(pack_->aggregates().size());
  folds_.reserve(pack_->aggregates().size());
  fold_keys_.resize(pack_->aggregates().size());
  profile_before_.resize(pack_->profiles().size());
  profile_fold_slots_.resize(pack_->profiles().size());
  profile_folds_.reserve(pack_->profiles().size());
}

void Processor::DeadLetter(const InputRecord& r, absl::string_view reason) {
  v1::DeadLetter dl;
  dl.set_reason(std::string(reason));
  dl.set_source_topic(std::string(r.topic));
  dl.set_source_partition(r.partition);
  dl.set_source_offset(r.offset);
  dl.set_raw(std::string(r.payload));
  dl.set_content_type(std::string(r.content_type));
  v1::OutboxEntry e;
  e.set_topic(options_.dlq_topic);
  e.set_key(absl::StrCat(r.topic, "/", r.partition, "/", r.offset));
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  json.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(dl, e.mutable_value(), json);
  e.set_content_type(std::string(kContentTypeJson));
  outbox_.Append(e, &batch_);
  ++counters_.dead_lettered;
}

rules::Value Processor::Aggregate(int index) {
  if (agg_ready_[index]) return agg_values_[index];
  agg_ready_[index] = 1;
  const rules::AggregateSpec& spec = pack_->aggregates()[index];
  rules::Value v = rules::Value::Null();
  WindowStore::Handle& w = agg_window_[spec.state_owner];  // opened by step 1 of Score when the filter passed
  if (!w && rules::SubjectKey(spec.subject, *current_, &subject_)) {
    auto opened = windows_.Open(spec.state_id, subject_);
    if (opened.ok()) {
      w = *opened;
    } else {
      agg_error_ = opened.status();
    }
  }
  if (w) {
    v = rules::AggregateValue(spec.function,
                              windows_.Read(w, spec.window_micros, spec.bucket_micros, current_->event_micros));
  }
  agg_values_[index] = v;
  return v;
}

rules::Value Processor::Graph(rules::GraphFeature feature) {
  const int i = int(feature);
  if (!graph_ready_[i]) {
    graph_ready_[i] = 1;
    graph_values_[i] = ComputeGraph(feature);
  }
  return graph_values_[i];
}

rules::Value Processor::ComputeGraph(rules::GraphFeature feature) {
  const v1::Transaction& tx = *current_->tx;
  const std::string& from = tx.originator().account();
  const std::string& to = tx.beneficiary().account();
  if (!graph_ || from.empty() || to.empty() || from == to) return rules::Value::Null();
  const rules::GraphSpec& g = pack_->graph();
  const int64_t now = current_->event_micros, since = now - g.window_micros;
  const int64_t degree_since = now - std::min(g.degree_window_micros, g.window_micros);
  auto number = [this](const absl::StatusOr<int>& n) {
    if (!n.ok()) {
      agg_error_ = n.status();
      return rules::Value::Null();
    }
    return rules::Value::Number(double(*n));
  };
  switch (feature) {
    case rules::GraphFeature::kCycleLength: {
      // This transfer X -> A closes a cycle when A reached X earlier within the
      // window, which needs a transfer into X first: a cheap test before the search.
      auto inflow = graph_->LatestInflow(from, since, now, 0, INT64_MAX);
      if (!inflow.ok()) {
        agg_error_ = inflow.status();
        return rules::Value::Null();
      }
      if (*inflow < 0) return rules::Value::Null();
      int64_t min_amount = 0, max_amount = INT64_MAX;
      if (g.amount_ratio > 0) {
        min_amount = int64_t(double(current_->amount_usd) * g.amount_ratio);
        max_amount = int64_t(double(current_->amount_usd) / g.amount_ratio);
      }
      auto hops = graph_->ShortestPath(to, from, since, now, g.max_hops - 1, g.max_visits, min_amount, max_amount);
      if (!hops.ok()) {
        agg_error_ = hops.status();
        return rules::Value::Null();
      }
      return *hops > 0 ? rules::Value::Number(double(*hops + 1)) : rules::Value::Null();
    }
    case rules::GraphFeature::kPassThroughDelay: {
      const double r = g.pass_through_ratio;
      auto at = graph_->LatestInflow(from, now - g.pass_through_window_micros, now,
                                     int64_t(double(current_->amount_usd) * r),
                                     int64_t(double(current_->amount_usd) / r));
      if (!at.ok()) {
        agg_error_ = at.status();
        return rules::Value::Null();
      }
      return *at < 0 ? rules::Value::Null() : rules::Value::Duration(now - *at);
    }
    case rules::GraphFeature::kGatherPaths: {
      rules::Value v = number(graph_->GatherPaths(from, to, since, now, g.max_visits));
      return v.null || v.n == 0 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kPassThroughHops: {
      rules::Value v = number(graph_->PassThroughHops(from, now, current_->amount_usd, g.pass_through_window_micros,
                                                      g.pass_through_ratio, g.max_hops));
      return v.null || v.n == 0 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kBipartiteSenders: {
      rules::Value v = number(graph_->SharedSenders(from, to, degree_since, now, g.max_visits));
      return v.null || v.n < 2 ? rules::Value::Null() : v;
    }
    case rules::GraphFeature::kOriginatorInDegree:
      return number(graph_->Degree(from, GraphStore::Dir::kIn, degree_since, now));
    case rules::GraphFeature::kOriginatorOutDegree:
      return number(graph_->Degree(from, GraphStore::Dir::kOut, degree_since, now));
    case rules::GraphFeature::kBeneficiaryInDegree:
      return number(graph_->Degree(to, GraphStore::Dir::kIn, degree_since, now));
    case rules::GraphFeature::kBeneficiaryOutDegree:
      return number(graph_->Degree(to, GraphStore::Dir::kOut, degree_since, now));
  }
  return rules::Value::Null();
}

rules::Value Processor::Profile(int index, rules::ProfileFeature feature) {
  const ProfileBefore& b = profile_before_[index];
  if (!b.has_subject) return rules::Value::Null();
  const centinela::Profile& p = b.profile;
  switch (feature) {
    case rules::ProfileFeature::kCount: return rules::Value::Number(double(p.count));
    case rules::ProfileFeature::kMean:
      return p.count > 0 ? rules::Value::Of(Money{p.MeanMinor(), Currency::Usd()}) : rules::Value::Null();
    case rules::ProfileFeature::kStddev:
      return p.count > 1 ? rules::Value::Of(Money{p.StddevMinor(), Currency::Usd()})
                         : rules::Value::Null();
    case rules::ProfileFeature::kLastSeen:
      return p.count > 0 ? rules::Value::Time(p.last_micros) : rules::Value::Null();
    case rules::ProfileFeature::kDaysInactive:
      if (p.count == 0) return rules::Value::Null();
      return rules::Value::Number(
          double(std::max<int64_t>(0, current_->event_micros - p.last_micros)) / double(kMicrosPerDay));
    case rules::ProfileFeature::kNewCounterparty:
      return b.new_counterparty < 0 ? rules::Value::Null() : rules::Value::Bool(b.new_counterparty == 1);
  }
  return rules::Value::Null();
}

absl::Status Processor::UpdateProfiles(const NormalizedTx& tx, rules::EvalContext& ctx) {
  // Keys first, prefetched; then the lookups, whose cache misses overlap.
  profile_folds_.clear();
  for (const rules::ProfileSpec& spec : pack_->profiles()) {
    ProfileBefore& b = profile_before_[spec.index];
    b = ProfileBefore{};
    if (!rules::SubjectKey(spec.subject, tx, &subject_)) continue;
    if (spec.filter.root) {
      const rules::Value pass = spec.filter.root->Eval(ctx);
      if (pass.null || !pass.b) continue;
    }
    b.has_subject = true;
    ProfileFold& f = profile_fold_slots_[profile_folds_.size()];
    f.index = spec.index;
    f.has_counterparty = false;
    ProfileStore::BuildProfileKey(spec.state_id, subject_, &f.profile_key);
    profiles_.PrefetchProfile(f.profile_key);
    if (spec.counterparty.root) {
      const rules::Value cp = spec.counterparty.root->Eval(ctx);
      if (!cp.null) {
        f.has_counterparty = true;
        ProfileStore::BuildCounterpartyKey(spec.state_id, subject_, StableHash64(cp.s), &f.counterparty_key);
        profiles_.PrefetchCounterparty(f.counterparty_key);
      }
    }
    profile_folds_.push_back(&f);
  }
  for (const ProfileFold* f : profile_folds_) {
    const rules::ProfileSpec& spec = pack_->profiles()[f->index];
    ProfileBefore& b = profile_before_[f->index];
    ASSIGN_OR_RETURN(ProfileStore::ProfileHandle p, profiles_.OpenProfile(f->profile_key));
    b.profile = ProfileStore::Get(p);
    if (f->has_counterparty) {
      ASSIGN_OR_RETURN(ProfileStore::MemoryHandle m, profiles_.OpenCounterparty(f->counterparty_key));
      const int64_t seen = ProfileStore::LastSeen(m);
      b.new_counterparty = (seen < 0 || seen < tx.event_micros - spec.counterparty_memory_micros) ? 1 : 0;
      profiles_.Touch(m, tx.event_micros, spec.counterparty_memory_micros);
    }
    profiles_.Add(p, tx.event_micros, tx.amount_usd);
  }
  return absl::OkStatus();
}

absl::Status Processor::Score(const NormalizedTx& tx) {
  current_ = &tx;
  max_event_micros_ = std::max(max_event_micros_, tx.event_micros);
  std::fill(std::begin(graph_ready_), std::end(graph_ready_), 0);
  std::fill(agg_ready_.begin(), agg_ready_.end(), 0);
  std::fill(agg_window_.begin(), agg_window_.end(), nullptr);
  rules::EvalContext ctx{&tx, fx_, this};
  const bool transfer = !tx.tx->originator().account().empty() && !tx.tx->beneficiary().account().empty();
  if (graph_ && transfer) graph_->Prefetch(tx.tx->originator().account(), tx.tx->beneficiary().account());
  RETURN_IF_ERROR(UpdateProfiles(tx, ctx));
  // 1. Fold the transaction into every aggregate whose filter it passes, so
  //    that rules see windows that include it.
  //    Aggregates that share a state (same subject, window and filter) are
  //    folded once, by the state's owner. All keys first, prefetched, then
  //    the lookups: their cache misses overlap (WindowStore::Prefetch).
  folds_.clear();
  for (const rules::AggregateSpec& spec : pack_->aggregates()) {
    if (spec.state_owner != spec.index) continue;
    if (spec.filter.root) {
      const rules::Value pass = spec.filter.root->Eval(ctx);
      if (pass.null || !pass.b) continue;
    }
    if (!rules::SubjectKey(spec.subject, tx, &subject_)) continue;
    uint64_t distinct = 0;  // 0: no value to count distinct (never counted as a value "")
    if (spec.of.root) {
      const rules::Value of = spec.of.root->Eval(ctx);
      if (!of.null) distinct = StableHash64(of.s) | 1;  // `of` is a string (checked at compile time)
    }
    std::string& key = fold_keys_[folds_.size()];
    WindowStore::BuildKey(spec.state_id, subject_, &key);
    windows_.Prefetch(key);
    folds_.push_back({spec.index, distinct});
  }
  for (size_t i = 0; i < folds_.size(); ++i) {
    const rules::AggregateSpec& spec = pack_->aggregates()[folds_[i].index];
    ASSIGN_OR_RETURN(WindowStore::Handle w, windows_.OpenKey(fold_keys_[i]));
    windows_.Add(w, spec.window_micros, spec.bucket_micros, tx.event_micros, tx.amount_usd, folds_[i].distinct);
    agg_window_[spec.index] = w;
  }
  if (graph_ && transfer) {
    RETURN_IF_ERROR(graph_->AddEdge(tx.tx->originator().account(), tx.tx->beneficiary().account(), tx.event_micros,
                                    tx.amount_usd, &batch_));
  }
  // 2. Rules and typologies.
  pack_->Evaluate(ctx, &scratch_);
  RETURN_IF_ERROR(agg_error_);
  // 3. Alerts.
  for (const rules::TypologyHit& hit : scratch_.hits) {
    RETURN_IF_ERROR(alerts_.Record(*pack_, hit, tx, ctx, options_.wall_clock_micros()));
  }
  RETURN_IF_ERROR(agg_error_);
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
  arena_->Reset();
  v1::Transaction* tx = google::protobuf::Arena::CreateMessage<v1::Transaction>(arena_.get());
  WireFormat format = WireFormat::kProtobuf;
  if (absl::Status s = DecodeTransaction(r.payload, r.content_type, tx, &format); !s.ok()) {
    DeadLetter(r, s.message());
    return absl::OkStatus();
  }
  auto normalized = normalizer_.Normalize(*tx);
  if (!normalized.ok()) {
    DeadLetter(r, absl::StrCat("validate: ", normalized.status().message()));
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(Score(*normalized));
  Archive(*normalized, format, r.payload);
  ++counters_.processed;
  return absl::OkStatus();
}

void Processor::Archive(const NormalizedTx& tx, WireFormat format, absl::string_view payload) {
  if (options_.transaction_retention_micros <= 0) return;
  rules::SubjectKey(rules::SubjectKind::kOriginatorDocument, tx, &originator_document_);
  rules::SubjectKey(rules::SubjectKind::kBeneficiaryDocument, tx, &beneficiary_document_);
  archive_.Add(tx.tx->id(), tx.event_micros, options_.transaction_retention_micros,
               format == WireFormat::kJson ? 'J' : 'P', payload, tx.tx->originator().account(),
               tx.tx->beneficiary().account(), originator_document_, beneficiary_document_, &batch_);
}

absl::Status Processor::Commit() {
  if (pending_ == 0) return absl::OkStatus();
  windows_.Flush(&batch_);
  profiles_.Flush(&batch_);
  const int64_t created_before = alerts_.created(), updated_before = alerts_.updated();
  alerts_.Flush(&batch_, &outbox_);
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
  Store::PutCounter(&batch_, meta, kMetaAlertsCreated, counters_.alerts_created);
  Store::PutCounter(&batch_, meta, kMetaAlertsUpdated, counters_.alerts_updated);
  RETURN_IF_ERROR(store_->Write(&batch_));
  batch_.Clear();
  // State older than this (less the store's grace) may now be compacted away.
  // A record stamped in the future cannot drag expiry ahead of real time.
  store_->AdvanceExpiryWatermark(std::min(max_event_micros_, options_.wall_clock_micros() + kMicrosPerDay));
  dirty_positions_.clear();
  last_position_ = last_dirty_position_ = nullptr;
  pending_ = 0;
  windows_.Evict();
  profiles_.Evict();
  if (graph_) graph_->Evict();
  return absl::OkStatus();
}

}  // namespace centinela
