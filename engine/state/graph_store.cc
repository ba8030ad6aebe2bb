#include "engine/state/graph_store.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/money.h"
#include "base/status_macros.h"

namespace centinela {
namespace {

void AccountPrefix(GraphStore::Dir dir, absl::string_view account, std::string* out) {
  out->clear();
  out->push_back(static_cast<char>(dir));
  PutLengthPrefixed16(out, account);
}

void BuildEdgeKey(GraphStore::Dir dir, absl::string_view account, int64_t micros, absl::string_view other,
                  std::string* key) {
  AccountPrefix(dir, account, key);
  PutOrderedInt64(key, micros);
  key->append(other.data(), other.size());
}

}  // namespace

std::string GraphStore::EdgeKey(Dir dir, absl::string_view account, int64_t micros, absl::string_view other) {
  std::string key;
  BuildEdgeKey(dir, account, micros, other, &key);
  return key;
}

absl::StatusOr<std::vector<GraphStore::Edge>*> GraphStore::Load(Dir dir, absl::string_view account) {
  Cache& cache = dir == Dir::kOut ? out_ : in_;
  auto it = cache.find(account);
  if (it != cache.end()) return &it->second;
  std::vector<Edge> edges;
  std::string prefix;
  AccountPrefix(dir, account, &prefix);
  // One read view per commit interval: what the open batch changed is in
  // the cache already, so the view only has to see the last commit.
  if (!reader_) reader_ = store_->NewPrefixIterator(Cf::kEdges);
  rocksdb::Iterator* iter = reader_.get();
  for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix); iter->Next()) {
    const rocksdb::Slice k = iter->key(), v = iter->value();
    // 16 bytes (expire_at, amount), then in newer edges 8 + 2 + n + m
    // (fingerprint, entity length, entity, id).
    TxId tx;
    bool ok = k.size() >= prefix.size() + 8 && (v.size() == 16 || v.size() >= 26);
    if (ok && v.size() >= 26) {
      tx.fingerprint = GetBigEndian64(absl::string_view(v.data() + 16, 8));
      const size_t n = GetBigEndian16(absl::string_view(v.data() + 24, 2));
      ok = v.size() >= 26 + n;
      if (ok) {
        tx.reporting_entity.assign(v.data() + 26, n);
        tx.id.assign(v.data() + 26 + n, v.size() - 26 - n);
      }
    }
    if (!ok) return absl::DataLossError(absl::StrCat("edges: malformed entry of account ", account));
    edges.push_back({GetOrderedInt64(absl::string_view(k.data() + prefix.size(), 8)),
                     std::string(k.data() + prefix.size() + 8, k.size() - prefix.size() - 8),
                     int64_t(GetBigEndian64(absl::string_view(v.data() + 8, 8))), std::move(tx)});
  }
  if (!iter->status().ok()) return FromRocks(iter->status(), "loading edges");
  Trim(&edges);  // disk may still hold edges that compaction has not dropped yet
  return &cache.emplace(std::string(account), std::move(edges)).first->second;
}

void GraphStore::Trim(std::vector<Edge>* edges) const {
  if (edges->empty()) return;
  const int64_t keep_from = edges->back().micros - retention_;
  size_t drop = 0;
  while (drop < edges->size() && ((*edges)[drop].micros < keep_from || edges->size() - drop > max_edges_)) ++drop;
  edges->erase(edges->begin(), edges->begin() + long(drop));
}

absl::Status GraphStore::AddEdge(absl::string_view src, absl::string_view dst, int64_t micros, int64_t amount,
                                 const TxId& tx, rocksdb::WriteBatch* batch) {
  // A transfer from an account to itself (a reinvestment, a currency
  // exchange within the account) moves nothing between accounts: no edge.
  // Counted as an inflow it would make every such account a "pass-through"
  // of its next payment, and as a counterparty it would inflate degrees.
  if (src == dst) return absl::OkStatus();
  RETURN_IF_ERROR(Insert(Dir::kOut, src, dst, micros, amount, tx, batch));
  return Insert(Dir::kIn, dst, src, micros, amount, tx, batch);
}

absl::Status GraphStore::Insert(Dir dir, absl::string_view account, absl::string_view other, int64_t micros,
                                int64_t amount, const TxId& tx, rocksdb::WriteBatch* batch) {
  ASSIGN_OR_RETURN(std::vector<Edge> * loaded, Load(dir, account));
  std::vector<Edge>& edges = *loaded;
  // In key order (time, then the other account), as a load from disk gives
  // them: searches that meet equal times then answer the same after a
  // restart, whatever order the transfers arrived in.
  auto pos = std::upper_bound(edges.begin(), edges.end(), std::make_pair(micros, other),
                              [](const std::pair<int64_t, absl::string_view>& k, const Edge& e) {
                                return k.first < e.micros || (k.first == e.micros && k.second < e.dst);
                              });
  edges.insert(pos, Edge{micros, std::string(other), amount, tx});
  value_.clear();
  PutOrderedInt64(&value_, micros + retention_);  // expire_at: compaction drops it after that
  PutBigEndian64(&value_, uint64_t(amount));
  // The transfer: fingerprint, reporting entity, id (absent in older edges).
  PutBigEndian64(&value_, tx.fingerprint);
  PutLengthPrefixed16(&value_, tx.reporting_entity);
  value_.append(tx.id);
  BuildEdgeKey(dir, account, micros, other, &key_);
  batch->Put(store_->cf(Cf::kEdges), key_, value_);
  // Expire by event time behind the newest edge, and bound the fan-out kept.
  // Only the cache is trimmed: entries beyond the bound are trimmed again at
  // the next load and dropped from disk by compaction.
  Trim(&edges);
  return absl::OkStatus();
}

absl::StatusOr<int> GraphStore::ShortestPath(absl::string_view from, absl::string_view to, int64_t since, int64_t until,
                                             int max_hops, int max_visits, int64_t min_amount, int64_t max_amount,
                                             Witnesses* witnesses) {
  // Breadth-first by hop count; for each account, the earliest time we can
  // be there (a later arrival can only use a subset of its edges). Accounts
  // are views of edge strings in the cache: Load() may add entries (moving
  // the vectors, never their elements) but changes no loaded edge list.
  auto& earliest = search_earliest_;
  auto& frontier = search_frontier_;
  auto& next = search_next_;
  auto& via = search_via_;  // account -> (payer, edge) it was first reached by
  earliest.clear();
  via.clear();
  frontier.clear();
  frontier.emplace_back(from, since);
  earliest[from] = since;
  int visits = 0;
  for (int hop = 1; hop <= max_hops && !frontier.empty(); ++hop) {
    next.clear();
    for (const auto& [account, arrival] : frontier) {
      if (++visits > max_visits) return -1;
      auto edges = Load(Dir::kOut, account);
      if (!edges.ok()) return edges.status();
      auto first = std::lower_bound((*edges)->begin(), (*edges)->end(), arrival,
                                    [](const Edge& e, int64_t t) { return e.micros < t; });
      for (auto e = first; e != (*edges)->end() && e->micros <= until; ++e) {
        if (e->amount_usd < min_amount || e->amount_usd > max_amount) continue;
        if (e->dst == to) {
          if (witnesses) {
            witnesses->push_back(&*e);
            // Back along the edges that reached each account (bounded: equal
            // timestamps could make them loop).
            absl::string_view at = account;
            for (int step = 0; step < max_hops && at != from; ++step) {
              auto v = via.find(at);
              if (v == via.end()) break;
              witnesses->push_back(v->second.second);
              at = v->second.first;
            }
          }
          return hop;
        }
        auto [it, inserted] = earliest.try_emplace(e->dst, e->micros);
        if (!inserted) {
          if (it->second <= e->micros) continue;
          it->second = e->micros;
        }
        if (witnesses) via[e->dst] = {account, &*e};
        next.emplace_back(e->dst, e->micros);
      }
    }
    frontier.swap(next);
  }
  return -1;
}

const GraphStore::Edge* GraphStore::LatestIn(const std::vector<Edge>& in, int64_t since, int64_t until,
                                             int64_t min_amount, int64_t max_amount, absl::string_view not_from) {
  auto end = std::upper_bound(in.begin(), in.end(), until, [](int64_t t, const Edge& e) { return t < e.micros; });
  for (auto e = end; e != in.begin();) {
    --e;
    if (e->micros < since) break;
    if (e->amount_usd >= min_amount && e->amount_usd <= max_amount && e->dst != not_from) return &*e;
  }
  return nullptr;
}

absl::StatusOr<int64_t> GraphStore::LatestInflow(absl::string_view account, int64_t since, int64_t until,
                                                 int64_t min_amount, int64_t max_amount, Witnesses* witness) {
  ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, account));
  // Not from itself: state written before self-transfers were left out of
  // the graph may still hold such edges.
  const Edge* e = LatestIn(*in, since, until, min_amount, max_amount, /*not_from=*/account);
  if (e && witness) witness->push_back(e);
  return e ? e->micros : int64_t{-1};
}

absl::StatusOr<int> GraphStore::PassThroughHops(absl::string_view account, int64_t until, int64_t amount,
                                                int64_t window, double ratio, int max_hops, Witnesses* witnesses) {
  std::string current(account);
  int hops = 0;
  while (hops < max_hops) {
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, current));
    // A transfer to itself is not an inflow to pass on.
    const Edge* found = LatestIn(*in, until - window, until, SatRound(double(amount) * ratio),
                                 SatRound(double(amount) / ratio), current);
    if (!found) break;
    ++hops;
    if (witnesses) witnesses->push_back(found);
    // Step upstream: did the payer pass on what it had just received?
    until = found->micros;
    amount = found->amount_usd;
    current = found->dst;  // copied before the next Load may move the cache
  }
  return hops;
}

absl::StatusOr<int> GraphStore::SharedSenders(absl::string_view from, absl::string_view to, int64_t since,
                                              int64_t until, int max_visits) {
  absl::flat_hash_set<std::string> senders;  // who paid `to`
  {
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, to));
    for (const Edge& e : *in) {
      if (e.micros >= since && e.micros <= until) senders.insert(e.dst);
    }
  }
  if (senders.size() < 2) return int(senders.size());
  absl::flat_hash_set<std::string> others;  // other accounts `from` paid
  {
    ASSIGN_OR_RETURN(std::vector<Edge> * out, Load(Dir::kOut, from));
    for (const Edge& e : *out) {
      if (e.micros >= since && e.micros <= until && e.dst != to) others.insert(e.dst);
    }
  }
  int best = 1;  // `from` alone
  int visits = 0;
  for (const std::string& other : others) {
    if (++visits > max_visits) break;
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, other));
    absl::flat_hash_set<absl::string_view> shared;
    for (const Edge& e : *in) {
      if (e.micros >= since && e.micros <= until && senders.contains(e.dst)) shared.insert(e.dst);
    }
    best = std::max(best, int(shared.size()));
  }
  return best;
}

absl::StatusOr<int> GraphStore::GatherPaths(absl::string_view mid, absl::string_view sink, int64_t since, int64_t until,
                                            int max_visits) {
  // Sources that paid `mid`: only paths through them count, so that the
  // transfer being scored is one of the legs.
  absl::flat_hash_set<std::string> sources;
  {
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, mid));
    for (const Edge& e : *in) {
      if (e.micros >= since && e.micros <= until) sources.insert(e.dst);
    }
  }
  if (sources.empty()) return 0;
  // Every B that paid the sink, with its earliest such payment; then the
  // sources among B's payers before it.
  absl::flat_hash_map<std::string, int64_t> payers;
  {
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, sink));
    for (const Edge& e : *in) {
      if (e.micros < since || e.micros > until) continue;
      auto [it, inserted] = payers.try_emplace(e.dst, e.micros);
      if (!inserted) it->second = std::max(it->second, e.micros);
    }
  }
  absl::flat_hash_map<absl::string_view, int> paths;  // source -> distinct intermediaries
  int visits = 0, best = 0;
  absl::flat_hash_set<absl::string_view> counted;
  for (const auto& [b, paid_sink_at] : payers) {
    if (++visits > max_visits) break;
    ASSIGN_OR_RETURN(std::vector<Edge> * in, Load(Dir::kIn, b));
    counted.clear();
    for (const Edge& e : *in) {
      if (e.micros < since || e.micros > paid_sink_at) continue;
      auto s = sources.find(e.dst);
      if (s == sources.end() || !counted.insert(*s).second) continue;
      best = std::max(best, ++paths[*s]);
    }
  }
  return best;
}

absl::StatusOr<int> GraphStore::Degree(absl::string_view account, Dir dir, int64_t since, int64_t until,
                                       Witnesses* witnesses) {
  ASSIGN_OR_RETURN(std::vector<Edge> * edges, Load(dir, account));
  auto& seen = degree_seen_;
  seen.clear();
  for (const Edge& e : *edges) {
    if (e.micros >= since && e.micros <= until) seen[e.dst] = &e;  // time order: the latest stays
  }
  if (witnesses) {
    // In time order, not the map's: evidence must be the same on every run.
    for (const Edge& e : *edges) {
      if (e.micros >= since && e.micros <= until && seen[e.dst] == &e) witnesses->push_back(&e);
    }
  }
  return int(seen.size());
}

}  // namespace centinela
