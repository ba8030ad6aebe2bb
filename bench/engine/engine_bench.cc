// Google Benchmark: per-transaction costs of decode, validation, the Peru pack
// and the whole processor (features in RocksDB, rules, alerts) on warm state.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "bench/testing/bench_util.h"
#include "benchmark/benchmark.h"
#include "centinela/v1/transaction.pb.h"
#include "engine/codec/decoder.h"
#include "engine/pipeline/processor.h"
#include "engine/sequence/sequencer.h"
#include "gen/feed_generator.h"
#include "google/protobuf/util/json_util.h"
#include "tests/testing/test_util.h"

// Heap allocations by C++ code on this thread, for the "allocs_per_tx"
// counter of the processor benchmarks. The replacements pair malloc with
// free throughout; GCC cannot see that operator new is ours and warns
// (-Wmismatched-new-delete) where it inlines a delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
thread_local int64_t g_allocations = 0;
void* operator new(size_t n) {
  ++g_allocations;
  if (void* p = std::malloc(n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace centinela {
namespace {

// A sample of generated records (protobuf and JSON), generated once.
struct Sample {
  std::vector<std::string> protobuf, json;
  Sample() {
    gen::GenOptions o;
    o.count = 100000;
    o.accounts = 100000;
    o.format = gen::Format::kProtobuf;
    bench::Check(gen::Generate(o, [&](const gen::GeneratedRecord& r) { protobuf.push_back(r.payload); }), "gen");
    o.count = 5000;
    o.format = gen::Format::kJson;
    bench::Check(gen::Generate(o, [&](const gen::GeneratedRecord& r) { json.push_back(r.payload); }), "gen");
  }
};
const Sample& GetSample() {
  static const Sample* s = new Sample;
  return *s;
}

// The sample once more with fresh transaction ids and event times moved past
// those of the previous pass, so that every timed record is new (not a
// duplicate of the warm-up) and arrives in event-time order behind it.
std::vector<std::string> Pass(int k) {
  const auto& base = GetSample().protobuf;
  std::vector<v1::Transaction> txs(base.size());
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t i = 0; i < base.size(); ++i) {
    bench::Check(txs[i].ParseFromString(base[i]) ? absl::OkStatus() : absl::DataLossError("sample record"), "parse");
    lo = std::min<int64_t>(lo, txs[i].event_time().seconds());
    hi = std::max<int64_t>(hi, txs[i].event_time().seconds());
  }
  const int64_t shift = int64_t(k) * (hi - lo + 1);
  std::vector<std::string> out;
  out.reserve(txs.size());
  for (v1::Transaction& tx : txs) {
    tx.set_id(absl::StrCat(tx.id(), "~", k));
    tx.mutable_event_time()->set_seconds(tx.event_time().seconds() + shift);
    out.push_back(tx.SerializeAsString());
  }
  return out;
}

FxTable Fx() { return *FxTable::FromYaml("- {date: \"2026-01-01\", currency: PEN, per_usd: \"3.75\"}\n", "fx"); }

void BM_DecodeProtobuf(benchmark::State& state) {
  const auto& s = GetSample().protobuf;
  v1::Transaction tx;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(DecodeTransaction(s[i++ % s.size()], kContentTypeProtobuf, &tx));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeProtobuf);

// As the Processor decodes: into a message on an arena reset per record,
// whose first block is reused (no heap allocation per record).
void BM_DecodeProtobufArena(benchmark::State& state) {
  const auto& s = GetSample().protobuf;
  std::vector<char> block(16 << 10);
  google::protobuf::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  google::protobuf::Arena arena(options);
  size_t i = 0;
  for (auto _ : state) {
    arena.Reset();
    auto* tx = google::protobuf::Arena::CreateMessage<v1::Transaction>(&arena);
    benchmark::DoNotOptimize(DecodeTransaction(s[i++ % s.size()], kContentTypeProtobuf, tx));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeProtobufArena);

void BM_DecodeJson(benchmark::State& state) {
  const auto& s = GetSample().json;
  v1::Transaction tx;
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(DecodeTransaction(s[i++ % s.size()], kContentTypeJson, &tx));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeJson);

void BM_Normalize(benchmark::State& state) {
  const auto& s = GetSample().protobuf;
  std::vector<v1::Transaction> txs(1000);
  for (size_t i = 0; i < txs.size(); ++i) txs[i].ParseFromString(s[i]);
  FxTable fx = Fx();
  Normalizer n(&fx);
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(n.Normalize(txs[i++ % txs.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normalize);

// Rules and typologies only: aggregates come from a fixed source.
void BM_PeruPackRulesOnly(benchmark::State& state) {
  class Fixed : public rules::AggregateSource {
   public:
    rules::Value Aggregate(int) override { return rules::Value::Number(1); }
  } aggs;
  auto pack = *rules::RulePack::LoadFile(CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml");
  FxTable fx = Fx();
  Normalizer n(&fx);
  const auto& s = GetSample().protobuf;
  std::vector<v1::Transaction> txs(1000);
  std::vector<NormalizedTx> norm;
  for (size_t i = 0; i < txs.size(); ++i) {
    txs[i].ParseFromString(s[i]);
    norm.push_back(*n.Normalize(txs[i]));
  }
  rules::EvalScratch scratch;
  size_t i = 0;
  for (auto _ : state) {
    rules::EvalContext ctx{&norm[i++ % norm.size()], &fx, &aggs};
    pack->Evaluate(ctx, &scratch);
    benchmark::DoNotOptimize(scratch.hits.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PeruPackRulesOnly);

// The whole per-record path on warm state (100,000 accounts already seen):
// decode, validate, windowed aggregates in RocksDB, rules, alerts, and one
// RocksDB WriteBatch commit per 1,000 records. The warm processor is built
// once per pack and kept across Google Benchmark's repeated runs, so the
// warm-up is neither repeated nor part of what a profiler sees.
struct WarmProcessor {
  testing::TempDir dir;
  std::unique_ptr<rules::RulePack> pack;
  std::unique_ptr<rules::RulePack> shadow;  // a version in shadow beside `pack`, or null
  FxTable fx = Fx();
  std::unique_ptr<Store> store;
  std::unique_ptr<screening::ListSet> lists;  // OFAC 2024 + UN, or null
  std::unique_ptr<Processor> processor;
  int64_t offset = 0;
  // The timed records: pass `pass_no` of the sample (Pass), read from `next`.
  std::vector<std::string> pass;
  int pass_no = 0;
  size_t next = 0;

  WarmProcessor(const char* pack_file, bool with_shadow, bool with_lists) {
    pack = *rules::RulePack::LoadFile(pack_file);
    store = *Store::Open(dir.Sub("db"), {});
    ProcessorOptions options;
    // Later passes move event times years ahead: no wall-clock bound on them.
    options.validation_clock_micros = [] { return int64_t{4102444800} * 1000000; };  // 2100-01-01
    if (with_lists) {
      lists = std::make_unique<screening::ListSet>();
      const auto specs = screening::OfacAndUnSpecs(CENTINELA_SOURCE_DIR "/../shared/data/lists");
      if (auto st = lists->LoadAll(specs); !st.ok()) fprintf(stderr, "lists: %s\n", std::string(st.message()).c_str());
      options.lists = lists.get();
    }
    processor = *Processor::Create(store.get(), pack.get(), &fx, options);
    if (with_shadow) {
      // The next version of the pack, one threshold moved inside an
      // aggregate filter: the shadow folds that state itself, reads the rest.
      std::string text = absl::StrReplaceAll(pack->text(), {{"near_threshold_low: 0.70", "near_threshold_low: 0.65"}});
      const size_t at = text.find("\nversion: ") + 1, end = text.find('\n', at);
      text.replace(at, end - at, "version: 9.9.9");
      auto parsed = rules::RulePack::Parse(text, "shadow.yaml");
      if (!parsed.ok()) fprintf(stderr, "shadow pack: %s\n", std::string(parsed.status().message()).c_str());
      shadow = std::move(*parsed);
      bench::Check(processor->SetPacks(pack.get(), shadow.get()), "SetPacks");
    }
    for (const auto& p : GetSample().protobuf) {  // warm-up: every account seen once
      bench::Check(processor->Process({"t", 0, offset++, p, kContentTypeProtobuf}), "Process");
      if (processor->pending() >= 1000) {
        bench::Check(processor->ReleaseSeen(), "Release");
        bench::Check(processor->Commit(), "Commit");
      }
    }
    bench::Check(processor->ReleaseSeen(), "Release");
    bench::Check(processor->Commit(), "Commit");
  }
};

// Built on first use, per pack; main() drops them (and their scratch
// databases) after the run.
std::map<std::string, std::unique_ptr<WarmProcessor>>* warm_processors = nullptr;

void ProcessorWarm(benchmark::State& state, const char* pack_file, bool with_shadow = false, bool with_lists = false) {
  if (!warm_processors) warm_processors = new std::map<std::string, std::unique_ptr<WarmProcessor>>;
  auto& w = (*warm_processors)[absl::StrCat(pack_file, with_shadow ? "+shadow" : "", with_lists ? "+lists" : "")];
  if (!w) w = std::make_unique<WarmProcessor>(pack_file, with_shadow, with_lists);
  // The commit (RocksDB WriteBatch into the WAL and memtables) is timed on
  // its own as well, with the release of the records the event-time
  // frontier has passed: "commit_us" is their share per transaction, the
  // rest is decoding, validation and buffering. Scoring (state and features
  // in memory, rules, alerts) happens in the release, so it is in commit_us.
  double commit_seconds = 0;
  int64_t allocations = 0;  // in Process() and the release, not in the commit
  auto commit = [&] {
    const auto start = std::chrono::steady_clock::now();
    const int64_t before = g_allocations;
    bench::Check(w->processor->ReleaseSeen(), "Release");
    allocations += g_allocations - before;
    bench::Check(w->processor->Commit(), "Commit");
    commit_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  for (auto _ : state) {
    if (w->next == w->pass.size()) {
      state.PauseTiming();
      w->pass = Pass(++w->pass_no);
      w->next = 0;
      state.ResumeTiming();
    }
    const int64_t before = g_allocations;
    bench::Check(w->processor->Process({"t", 0, w->offset++, w->pass[w->next++], kContentTypeProtobuf}), "Process");
    allocations += g_allocations - before;
    if (w->processor->pending() >= 1000) commit();
  }
  commit();
  state.SetItemsProcessed(state.iterations());
  state.counters["allocs_per_tx"] = double(allocations) / double(state.iterations());
  state.counters["commit_us"] = commit_seconds * 1e6 / double(state.iterations());
  state.counters["cached_subjects"] = double(w->processor->windows().cached_subjects());
  if (w->lists) {
    const auto st = w->lists->stats();
    state.counters["screen_cache_hit_pct"] = 100.0 * double(st.cache_hits) / double(st.cache_hits + st.cache_misses);
  }
}

// What event-time order costs by itself (docs/event-time.md): each record
// (a 300-byte payload, 16 partitions, event times a few seconds apart and
// jittered across partitions) is buffered in the pending column family and
// released once the frontier (1h lateness) passes it, in batches of 1,000
// written to RocksDB, as the runner does. No scoring.
void BM_SequencerBufferAndRelease(benchmark::State& state) {
  testing::TempDir dir;
  auto store = Store::Open(dir.Sub("db"), {});
  bench::Check(store.status(), "Store::Open");
  auto sequencer = Sequencer::Open(store->get(), int64_t{3600} * 1000000);
  bench::Check(sequencer.status(), "Sequencer::Open");
  const std::string payload(300, 'x');
  int64_t n = 0, released = 0;
  rocksdb::WriteBatch batch;
  auto flush = [&](int64_t frontier) {
    bench::Check((*sequencer)
                     ->Release(frontier, &batch,
                               [&](absl::string_view, const SequencedRecord&) {
                                 ++released;
                                 return absl::OkStatus();
                               }),
                 "Release");
    (*sequencer)->Persist(&batch);
    bench::Check((*store)->Write(&batch), "Write");
    batch.Clear();
  };
  for (auto _ : state) {
    const int32_t partition = int32_t(n % 16);
    const int64_t event = int64_t{1767225600} * 1000000 + n * 3000000 + (n * 7919 % 16) * 60000000;
    (*sequencer)->Observe("t", partition, event);
    (*sequencer)
        ->Buffer(SequenceKey(event, "20100047218", absl::StrCat("tx-", n), uint64_t(n), "t", partition, n),
                 SequencedRecord{"t", partition, n, "application/x-protobuf", payload, 0}, &batch);
    if (++n % 1000 == 0) flush((*sequencer)->FrontierOfSeen());
  }
  flush(INT64_MAX);
  state.SetItemsProcessed(state.iterations());
  state.counters["released"] = double(released);
}
BENCHMARK(BM_SequencerBufferAndRelease)->MinTime(1.0);

void BM_ProcessorWarm(benchmark::State& state) { ProcessorWarm(state, CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml"); }
BENCHMARK(BM_ProcessorWarm)->MinTime(2.0);

// The same with the next version of the pack running in shadow beside it.
void BM_ProcessorWarmWithShadowPack(benchmark::State& state) {
  ProcessorWarm(state, CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml", /*with_shadow=*/true);
}
BENCHMARK(BM_ProcessorWarmWithShadowPack)->MinTime(2.0);

// With OFAC 2024 and the UN list loaded: every party of every transaction is
// screened (screen() in the pack's sanctions rules), the warm-up having seen
// every party once, so this is the cost of screening a party seen before.
void BM_ProcessorWarmWithLists(benchmark::State& state) {
  ProcessorWarm(state, CENTINELA_SOURCE_DIR "/rules/packs/peru.yaml", /*with_shadow=*/false, /*with_lists=*/true);
}
BENCHMARK(BM_ProcessorWarmWithLists)->MinTime(2.0);

// The networks pack: count_distinct windows plus a bounded cycle search over
// the transfer graph of 100,000 accounts on every transfer.
void BM_ProcessorWarmNetworks(benchmark::State& state) {
  ProcessorWarm(state, CENTINELA_SOURCE_DIR "/rules/packs/networks.yaml");
}
BENCHMARK(BM_ProcessorWarmNetworks)->MinTime(2.0);

}  // namespace
}  // namespace centinela

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  delete centinela::warm_processors;  // removes the scratch databases under /tmp
  return 0;
}
