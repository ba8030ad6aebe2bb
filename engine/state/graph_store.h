// The recent transfer graph (account -> account edges with event time and
// amount) in the `edges` column family, indexed both ways (out-edges by
// sender, in-edges by receiver), with a write-through cache, and bounded
// searches over it: time-respecting paths (cycles), pass-through, gather
// paths (scatter-gather) and degrees.
#ifndef CENTINELA_ENGINE_STATE_GRAPH_STORE_H_
#define CENTINELA_ENGINE_STATE_GRAPH_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "engine/state/store.h"
#include "rocksdb/write_batch.h"

namespace centinela {

// Each edge is one key written at AddEdge, never rewritten; its value
// carries expire_at (event time + retention) and compaction drops it after
// that (EventTimeExpiryFilter). The cache keeps an account's edges within the
// retention behind its newest edge, at most `max_edges_per_account`.
//
// Lifetime: borrows `store`. Not thread-safe (processing thread only). As
// with WindowStore, the cache holds only committed or open-batch data.
class GraphStore {
 public:
  // The transfer an edge stands for, as the engine identifies transactions.
  // Empty in edges written before edges kept it.
  struct TxId {
    std::string reporting_entity;
    std::string id;
    uint64_t fingerprint = 0;
  };
  struct Edge {
    int64_t micros;
    std::string dst;  // the other account: receiver of an out-edge, sender of an in-edge
    int64_t amount_usd;
    TxId tx;
  };
  // Edges a search went through: pointers into the cache, valid until the
  // next AddEdge or Evict.
  using Witnesses = std::vector<const Edge*>;
  enum class Dir : char { kOut = 'o', kIn = 'i' };

  // Edges older than `retention_micros` behind an account's newest edge are
  // dropped; at most `max_edges_per_account` recent edges are kept.
  GraphStore(Store* store, int64_t retention_micros, size_t max_edges_per_account = 512)
      : store_(store), retention_(retention_micros), max_edges_(max_edges_per_account) {}
  int64_t retention_micros() const { return retention_; }

  // Records src -> dst. A transfer of an account to itself is no edge
  // (nothing moves between accounts) and is ignored.
  absl::Status AddEdge(absl::string_view src, absl::string_view dst, int64_t micros, int64_t amount_usd, const TxId& tx,
                       rocksdb::WriteBatch* batch);
  // Starts loading the cache entries that a transfer src -> dst touches
  // (AddEdge, and the in-edges of `src` that pass-through and cycle features
  // read), so that their cache misses overlap with other work.
  void Prefetch(absl::string_view src, absl::string_view dst) const {
    out_.prefetch(src);
    in_.prefetch(dst);
    in_.prefetch(src);
  }

  // Fewest edges on a time-respecting path from `from` to `to` (each edge no
  // earlier than the one before it, all within [since, until]), using only
  // edges whose amount lies in [min_amount, max_amount], at most `max_hops`
  // edges and `max_visits` accounts expanded. -1 when none. With
  // `witnesses`, the path's edges are appended to it.
  absl::StatusOr<int> ShortestPath(absl::string_view from, absl::string_view to, int64_t since, int64_t until,
                                   int max_hops, int max_visits, int64_t min_amount = 0, int64_t max_amount = INT64_MAX,
                                   Witnesses* witnesses = nullptr);

  // Time of the latest transfer into `account` from another account within
  // [since, until] whose amount lies in [min_amount, max_amount]; -1 when none.
  // With `witness`, that transfer is appended to it.
  absl::StatusOr<int64_t> LatestInflow(absl::string_view account, int64_t since, int64_t until, int64_t min_amount,
                                       int64_t max_amount, Witnesses* witness = nullptr);

  // Scatter-gather seen from the transfer mid -> sink at `until`: over the
  // accounts A that paid `mid` within [since, until], the largest number of
  // distinct intermediaries B with A -> B -> sink in time order (mid among
  // them). 0 when `mid` received nothing. At most `max_visits` edge lists read.
  absl::StatusOr<int> GatherPaths(absl::string_view mid, absl::string_view sink, int64_t since, int64_t until,
                                  int max_visits);

  // Consecutive pass-through hops ending at a transfer of `amount` out of
  // `account` at `until`: 1 when the account received an amount within
  // [amount*ratio, amount/ratio] in the `window` before, 2 when its payer
  // had in turn received a similar amount in the window before that, and so
  // on, up to `max_hops`. 0 when the account passed nothing on. With
  // `witnesses`, the inflows of each hop are appended to it.
  absl::StatusOr<int> PassThroughHops(absl::string_view account, int64_t until, int64_t amount, int64_t window,
                                      double ratio, int max_hops, Witnesses* witnesses = nullptr);

  // Bipartite block seen from the transfer from -> to: over the other
  // accounts R that `from` paid within [since, until], the largest number of
  // senders that paid both `to` and R (counting `from`). At least 3 means
  // three senders sharing two receivers. 1 when `from` paid no one else in
  // common with another sender. At most `max_visits` receivers read.
  absl::StatusOr<int> SharedSenders(absl::string_view from, absl::string_view to, int64_t since, int64_t until,
                                    int max_visits);

  // Distinct counterparties of `account` over edges in [since, until]. With
  // `witnesses`, the latest edge to or from each is appended to it.
  absl::StatusOr<int> Degree(absl::string_view account, Dir dir, int64_t since, int64_t until,
                             Witnesses* witnesses = nullptr);

  // After a commit: drops the read view (the next load opens one that sees
  // the commit) and the cache if it grew beyond `max_accounts`.
  void Evict(size_t max_accounts = 1 << 20) {
    reader_.reset();
    if (out_.size() + in_.size() > max_accounts) {
      out_.clear();
      in_.clear();
    }
  }

  static std::string EdgeKey(Dir dir, absl::string_view account, int64_t micros, absl::string_view other);

 private:
  using Cache = absl::flat_hash_map<std::string, std::vector<Edge>>;  // sorted by time
  absl::StatusOr<std::vector<Edge>*> Load(Dir dir, absl::string_view account);
  // The latest in-edge in [since, until] with an amount in [min, max], not
  // from `not_from`; null when none. `in` is sorted by time.
  static const Edge* LatestIn(const std::vector<Edge>& in, int64_t since, int64_t until, int64_t min_amount,
                              int64_t max_amount, absl::string_view not_from);
  // Drops edges older than the retention behind the newest, and the oldest
  // beyond the per-account bound.
  void Trim(std::vector<Edge>* edges) const;
  absl::Status Insert(Dir dir, absl::string_view account, absl::string_view other, int64_t micros, int64_t amount,
                      const TxId& tx, rocksdb::WriteBatch* batch);

  Store* store_;
  int64_t retention_;
  size_t max_edges_;
  Cache out_;
  Cache in_;
  std::unique_ptr<rocksdb::Iterator> reader_;  // read view for cache misses, see Evict()
  std::string key_, value_;                    // Insert's scratch
  // Search scratch, reused across calls (views of edge strings in the cache).
  absl::flat_hash_map<absl::string_view, int64_t> search_earliest_;
  // ShortestPath with witnesses: account -> (payer, edge) it was first reached by.
  absl::flat_hash_map<absl::string_view, std::pair<absl::string_view, const Edge*>> search_via_;
  std::vector<std::pair<absl::string_view, int64_t>> search_frontier_, search_next_;
  absl::flat_hash_map<absl::string_view, const Edge*> degree_seen_;  // counterparty -> its latest edge
};

}  // namespace centinela

#endif  // CENTINELA_ENGINE_STATE_GRAPH_STORE_H_
