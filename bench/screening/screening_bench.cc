// Screening speed with OFAC SDN 2024 and the UN consolidated list loaded
// (~16,000 entries, ~22,700 names and aliases), one thread:
//
//   BM_LoadLists          parse + index both lists; counters: entries, names,
//                         heap held by the loaded lists (malloc's count),
//                         resident memory added by the first load, the
//                         process's resident size, the index's estimate
//   BM_ScreenNewParty     one party never screened before, against both
//                         lists; counters p50_us / p99_us over the run and
//                         names compared in full per screen
//   BM_ScreenSeenParty    the same party again, through the per-party cache
//                         the rules use
//
// Parties: every 4th a perturbed list name (a typo; SCREEN_LISTED_EVERY=k
// for every k-th, 1 for list names only, 0 for none), the rest generated
// Peruvian person and company names (most transactions). SCREEN_MAX_HITS
// (default 10) caps the hits returned, and explained, per list.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>

#include "bench/testing/bench_util.h"
#include "eval/screening_eval.h"
#include "screening/match/list_set.h"

namespace centinela::screening {
namespace {

constexpr const char* kLists = CENTINELA_SOURCE_DIR "/../shared/data/lists/";

std::vector<ListSpec> Specs() { return OfacAndUnSpecs(kLists); }

double ResidentMb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

// Heap bytes in use (malloc's own count), in MB.
double HeapMb() { return double(mallinfo2().uordblks) / (1024.0 * 1024.0); }

ListSet& Loaded() {
  static ListSet* set = [] {
    auto* s = new ListSet();
    if (auto st = s->LoadAll(Specs()); !st.ok()) {
      fprintf(stderr, "screening_bench: %s\n", std::string(st.message()).c_str());
      std::exit(1);
    }
    return s;
  }();
  return *set;
}

std::vector<ScreenQuery> Parties(size_t n) {
  std::vector<ScreenQuery> out;
  const std::vector<std::string> peru = eval::GeneratePeruvianNames(int64_t(n), 7);
  std::vector<std::string> listed;
  for (const auto& l : Loaded().All()) {
    for (const auto& e : l->list().entries) listed.push_back(e.primary_name());
  }
  std::mt19937_64 rng(11);
  // SCREEN_LISTED_EVERY=k: every k-th party is a perturbed list name (0: none).
  const int64_t listed_every = bench::EnvInt("SCREEN_LISTED_EVERY", 4);
  for (size_t i = 0; i < n; ++i) {
    ScreenQuery q;
    if (listed_every > 0 && i % size_t(listed_every) == 0) {
      std::string name = listed[std::uniform_int_distribution<size_t>(0, listed.size() - 1)(rng)];
      if (name.size() > 6) std::swap(name[3], name[4]);  // a typo
      q.name = name;
    } else {
      q.name = peru[i];
    }
    // A few parties carry a country, as most feed records do.
    if (i % 2 == 0) q.country = "PE";
    out.push_back(std::move(q));
  }
  return out;
}

void BM_LoadLists(benchmark::State& state) {
  double heap = 0, rss = 0, estimate = 0, entries = 0, names = 0;
  for (auto _ : state) {
    const double heap_before = HeapMb(), rss_before = ResidentMb();
    auto set = std::make_unique<ListSet>();
    if (auto st = set->LoadAll(Specs()); !st.ok()) state.SkipWithError(std::string(st.message()).c_str());
    heap = HeapMb() - heap_before;
    rss = std::max(rss, ResidentMb() - rss_before);
    estimate = entries = names = 0;
    for (const auto& l : set->All()) {
      estimate += double(l->MemoryBytes()) / (1024.0 * 1024.0);
      entries += double(l->meta().entries);
      names += double(l->meta().names);
    }
    benchmark::DoNotOptimize(set);
  }
  state.counters["entries"] = entries;
  state.counters["names"] = names;
  state.counters["heap_MB"] = heap;      // held by the two loaded lists
  state.counters["rss_added_MB"] = rss;  // first load (later ones reuse freed pages)
  state.counters["process_rss_MB"] = ResidentMb();
  state.counters["index_estimate_MB"] = estimate;
}
BENCHMARK(BM_LoadLists)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_ScreenNewParty(benchmark::State& state) {
  ListSet& set = Loaded();
  const std::vector<ScreenQuery> parties = Parties(size_t(bench::EnvInt("SCREEN_PARTIES", 40000)));
  std::vector<double> micros;
  micros.reserve(parties.size());
  size_t i = 0;
  int64_t scored = 0, hits = 0;
  ScreenOptions o;
  o.max_hits = int(bench::EnvInt("SCREEN_MAX_HITS", 10));
  for (auto _ : state) {
    const ScreenQuery& q = parties[i++ % parties.size()];
    const auto start = std::chrono::steady_clock::now();
    auto prepared = PrepareQuery(q);
    int found = 0;
    for (const auto& l : set.All()) {
      found += int(l->Screen(*prepared, o).size());
      scored += ListIndex::LastScoredCount();
    }
    micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    hits += found > 0;
  }
  // SCREEN_SHOW_SLOWEST=N prints the N slowest parties (to see what the tail is).
  if (const int64_t show = bench::EnvInt("SCREEN_SHOW_SLOWEST", 0); show > 0) {
    std::vector<std::pair<double, size_t>> order;
    for (size_t k = 0; k < micros.size(); ++k) order.push_back({micros[k], k % parties.size()});
    std::sort(order.rbegin(), order.rend());
    for (int64_t k = 0; k < show && k < int64_t(order.size()); ++k) {
      fprintf(stderr, "slow: %8.0f us  %s\n", order[size_t(k)].first, parties[order[size_t(k)].second].name.c_str());
    }
  }
  state.counters["p50_us"] = bench::Percentile(micros, 0.50);
  state.counters["p99_us"] = bench::Percentile(micros, 0.99);
  state.counters["max_us"] = bench::Percentile(micros, 1.0);
  state.counters["scored_per_screen"] = double(scored) / double(micros.size());
  state.counters["with_hits_pct"] = 100.0 * double(hits) / double(micros.size());
}
BENCHMARK(BM_ScreenNewParty)->Unit(benchmark::kMicrosecond)->Iterations(40000);

void BM_ScreenSeenParty(benchmark::State& state) {
  ListSet& set = Loaded();
  ScreenQuery q;
  q.name = "Maria Quispe Mamani";
  q.country = "PE";
  set.ScreenCached(q, "ofac");
  for (auto _ : state) benchmark::DoNotOptimize(set.ScreenCached(q, "ofac"));
}
BENCHMARK(BM_ScreenSeenParty);

}  // namespace
}  // namespace centinela::screening

BENCHMARK_MAIN();
