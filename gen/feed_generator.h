// A deterministic (seeded) synthetic Peru transaction feed: background traffic
// plus labelled injected cases of the Peru typologies (structuring,
// smurfing, monthly register, mining, gold export, VRAEM, trafficking, front
// company, contraband, border, FATF, PEP, fan-in, fan-out, and the
// order-dependent rapid pass-through, stack, cycle, scatter-gather,
// gather-scatter, bipartite, dormant account and profile deviation), and
// optionally malformed records for the dead-letter path. The sanctions and
// PEP-list typologies get no cases: their parties must be named on the lists
// loaded.
#ifndef CENTINELA_GEN_FEED_GENERATOR_H_
#define CENTINELA_GEN_FEED_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "centinela/v1/transaction.pb.h"

namespace centinela::gen {

enum class Format { kProtobuf, kJson, kMixed };

// A party named on a sanctions or PEP list, injected once as a case (as
// originator and beneficiary alternately), its name written as feeds write
// names (FeedWriting). Labelled "pep_list_match_<side>" for a PEP, and
// "sanctions_match_<side>|sanctions_name_match_<side>" for a sanctioned
// party (either detects it). `gen --listed FILE`.
struct ListedParty {
  std::string name;  // as listed, "SURNAMES, Given names" or natural order
  bool company = false;
  std::string country;   // ISO 3166 alpha-2 the feed gives, or empty: PE
  std::string document;  // the listed document number the feed gives, or empty
  std::string list;      // "sanctions" or "pep"
};

// `listed` written as a feed might (chosen by `draw`): as listed in upper
// case, given names first, one typo (two letters swapped), the second given
// name left out, or lower case (a company's name is never reordered).
std::string FeedWriting(const std::string& listed, bool company, uint64_t draw);

struct GenOptions {
  uint64_t seed = 42;
  int64_t count = 100000;  // total records, cases and invalid ones included
  int cases_per_typology = 40;
  int invalid = 0;  // malformed records, cycling through the kinds
  int accounts = 20000;
  int64_t start_day = 20454;  // 2026-01-01
  int days = 60;
  Format format = Format::kMixed;
  std::vector<ListedParty> listed;
};

// One record to publish, in event-time order.
struct GeneratedRecord {
  std::string key;  // Kafka key: beneficiary account, or the tx id
  std::string payload;
  std::string content_type;  // application/x-protobuf or application/json
  std::string tx_id;
  std::string label;     // "" background; "case" or "invalid"
  std::string typology;  // for cases: the typology id; for invalid: the kind
  std::string case_id;
};

// The kinds of malformed record, in the order `invalid` cycles through them.
const std::vector<std::string>& InvalidKinds();

// The most records the injected cases and malformed records can take; a
// `count` below it is an error (the feed would be longer than asked).
int64_t MaxInjectedRecords(const GenOptions& options);

// Calls `emit` once per record, in event-time order. Same options, same output.
// Emits exactly options.count records when count >= MaxInjectedRecords.
// Fails only when a record cannot be printed as JSON (then nothing more is
// emitted).
absl::Status Generate(const GenOptions& options, const std::function<void(const GeneratedRecord&)>& emit);

// The partition a record goes to on a topic of `partitions` (by a stable
// hash of its key, so the same on every run).
int PartitionOf(const GeneratedRecord& r, int partitions);

// An order in which to write `records` (their indexes) to a topic of
// `partitions` so that the partitions are written unevenly: a random
// partition at a time, a burst of 1 to 500 of its records, each partition's
// records in their own order. Tests of event-time order use it: the broker
// then holds partitions far ahead of others. Same seed, same order.
std::vector<std::pair<int, size_t>> ShuffledPartitionOrder(const std::vector<GeneratedRecord>& records, int partitions,
                                                           uint32_t seed);

// A valid RUC (prefix 20, company) / DNI from a number.
std::string MakeRuc(uint64_t n, const char* prefix = "20");
std::string MakeDni(uint64_t n);

}  // namespace centinela::gen

#endif  // CENTINELA_GEN_FEED_GENERATOR_H_
