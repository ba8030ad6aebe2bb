#include "server/outbox_drainer.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"
#include "engine/state/outbox.h"

namespace centinela {
namespace {

constexpr int64_t kMaxInFlight = 20000;

int64_t SystemClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

absl::StatusOr<std::unique_ptr<OutboxDrainer>> OutboxDrainer::Start(Store* store, const kafka::Endpoint& endpoint,
                                                                    OutboxDrainerOptions options) {
  if (!options.wall_clock_micros) options.wall_clock_micros = SystemClockMicros;
  std::unique_ptr<OutboxDrainer> d(new OutboxDrainer(store, std::move(options)));
  d->endpoint_ = endpoint;
  RETURN_IF_ERROR(d->CreateProducer());
  ASSIGN_OR_RETURN(const int64_t delivered, store->GetCounter(kMetaDelivered));
  ASSIGN_OR_RETURN(const int64_t parked, store->GetCounter(kMetaParked));
  d->delivered_ = delivered;
  d->parked_ = parked;
  OutboxDrainer* self = d.get();
  d->thread_ = std::thread([self] { self->Loop(); });
  return d;
}

OutboxDrainer::~OutboxDrainer() { Stop(); }

absl::Status OutboxDrainer::CreateProducer() {
  producer_.reset();  // the old one first: its delivery reports must not reach the new state
  ASSIGN_OR_RETURN(producer_,
                   kafka::Producer::Create(endpoint_, options_.producer,
                                           [this](int64_t seq, const absl::Status& s) { OnDelivery(seq, s); }));
  return absl::OkStatus();
}

void OutboxDrainer::Notify() {
  MutexLock l(&mu_);
  idle_ = false;
  notified_ = true;
}

void OutboxDrainer::Rescan() {
  MutexLock l(&mu_);
  idle_ = false;
  notified_ = true;
  rescan_ = true;
}

void OutboxDrainer::BackOff(absl::string_view why) {
  backoff_ = backoff_.count() == 0 ? options_.min_backoff : std::min(backoff_ * 2, options_.max_backoff);
  retry_at_ = std::chrono::steady_clock::now() + backoff_;
  fprintf(stderr, "outbox: not delivered, retrying in %lld ms: %s\n", static_cast<long long>(backoff_.count()),
          std::string(why).c_str());
}

void OutboxDrainer::OnDelivery(int64_t seq, const absl::Status& status) {
  --in_flight_;
  if (status.ok()) {
    acked_.push_back(seq);
    return;
  }
  ++failures_;
  if (absl::IsInvalidArgument(status)) {
    refused_.push_back({seq, std::string(status.message())});
    return;
  }
  if (absl::IsAborted(status)) recreate_producer_ = true;
  if (resend_from_ < 0 || seq < resend_from_) {
    // The first failure of a round says why; the others would repeat it.
    if (resend_from_ < 0) BackOff(status.message());
    resend_from_ = seq;
  }
}

void OutboxDrainer::Park(int64_t seq, const v1::OutboxEntry& entry, absl::string_view error) {
  v1::ParkedOutboxEntry p;
  *p.mutable_entry() = entry;
  p.set_error(std::string(error));
  p.set_parked_at_micros(options_.wall_clock_micros());
  rocksdb::WriteBatch batch;
  batch.Delete(store_->cf(Cf::kOutbox), OutboxKey(seq));
  batch.Put(store_->cf(Cf::kOutboxParked), OutboxKey(seq), p.SerializeAsString());
  Store::PutCounter(&batch, store_->cf(Cf::kMeta), kMetaParked, parked_.load() + 1);
  if (absl::Status s = store_->Write(&batch); !s.ok()) {
    // Left in the outbox: it is tried (and refused) again later.
    fprintf(stderr, "outbox: record %lld could not be moved aside: %s\n", static_cast<long long>(seq),
            std::string(s.message()).c_str());
    return;
  }
  ++parked_;
  fprintf(stderr,
          "outbox: record %lld (topic %s, key %s, %zu bytes) refused for good, moved aside: %s; "
          "see `centinela outbox status`\n",
          static_cast<long long>(seq), entry.topic().c_str(), entry.key().substr(0, 64).c_str(), entry.value().size(),
          std::string(error).c_str());
}

bool OutboxDrainer::SendFrom() {
  bool found = false;
  auto it = store_->NewIterator(Cf::kOutbox);
  for (it->Seek(OutboxKey(cursor_)); it->Valid() && in_flight_ < kMaxInFlight; it->Next()) {
    found = true;
    if (it->key().size() != 8) {
      fprintf(stderr, "outbox: malformed key of %zu bytes; skipped\n", it->key().size());
      continue;
    }
    const int64_t seq = int64_t(GetBigEndian64(absl::string_view(it->key().data(), 8)));
    v1::OutboxEntry e;
    if (!e.ParseFromArray(it->value().data(), int(it->value().size()))) {
      v1::OutboxEntry raw;  // kept as found, for whoever investigates
      raw.set_value(it->value().ToString());
      Park(seq, raw, "the outbox record does not parse (corrupt)");
      cursor_ = seq + 1;
      continue;
    }
    if (options_.gate && options_.gate->Delivered(e)) {
      already_delivered_.push_back(seq);  // by another instance, or by this one before a restart
      cursor_ = seq + 1;
      continue;
    }
    std::vector<kafka::Header> headers = {{"content-type", e.content_type()}};
    if (e.version() != 0 || !e.digest().empty()) {
      headers.push_back({"centinela-version", absl::StrCat(e.version())});
      headers.push_back({"centinela-digest", e.digest()});
    }
    absl::Status s = producer_->Produce(e.topic(), -1, e.key(), e.value(), headers, seq);
    if (s.ok()) {
      ++in_flight_;
      cursor_ = seq + 1;
      continue;
    }
    ++failures_;
    if (absl::IsInvalidArgument(s)) {
      Park(seq, e, s.message());
      cursor_ = seq + 1;
      continue;
    }
    if (absl::IsAborted(s)) recreate_producer_ = true;
    BackOff(s.message());
    break;
  }
  if (!it->status().ok()) BackOff(absl::StrCat("reading the outbox: ", it->status().ToString()));
  return found;
}

bool OutboxDrainer::Prune() {
  bool empty = true;
  rocksdb::WriteBatch batch;
  int64_t pruned = 0;
  auto it = store_->NewIterator(Cf::kOutbox);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::OutboxEntry e;
    if (e.ParseFromArray(it->value().data(), int(it->value().size())) && options_.gate->Delivered(e)) {
      batch.Delete(store_->cf(Cf::kOutbox), it->key());
      ++pruned;
    } else {
      empty = false;  // a corrupt record is parked when this instance delivers
    }
  }
  if (!it->status().ok()) {
    fprintf(stderr, "outbox: reading the outbox: %s\n", it->status().ToString().c_str());
    return false;
  }
  if (pruned == 0) return empty;
  if (absl::Status s = store_->Write(&batch); !s.ok()) {
    fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());
    return false;
  }
  superseded_ += pruned;
  return empty;
}

void OutboxDrainer::Settle() {
  if (!already_delivered_.empty()) {
    rocksdb::WriteBatch batch;
    for (int64_t seq : already_delivered_) batch.Delete(store_->cf(Cf::kOutbox), OutboxKey(seq));
    if (absl::Status s = store_->Write(&batch); !s.ok()) {
      fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());  // still there: checked again later
    } else {
      superseded_ += int64_t(already_delivered_.size());
    }
    already_delivered_.clear();
  }
  if (!acked_.empty()) {
    rocksdb::WriteBatch batch;
    for (int64_t seq : acked_) batch.Delete(store_->cf(Cf::kOutbox), OutboxKey(seq));
    const int64_t total = delivered_.load() + int64_t(acked_.size());
    Store::PutCounter(&batch, store_->cf(Cf::kMeta), kMetaDelivered, total);
    if (absl::Status s = store_->Write(&batch); !s.ok()) {
      // Still in the outbox: sent again later (consumers dedup by key).
      fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());
    } else {
      delivered_ = total;
      backoff_ = std::chrono::milliseconds(0);  // the broker takes records again
    }
    acked_.clear();
  }
  for (const Refused& r : refused_) {
    std::string value;
    auto found = store_->Get(Cf::kOutbox, OutboxKey(r.seq), &value);
    if (!found.ok() || !*found) continue;
    v1::OutboxEntry e;
    if (!e.ParseFromString(value)) e.set_value(value);
    Park(r.seq, e, r.error);
  }
  refused_.clear();
}

void OutboxDrainer::Loop() {
  using Clock = std::chrono::steady_clock;
  bool purged = false;
  while (true) {
    const bool stopping = stop_.load();
    {
      MutexLock l(&mu_);
      if (rescan_) {
        rescan_ = false;
        resend_from_ = 0;  // from the start, once nothing is in flight
      }
    }
    if (recreate_producer_ && in_flight_ == 0 && !stopping) {
      recreate_producer_ = false;
      if (absl::Status s = CreateProducer(); !s.ok()) {
        recreate_producer_ = true;
        BackOff(absl::StrCat("recreating the producer: ", s.message()));
      } else {
        fprintf(stderr, "outbox: producer recreated after a fatal error\n");
        if (resend_from_ < 0) resend_from_ = 0;
      }
    }
    if (options_.gate) {
      const bool delivering = options_.gate->Delivering();
      if (delivering != delivering_) {
        delivering_ = delivering;
        cursor_ = 0;  // the whole outbox again, in either role
        fprintf(stderr, "outbox: %s\n",
                delivering ? "this instance delivers now"
                           : "this instance no longer delivers; it keeps only what the one that does has not sent");
      }
    }
    bool found = false;
    bool standby_empty = false;
    const bool waiting = Clock::now() < retry_at_;
    if (!delivering_) {
      if (!stopping) standby_empty = Prune();  // once per wake-up (at most every 100 ms)
    } else if (!stopping && !waiting && !recreate_producer_ && producer_ && in_flight_ < kMaxInFlight) {
      if (resend_from_ >= 0 && in_flight_ == 0) {
        cursor_ = resend_from_;  // failed records are still in the outbox
        resend_from_ = -1;
      }
      found = SendFrom();
    }
    if (producer_) producer_->Poll(in_flight_ > 0 ? 5 : 0);
    Settle();
    if (stopping) {
      if (in_flight_ == 0) return;
      if (!purged && Clock::now().time_since_epoch().count() >= stop_deadline_.load()) {
        // Past Stop()'s bound: what is still in flight comes back as failed
        // (it stays in the outbox and is sent at the next start).
        purged = true;
        if (absl::Status s = producer_->Purge(); !s.ok()) {
          fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());
          return;
        }
      }
      continue;
    }
    if (in_flight_ > 0 || found) continue;
    MutexLock l(&mu_);
    if (delivering_ && (resend_from_ >= 0 || recreate_producer_ || Clock::now() < retry_at_)) {
      // Records wait for their retry time; nothing new changes that.
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_.load() || rescan_; };
      mu_.AwaitWithTimeout(wake, std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(
                                     retry_at_ - Clock::now(), Clock::duration(std::chrono::milliseconds(5)))));
      continue;
    }
    if (!notified_) idle_ = delivering_ || standby_empty;
    auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return notified_ || stop_.load(); };
    mu_.AwaitWithTimeout(wake, absl::Milliseconds(100));
    notified_ = false;
  }
}

int64_t OutboxDrainer::Stop(int timeout_ms) {
  if (!thread_.joinable()) return undelivered_at_stop_.load();
  stop_deadline_ =
      (std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)).time_since_epoch().count();
  {
    MutexLock l(&mu_);  // so that the loop's Await sees it at once
    stop_ = true;
  }
  thread_.join();
  producer_.reset();
  auto left = store_->CountOutbox();
  undelivered_at_stop_ = left.ok() ? *left : -1;
  return undelivered_at_stop_.load();
}

}  // namespace centinela
