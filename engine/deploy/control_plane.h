// What the rule endpoints of the API need from a running engine: its pack
// registry, and a way to put a command on the control topic and learn what
// this instance made of it. The engine's RuleControl implements it.
#ifndef CENTINELA_ENGINE_DEPLOY_CONTROL_PLANE_H_
#define CENTINELA_ENGINE_DEPLOY_CONTROL_PLANE_H_

#include "absl/status/statusor.h"
#include "centinela/v1/rules.pb.h"
#include "engine/deploy/pack_registry.h"

namespace centinela::rules {

// Thread-safe: API threads call it concurrently.
class RuleControlPlane {
 public:
  virtual ~RuleControlPlane() = default;
  virtual const PackRegistry& registry() const = 0;
  // Publishes `command` (its request id, user and time filled in here) on
  // the control topic, then waits until this instance has applied it and
  // returns the outcome here. DeadlineExceeded when the instance did not get
  // to it in time (it may still apply it later).
  virtual absl::StatusOr<ApplyResult> Execute(v1::RuleControl command) = 0;
};

}  // namespace centinela::rules

#endif  // CENTINELA_ENGINE_DEPLOY_CONTROL_PLANE_H_
