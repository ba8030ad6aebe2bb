#include "engine/deploy/pack_registry.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/time_util.h"

namespace centinela::rules {
namespace {

constexpr char kStateKey[] = "state";
constexpr size_t kRecentResults = 1024;

std::string VersionKey(absl::string_view version) { return absl::StrCat("v/", version); }
std::string InstanceKey(absl::string_view instance) { return absl::StrCat("i/", instance); }
std::string SuppressionKey(absl::string_view id) { return absl::StrCat("s/", id); }

absl::StatusOr<std::shared_ptr<const RulePack>> Compile(const v1::PackRecord& r) {
  ASSIGN_OR_RETURN(std::unique_ptr<RulePack> pack, RulePack::Parse(r.text(), r.source()));
  if (pack->version() != r.version()) {
    return absl::InvalidArgumentError(
        absl::StrCat(r.source(), ": compiles here as ", pack->version(), ", not ", r.version()));
  }
  return std::shared_ptr<const RulePack>(std::move(pack));
}

v1::PackRecord RecordOf(const RulePack& pack, const v1::RuleControl& c, const std::string& note) {
  v1::PackRecord r;
  r.set_version(pack.version());
  r.set_name(pack.name());
  r.set_semver(pack.semver());
  r.set_content_hash(pack.content_hash());
  r.set_text(pack.text());
  r.set_source(pack.source());
  r.set_author(c.by());
  *r.mutable_submitted_at() = c.at();
  r.set_status(v1::PACK_SUBMITTED);
  r.set_note(note);
  r.set_typologies(int(pack.typologies().size()));
  r.set_rules(int(pack.rules().size()));
  return r;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PackRegistry>> PackRegistry::Open(Store* store) {
  std::unique_ptr<PackRegistry> r(new PackRegistry(store));
  MutexLock lock(&r->mu_);
  std::string value;
  ASSIGN_OR_RETURN(bool found, store->Get(Cf::kRules, kStateKey, &value));
  if (found && !r->state_.ParseFromString(value)) return absl::DataLossError("rules registry: unreadable state");
  for (const auto& [version, slot] :
       {std::pair{r->state_.active_version(), &r->active_}, std::pair{r->state_.shadow_version(), &r->shadow_}}) {
    if (version.empty()) continue;
    ASSIGN_OR_RETURN(std::optional<v1::PackRecord> rec, r->GetLocked(version));
    if (!rec) return absl::DataLossError(absl::StrCat("rules registry: no record of version ", version));
    auto pack = Compile(*rec);
    if (!pack.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "rules registry: version ", version, " no longer compiles with this binary: ", pack.status().message()));
    }
    *slot = *pack;
  }
  auto it = store->NewIterator(Cf::kRules);
  for (it->Seek("s/"); it->Valid() && it->key().starts_with("s/"); it->Next()) {
    v1::Suppression s;
    if (!s.ParseFromArray(it->value().data(), int(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("rules registry: unreadable ", it->key().ToString()));
    }
    r->suppressions_.Put(s);
  }
  RETURN_IF_ERROR(it->status().ok() ? absl::OkStatus() : absl::InternalError(it->status().ToString()));
  return r;
}

void PackRegistry::AddEvent(v1::PackRecord* r, const std::string& action, const v1::RuleControl& c,
                            const std::string& detail) {
  v1::PackEvent* e = r->add_history();
  e->set_action(action);
  e->set_by(c.by());
  *e->mutable_at() = c.at();
  e->set_detail(detail);
}

ApplyResult PackRegistry::Decide(const v1::RuleControl& c, std::vector<v1::PackRecord>* changed,
                                 absl::Status* read_error) {
  ApplyResult res;
  auto refuse = [&](std::string why) {
    res.ok = false;
    res.error = std::move(why);
    return res;
  };
  // A version's record; a storage error is kept in `read_error` (Apply
  // fails with it) rather than read as "no such version".
  auto load = [&](const std::string& version) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> std::optional<v1::PackRecord> {
    auto r = GetLocked(version);
    if (!r.ok()) {
      read_error->Update(r.status());
      return std::nullopt;
    }
    return *r;
  };
  auto compile = [&](v1::PackRecord& rec) -> std::shared_ptr<const RulePack> {
    auto pack = Compile(rec);
    if (pack.ok()) return *pack;
    res.ok = false;
    res.error =
        absl::StrCat("version ", rec.version(), " does not compile on this instance: ", pack.status().message());
    rec.set_error(res.error);
    AddEvent(&rec, "refused", c, res.error);
    changed->push_back(rec);
    return nullptr;
  };
  // Makes `next` active, retiring the current version.
  auto activate = [&](v1::PackRecord& next, std::shared_ptr<const RulePack> pack, const std::string& action,
                      const std::string& detail) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (std::optional<v1::PackRecord> prev = load(state_.active_version())) {
      prev->set_status(v1::PACK_RETIRED);
      AddEvent(&*prev, "retired", c, absl::StrCat("replaced by ", next.version()));
      changed->push_back(*prev);
    }
    next.set_status(v1::PACK_ACTIVE);
    if (next.shadow()) {
      next.set_shadow(false);
      state_.clear_shadow_version();
      shadow_.reset();
    }
    AddEvent(&next, action, c, detail);
    changed->push_back(next);
    state_.set_active_version(next.version());
    state_.add_activations(next.version());
    active_ = std::move(pack);
    res.switched = true;
  };

  switch (c.event_case()) {
    case v1::RuleControl::kSubmitted: {
      const v1::PackSubmitted& s = c.submitted();
      res.version = s.version();
      if (std::optional<v1::PackRecord> existing = load(s.version())) {
        return refuse(absl::StrCat("version ", s.version(), " was already submitted by ", existing->author()));
      }
      auto pack = RulePack::Parse(s.text(), s.source());
      if (!pack.ok()) {
        // Kept as REFUSED, so that everyone sees what was tried and why it failed.
        v1::PackRecord rec;
        rec.set_version(s.version());
        rec.set_text(s.text());
        rec.set_source(s.source());
        rec.set_author(c.by());
        *rec.mutable_submitted_at() = c.at();
        rec.set_status(v1::PACK_REFUSED);
        rec.set_error(std::string(pack.status().message()));
        AddEvent(&rec, "refused", c, rec.error());
        changed->push_back(rec);
        return refuse(rec.error());
      }
      if ((*pack)->version() != s.version()) {
        return refuse(absl::StrCat(s.source(), ": compiles here as ", (*pack)->version(), ", not ", s.version()));
      }
      v1::PackRecord rec = RecordOf(**pack, c, s.note());
      AddEvent(&rec, "submitted", c, s.note());
      changed->push_back(rec);
      return res;
    }
    case v1::RuleControl::kBootstrap: {
      const v1::PackSubmitted& s = c.bootstrap();
      res.version = s.version();
      if (!state_.active_version().empty()) return res;  // an earlier offer won; nothing to do
      auto pack = RulePack::Parse(s.text(), s.source());
      if (!pack.ok()) return refuse(std::string(pack.status().message()));
      if ((*pack)->version() != s.version()) {
        return refuse(absl::StrCat(s.source(), ": compiles here as ", (*pack)->version(), ", not ", s.version()));
      }
      std::optional<v1::PackRecord> existing = load(s.version());
      v1::PackRecord rec = existing ? *existing : RecordOf(**pack, c, "initial version, from the engine configuration");
      rec.set_approved_by(c.by());
      *rec.mutable_approved_at() = c.at();
      activate(rec, std::move(*pack), "approved", "initial version, from the engine configuration");
      return res;
    }
    case v1::RuleControl::kApproved: {
      const std::string& version = c.approved().version();
      res.version = version;
      std::optional<v1::PackRecord> rec = load(version);
      if (!rec) return refuse(absl::StrCat("no submitted version ", version));
      if (rec->status() == v1::PACK_ACTIVE) return refuse(absl::StrCat("version ", version, " is already active"));
      if (rec->status() == v1::PACK_RETIRED) {
        return refuse(absl::StrCat("version ", version, " was active before; use rules rollback ", version));
      }
      if (rec->status() == v1::PACK_REFUSED)
        return refuse(absl::StrCat("version ", version, " was refused: ", rec->error()));
      if (rec->author() == c.by()) {
        return refuse(absl::StrCat("maker-checker: ", c.by(), " submitted ", version,
                                   " and may not approve it; another supervisor must"));
      }
      std::shared_ptr<const RulePack> pack = compile(*rec);
      if (!pack) return res;
      rec->set_approved_by(c.by());
      *rec->mutable_approved_at() = c.at();
      rec->clear_error();
      activate(*rec, std::move(pack), "approved", "");
      return res;
    }
    case v1::RuleControl::kRolledBack: {
      std::string target = c.rolled_back().version();
      if (target.empty()) {
        // The latest activation before the current version's.
        const auto& acts = state_.activations();
        for (int i = acts.size() - 1; i >= 0; --i) {
          if (acts[i] != state_.active_version()) {
            target = acts[i];
            break;
          }
        }
        if (target.empty()) return refuse("no earlier active version to roll back to");
      }
      res.version = target;
      std::optional<v1::PackRecord> rec = load(target);
      if (!rec) return refuse(absl::StrCat("no version ", target));
      if (rec->status() == v1::PACK_ACTIVE) return refuse(absl::StrCat("version ", target, " is already active"));
      if (rec->status() != v1::PACK_RETIRED) {
        return refuse(
            absl::StrCat("version ", target,
                         " was never active; only earlier active versions are rollback targets (approve it instead)"));
      }
      std::shared_ptr<const RulePack> pack = compile(*rec);
      if (!pack) return res;
      activate(*rec, std::move(pack), "rolled_back", absl::StrCat("rollback from ", state_.active_version()));
      return res;
    }
    case v1::RuleControl::kShadow: {
      const std::string& version = c.shadow().version();
      res.version = version;
      if (version.empty()) {
        if (state_.shadow_version().empty()) return refuse("no version runs in shadow");
        if (std::optional<v1::PackRecord> prev = load(state_.shadow_version())) {
          prev->set_shadow(false);
          AddEvent(&*prev, "shadow_stopped", c, "");
          changed->push_back(*prev);
        }
        res.version = state_.shadow_version();
        state_.clear_shadow_version();
        shadow_.reset();
        res.switched = true;
        return res;
      }
      std::optional<v1::PackRecord> rec = load(version);
      if (!rec) return refuse(absl::StrCat("no submitted version ", version));
      if (rec->status() == v1::PACK_ACTIVE) return refuse(absl::StrCat("version ", version, " is the active version"));
      if (rec->status() == v1::PACK_REFUSED)
        return refuse(absl::StrCat("version ", version, " was refused: ", rec->error()));
      if (state_.shadow_version() == version)
        return refuse(absl::StrCat("version ", version, " already runs in shadow"));
      std::shared_ptr<const RulePack> pack = compile(*rec);
      if (!pack) return res;
      if (std::optional<v1::PackRecord> prev = load(state_.shadow_version())) {
        prev->set_shadow(false);
        AddEvent(&*prev, "shadow_stopped", c, absl::StrCat("replaced by ", version));
        changed->push_back(*prev);
      }
      rec->set_shadow(true);
      AddEvent(&*rec, "shadow", c, absl::StrCat("beside ", state_.active_version()));
      changed->push_back(*rec);
      state_.set_shadow_version(version);
      shadow_ = std::move(pack);
      res.switched = true;
      return res;
    }
    case v1::RuleControl::kListLoad:
      // Kept for instances that start later; the lists themselves are the
      // engine's (RuleControl loads them).
      (*state_.mutable_list_loads())[c.list_load().name()] = c.list_load();
      res.version = c.list_load().version();
      return res;
    case v1::RuleControl::kSuppression:  // ApplySuppression
    case v1::RuleControl::kReport:
    case v1::RuleControl::EVENT_NOT_SET:
      return res;
  }
  return res;
}

absl::StatusOr<ApplyResult> PackRegistry::ApplySuppression(const v1::RuleControl& record, int64_t offset) {
  const screening::SuppressionBook::Decision d =
      suppressions_.Decide(record.suppression(), record.by(), ToMicros(record.at()));
  ApplyResult result;
  result.ok = d.ok;
  result.error = d.error;
  result.version = d.record.id();
  v1::RulesState next = state_;
  next.set_next_control_offset(offset + 1);
  rocksdb::WriteBatch batch;
  auto* cf = store_->cf(Cf::kRules);
  if (d.ok) batch.Put(cf, SuppressionKey(d.record.id()), d.record.SerializeAsString());
  batch.Put(cf, kStateKey, next.SerializeAsString());
  RETURN_IF_ERROR(store_->Write(&batch));
  state_ = std::move(next);
  if (d.ok) suppressions_.Put(d.record);
  return result;
}

absl::StatusOr<ApplyResult> PackRegistry::Apply(const v1::RuleControl& record, int64_t offset) {
  MutexLock lock(&mu_);
  if (record.has_suppression()) return ApplySuppression(record, offset);
  // Keep the in-memory state as it was if the write fails.
  const v1::RulesState state_before = state_;
  const std::shared_ptr<const RulePack> active_before = active_, shadow_before = shadow_;
  auto restore = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    state_ = state_before;
    active_ = active_before;
    shadow_ = shadow_before;
  };
  std::vector<v1::PackRecord> changed;
  absl::Status read_error;
  ApplyResult result = Decide(record, &changed, &read_error);
  if (!read_error.ok()) {
    restore();
    return read_error;
  }
  state_.set_next_control_offset(offset + 1);
  rocksdb::WriteBatch batch;
  auto* cf = store_->cf(Cf::kRules);
  for (const v1::PackRecord& r : changed) batch.Put(cf, VersionKey(r.version()), r.SerializeAsString());
  if (record.has_report()) batch.Put(cf, InstanceKey(record.report().instance()), record.report().SerializeAsString());
  batch.Put(cf, kStateKey, state_.SerializeAsString());
  if (absl::Status s = store_->Write(&batch); !s.ok()) {
    restore();
    return s;
  }
  return result;
}

absl::Status PackRegistry::RecordReport(const v1::InstanceReport& report) {
  MutexLock lock(&mu_);
  rocksdb::WriteBatch batch;
  batch.Put(store_->cf(Cf::kRules), InstanceKey(report.instance()), report.SerializeAsString());
  return store_->Write(&batch);
}

int64_t PackRegistry::next_control_offset() const {
  MutexLock lock(&mu_);
  return state_.next_control_offset();
}

std::shared_ptr<const RulePack> PackRegistry::active() const {
  MutexLock lock(&mu_);
  return active_;
}

std::shared_ptr<const RulePack> PackRegistry::shadow() const {
  MutexLock lock(&mu_);
  return shadow_;
}

v1::RulesState PackRegistry::state() const {
  MutexLock lock(&mu_);
  return state_;
}

absl::StatusOr<std::optional<v1::PackRecord>> PackRegistry::GetLocked(const std::string& version) const {
  if (version.empty()) return std::optional<v1::PackRecord>();
  std::string value;
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kRules, VersionKey(version), &value));
  if (!found) return std::optional<v1::PackRecord>();
  v1::PackRecord r;
  if (!r.ParseFromString(value)) return absl::DataLossError(absl::StrCat("rules registry: unreadable ", version));
  return std::optional<v1::PackRecord>(std::move(r));
}

absl::StatusOr<std::optional<v1::PackRecord>> PackRegistry::Get(const std::string& version) const {
  ReaderMutexLock lock(&mu_);
  return GetLocked(version);
}

absl::StatusOr<std::vector<v1::PackRecord>> PackRegistry::List() const {
  std::vector<v1::PackRecord> out;
  auto it = store_->NewIterator(Cf::kRules);
  for (it->Seek("v/"); it->Valid() && it->key().starts_with("v/"); it->Next()) {
    if (!out.emplace_back().ParseFromArray(it->value().data(), int(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("rules registry: unreadable ", it->key().ToString()));
    }
  }
  RETURN_IF_ERROR(it->status().ok() ? absl::OkStatus() : absl::InternalError(it->status().ToString()));
  std::sort(out.begin(), out.end(), [](const v1::PackRecord& a, const v1::PackRecord& b) {
    const int64_t ta = ToMicros(a.submitted_at()), tb = ToMicros(b.submitted_at());
    return ta != tb ? ta > tb : a.version() > b.version();
  });
  return out;
}

absl::StatusOr<std::vector<v1::InstanceReport>> PackRegistry::Reports() const {
  std::vector<v1::InstanceReport> out;
  auto it = store_->NewIterator(Cf::kRules);
  for (it->Seek("i/"); it->Valid() && it->key().starts_with("i/"); it->Next()) {
    if (!out.emplace_back().ParseFromArray(it->value().data(), int(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("rules registry: unreadable ", it->key().ToString()));
    }
  }
  return out;
}

void PackRegistry::Complete(const std::string& request_id, const ApplyResult& result) {
  if (request_id.empty()) return;
  MutexLock lock(&mu_);
  recent_.emplace_back(request_id, result);
  if (recent_.size() > kRecentResults) recent_.pop_front();
}

std::optional<ApplyResult> PackRegistry::WaitFor(const std::string& request_id, absl::Duration timeout) const {
  std::optional<ApplyResult> found;
  auto applied = [&]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
      if (it->first == request_id) {
        found = it->second;
        return true;
      }
    }
    return false;
  };
  MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(applied, timeout);
  return found;
}

}  // namespace centinela::rules
