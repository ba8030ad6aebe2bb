// Decodes a feed record (binary protobuf or protobuf-JSON) into a Transaction.
#ifndef CENTINELA_ENGINE_CODEC_DECODER_H_
#define CENTINELA_ENGINE_CODEC_DECODER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "centinela/v1/transaction.pb.h"

namespace centinela {

enum class WireFormat { kProtobuf, kJson };

inline constexpr absl::string_view kContentTypeProtobuf = "application/x-protobuf";
inline constexpr absl::string_view kContentTypeJson = "application/json";

// Picks the format from a content-type header value. Without a header (empty
// `content_type`) a payload starting with '{' is JSON, anything else binary.
// An unknown content type is an error.
absl::Status DetectFormat(absl::string_view content_type, absl::string_view payload, WireFormat* out);

// Decodes into `*tx` (cleared first; reusing one message avoids allocation).
// Errors read "decode: ..." and say what was wrong.
// `format`, when given, receives the format detected (also on a decode error
// after detection).
absl::Status DecodeTransaction(absl::string_view payload, absl::string_view content_type, v1::Transaction* tx,
                               WireFormat* format = nullptr);

// A 64-bit hash of `tx`'s content (its deterministic serialisation): equal
// for the same transaction sent as protobuf or as JSON, different when any
// field differs.
absl::StatusOr<uint64_t> TransactionFingerprint(const v1::Transaction& tx);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_CODEC_DECODER_H_
