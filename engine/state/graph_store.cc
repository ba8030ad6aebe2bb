#include "engine/state/graph_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/common/keys.h"

namespace centinela {
namespace {

void AccountPrefix(absl::string_view account, std::string* out) {
  out->clear();
  PutBigEndian16(out, uint16_t(std::min<size_t>(account.size(), 0xffff)));
  out->append(account.data(), std::min<size_t>(account.size(), 0xffff));
}

}  // namespace

std::string GraphStore::EdgeKey(absl::string_view src, int64_t micros, absl::string_view dst) {
  std::string key;
  AccountPrefix(src, &key);
  PutOrderedInt64(&key, micros);
  key.append(dst.data(), dst.size());
  return key;
}

absl::StatusOr<std::vector<GraphStore::Edge>*> GraphStore::Load(absl::string_view account) {
  auto it = cache_.find(account);
  if (it != cache_.end()) return &it->second;
  std::vector<Edge> edges;
  std::string prefix;
  AccountPrefix(account, &prefix);
  auto iter = store_->NewIterator(Cf::kEdges);
  for (iter->Seek(prefix); iter->Valid() && iter->key().starts_with(prefix); iter->Next()) {
    const rocksdb::Slice k = iter->key(), v = iter->value();
    if (k.size() < prefix.size() + 8 || v.size() != 8) {
      return absl::DataLossError(absl::StrCat("edges: malformed entry of account ", account));
    }
    edges.push_back({GetOrderedInt64(absl::string_view(k.data() + prefix.size(), 8)),
                     std::string(k.data() + prefix.size() + 8, k.size() - prefix.size() - 8),
                     int64_t(GetBigEndian64(absl::string_view(v.data(), 8)))});
  }
  if (!iter->status().ok()) return FromRocks(iter->status(), "loading edges");
  return &cache_.emplace(std::string(account), std::move(edges)).first->second;
}

absl::Status GraphStore::AddEdge(absl::string_view src, absl::string_view dst, int64_t micros, int64_t amount,
                                 rocksdb::WriteBatch* batch) {
  auto loaded = Load(src);
  if (!loaded.ok()) return loaded.status();
  std::vector<Edge>& edges = **loaded;
  auto pos = std::upper_bound(edges.begin(), edges.end(), micros,
                              [](int64_t t, const Edge& e) { return t < e.micros; });
  edges.insert(pos, Edge{micros, std::string(dst), amount});
  std::string value;
  PutBigEndian64(&value, uint64_t(amount));
  batch->Put(store_->cf(Cf::kEdges), EdgeKey(src, micros, dst), value);
  // Expire by event time behind the newest edge, and bound the fan-out kept.
  const int64_t keep_from = edges.back().micros - retention_;
  size_t drop = 0;
  while (drop < edges.size() && (edges[drop].micros < keep_from || edges.size() - drop > max_edges_)) ++drop;
  for (size_t i = 0; i < drop; ++i) batch->Delete(store_->cf(Cf::kEdges), EdgeKey(src, edges[i].micros, edges[i].dst));
  edges.erase(edges.begin(), edges.begin() + long(drop));
  return absl::OkStatus();
}

absl::StatusOr<int> GraphStore::ShortestPath(absl::string_view from, absl::string_view to, int64_t since,
                                             int64_t until, int max_hops, int max_visits, int64_t min_amount,
                                             int64_t max_amount) {
  // Breadth-first by hop count; for each account, the earliest time we can
  // be there (a later arrival can only use a subset of its edges).
  absl::flat_hash_map<std::string, int64_t> earliest;
  std::vector<std::pair<std::string, int64_t>> frontier = {{std::string(from), since}}, next;
  earliest[std::string(from)] = since;
  int visits = 0;
  for (int hop = 1; hop <= max_hops && !frontier.empty(); ++hop) {
    next.clear();
    for (const auto& [account, arrival] : frontier) {
      if (++visits > max_visits) return -1;
      auto edges = Load(account);
      if (!edges.ok()) return edges.status();
      auto first = std::lower_bound((*edges)->begin(), (*edges)->end(), arrival,
                                    [](const Edge& e, int64_t t) { return e.micros < t; });
      for (auto e = first; e != (*edges)->end() && e->micros <= until; ++e) {
        if (e->amount_usd < min_amount || e->amount_usd > max_amount) continue;
        if (e->dst == to) return hop;
        auto [it, inserted] = earliest.try_emplace(e->dst, e->micros);
        if (!inserted) {
          if (it->second <= e->micros) continue;
          it->second = e->micros;
        }
        next.emplace_back(e->dst, e->micros);
      }
    }
    frontier.swap(next);
  }
  return -1;
}

}  // namespace centinela
