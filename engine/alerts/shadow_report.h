// Shadow against active alert volumes per typology, with their overlap, over
// a range of created event time: what a shadow version (or a typology in
// shadow) would add, drop or re-find if it went live (`centinela rules
// shadow-report`).
#ifndef CENTINELA_ENGINE_ALERTS_SHADOW_REPORT_H_
#define CENTINELA_ENGINE_ALERTS_SHADOW_REPORT_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "centinela/v1/rules.pb.h"
#include "engine/state/store.h"

namespace centinela {

// Reads the shadow-flag index over [from_micros, to_micros] (both sides) and
// the alerts it names. Thread-safe (reads only).
absl::StatusOr<v1::ShadowReport> BuildShadowReport(const Store& store, int64_t from_micros, int64_t to_micros);

}  // namespace centinela

#endif  // CENTINELA_ENGINE_ALERTS_SHADOW_REPORT_H_
