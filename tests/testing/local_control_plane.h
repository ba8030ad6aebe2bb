// A rule control plane without a broker: each command is applied to the
// registry at once, at the next offset, in place of the engine's control
// topic (server/rule_control.h), stamped with the wall clock as the
// engine stamps them. For API tests and the API fuzz
// target.
#ifndef CENTINELA_TESTS_TESTING_LOCAL_CONTROL_PLANE_H_
#define CENTINELA_TESTS_TESTING_LOCAL_CONTROL_PLANE_H_

#include <memory>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "base/mutex.h"
#include "base/time_util.h"
#include "engine/deploy/control_plane.h"
#include "engine/deploy/pack_registry.h"

namespace centinela::testing {

// Lifetime: owns the registry. Thread-safe (one command at a time).
class LocalControlPlane : public rules::RuleControlPlane {
 public:
  explicit LocalControlPlane(std::unique_ptr<rules::PackRegistry> registry) : registry_(std::move(registry)) {}
  const rules::PackRegistry& registry() const override { return *registry_; }
  absl::StatusOr<rules::ApplyResult> Execute(v1::RuleControl command) override {
    MutexLock lock(&mu_);
    command.set_request_id(absl::StrCat("local-", next_offset_));
    if (!command.has_at()) *command.mutable_at() = FromMicros(absl::ToUnixMicros(absl::Now()));
    return registry_->Apply(command, next_offset_++);
  }

 private:
  std::unique_ptr<rules::PackRegistry> registry_;
  Mutex mu_;
  int64_t next_offset_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace centinela::testing

#endif  // CENTINELA_TESTS_TESTING_LOCAL_CONTROL_PLANE_H_
