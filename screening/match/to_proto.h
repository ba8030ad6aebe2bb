// The screening results as the API and the CLI's --json print them
// (proto/centinela/v1/screening.proto). Pure functions, thread-safe.
#ifndef CENTINELA_SCREENING_MATCH_TO_PROTO_H_
#define CENTINELA_SCREENING_MATCH_TO_PROTO_H_

#include "absl/status/statusor.h"
#include "centinela/v1/screening.pb.h"
#include "screening/match/list_set.h"

namespace centinela::screening {

v1::ListInfo ToProto(const ListIndex& list);
v1::ScreenHit ToProto(const Hit& hit);
v1::CompareResult ToProto(const NameComparison& c, const NormalizedName& a, const NormalizedName& b, double threshold,
                          EntryKind kind);

// "person" -> kPerson; "entity", "organization", "company" -> kEntity;
// "" -> kUnknown; anything else is an error naming the value.
absl::StatusOr<EntryKind> ParseNameKind(absl::string_view kind);

// The query of a request; InvalidArgument for a bad kind.
absl::StatusOr<ScreenQuery> FromProto(const v1::ScreenRequest& r);
// Options of a request: threshold in (0, 1] (default kDefaultThreshold),
// max_hits 1..100 (default 10).
absl::StatusOr<ScreenOptions> OptionsFromProto(const v1::ScreenRequest& r);

// Screens one request against `lists`: the hits, or the error in
// result.error (a bad dob, country or unknown list).
v1::ScreenResult ScreenOne(const ListSet& lists, const v1::ScreenRequest& request);

}  // namespace centinela::screening

#endif  // CENTINELA_SCREENING_MATCH_TO_PROTO_H_
