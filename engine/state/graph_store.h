// The recent transfer graph (account -> account edges with event time and
// amount) in the `edges` column family, with a write-through cache, and
// bounded time-respecting path search over it (cycles, layering).
#ifndef CENTINELA_ENGINE_STATE_GRAPH_STORE_H_
#define CENTINELA_ENGINE_STATE_GRAPH_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// Lifetime: borrows `store`. Not thread-safe (processing thread only). As
// with WindowStore, the cache holds only committed or open-batch data.
class GraphStore {
 public:
  struct Edge {
    int64_t micros;
    std::string dst;
    int64_t amount_usd;
  };

  // Edges older than `retention_micros` behind an account's newest edge are
  // dropped; at most `max_edges_per_account` recent edges are kept.
  GraphStore(Store* store, int64_t retention_micros, size_t max_edges_per_account = 512)
      : store_(store), retention_(retention_micros), max_edges_(max_edges_per_account) {}

  absl::Status AddEdge(absl::string_view src, absl::string_view dst, int64_t micros, int64_t amount_usd,
                       rocksdb::WriteBatch* batch);

  // Fewest edges on a time-respecting path from `from` to `to` (each edge no
  // earlier than the one before it, all within [since, until]), using only
  // edges whose amount lies in [min_amount, max_amount], at most `max_hops`
  // edges and `max_visits` accounts expanded. -1 when none.
  absl::StatusOr<int> ShortestPath(absl::string_view from, absl::string_view to, int64_t since, int64_t until,
                                   int max_hops, int max_visits, int64_t min_amount = 0,
                                   int64_t max_amount = INT64_MAX);

  void Evict(size_t max_accounts = 1 << 20) {
    if (cache_.size() > max_accounts) cache_.clear();
  }

 private:
  absl::StatusOr<std::vector<Edge>*> Load(absl::string_view account);
  static std::string EdgeKey(absl::string_view src, int64_t micros, absl::string_view dst);

  Store* store_;
  int64_t retention_;
  size_t max_edges_;
  absl::flat_hash_map<std::string, std::vector<Edge>> cache_;  // sorted by time
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_GRAPH_STORE_H_
