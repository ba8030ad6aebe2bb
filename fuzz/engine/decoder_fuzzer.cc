// Fuzz target: a feed record as the engine receives it. Decodes it as
// protobuf, as JSON and with format detection, then validates and
// fingerprints what decoded, as the processor does.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "base/fx_table.h"
#include "engine/codec/decoder.h"
#include "engine/validate/normalizer.h"
#include "fuzz/fuzz_util.h"

namespace {

const centinela::FxTable& Fx() {
  static const centinela::FxTable* fx = [] {
    auto t = centinela::FxTable::FromFixed({{"PEN", "3.75"}, {"EUR", "0.92"}, {"JPY", "150"}});
    if (!t.ok()) __builtin_trap();
    return new centinela::FxTable(*std::move(t));
  }();
  return *fx;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool silenced = centinela::fuzz::SilenceProtobufLogs();
  if (!silenced) return 0;
  const absl::string_view payload(reinterpret_cast<const char*>(data), size);
  // A fixed clock: the outcome of an input must not depend on the day.
  static const centinela::Normalizer normalizer(&Fx(), {}, [] { return int64_t{1767225600} * 1000000; });
  for (absl::string_view content_type :
       {absl::string_view(), centinela::kContentTypeJson, centinela::kContentTypeProtobuf}) {
    centinela::v1::Transaction tx;
    const absl::Status decoded = centinela::DecodeTransaction(payload, content_type, &tx);
    centinela::fuzz::CheckError(decoded);
    if (!decoded.ok()) continue;
    centinela::fuzz::CheckError(normalizer.Normalize(tx));
    // Whatever decoded can be fingerprinted (the duplicate check needs it).
    centinela::fuzz::Require(centinela::TransactionFingerprint(tx).ok(), "fingerprint of a decoded transaction");
  }
  return 0;
}
