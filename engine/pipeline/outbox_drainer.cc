#include "engine/pipeline/outbox_drainer.h"

#include <chrono>
#include <cstdio>

#include "centinela/v1/outbox.pb.h"
#include "engine/common/keys.h"
#include "engine/state/outbox.h"

namespace centinela {
namespace {
constexpr int64_t kMaxInFlight = 20000;
}

absl::StatusOr<std::unique_ptr<OutboxDrainer>> OutboxDrainer::Start(Store* store, const std::string& bootstrap,
                                                                    const kafka::Config& extra) {
  std::unique_ptr<OutboxDrainer> d(new OutboxDrainer(store));
  OutboxDrainer* self = d.get();
  auto producer = kafka::Producer::Create(bootstrap, extra,
                                          [self](int64_t seq, const absl::Status& s) { self->OnDelivery(seq, s); });
  if (!producer.ok()) return producer.status();
  d->producer_ = std::move(*producer);
  auto delivered = store->GetCounter(kMetaDelivered);
  if (!delivered.ok()) return delivered.status();
  d->delivered_ = *delivered;
  d->thread_ = std::thread([self] { self->Loop(); });
  return d;
}

OutboxDrainer::~OutboxDrainer() { Stop(); }

void OutboxDrainer::Notify() {
  {
    std::lock_guard<std::mutex> l(mu_);
    idle_ = false;
    notified_ = true;
  }
  cv_.notify_one();
}

void OutboxDrainer::OnDelivery(int64_t seq, const absl::Status& status) {
  --in_flight_;
  if (status.ok()) {
    acked_.push_back(seq);
    return;
  }
  ++failures_;
  fprintf(stderr, "outbox: record %ld not delivered, will resend: %s\n", long(seq),
          std::string(status.message()).c_str());
  if (resend_from_ < 0 || seq < resend_from_) resend_from_ = seq;
}

void OutboxDrainer::Loop() {
  while (true) {
    const bool stopping = stop_.load();
    bool found = false;
    if (!stopping && in_flight_ < kMaxInFlight) {
      if (resend_from_ >= 0 && in_flight_ == 0) {
        cursor_ = resend_from_;  // failed records are still in the outbox
        resend_from_ = -1;
      }
      auto it = store_->NewIterator(Cf::kOutbox);
      for (it->Seek(OutboxKey(cursor_)); it->Valid() && in_flight_ < kMaxInFlight; it->Next()) {
        found = true;
        const int64_t seq = int64_t(GetBigEndian64(absl::string_view(it->key().data(), 8)));
        v1::OutboxEntry e;
        if (!e.ParseFromArray(it->value().data(), int(it->value().size()))) {
          fprintf(stderr, "outbox: record %ld is corrupt; left in place\n", long(seq));
          cursor_ = seq + 1;
          continue;
        }
        absl::Status s =
            producer_->Produce(e.topic(), -1, e.key(), e.value(), {{"content-type", e.content_type()}}, seq);
        if (!s.ok()) {
          fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());
          break;
        }
        ++in_flight_;
        cursor_ = seq + 1;
      }
    }
    producer_->Poll(in_flight_ > 0 ? 5 : 0);
    if (!acked_.empty()) {
      rocksdb::WriteBatch batch;
      for (int64_t seq : acked_) batch.Delete(store_->cf(Cf::kOutbox), OutboxKey(seq));
      const int64_t total = delivered_.load() + int64_t(acked_.size());
      Store::PutCounter(&batch, store_->cf(Cf::kMeta), kMetaDelivered, total);
      absl::Status s = store_->Write(&batch);
      if (!s.ok()) {
        fprintf(stderr, "outbox: %s\n", std::string(s.message()).c_str());
      } else {
        delivered_ = total;
      }
      acked_.clear();
    }
    if (in_flight_ == 0 && resend_from_ < 0 && !found) {
      if (stopping) return;
      std::unique_lock<std::mutex> l(mu_);
      if (!notified_) idle_ = true;
      cv_.wait_for(l, std::chrono::milliseconds(100), [this] { return notified_ || stop_.load(); });
      notified_ = false;
    } else if (stopping && in_flight_ == 0) {
      return;
    }
  }
}

void OutboxDrainer::Stop(int timeout_ms) {
  if (!thread_.joinable()) return;
  stop_ = true;
  cv_.notify_one();
  thread_.join();
}

}  // namespace centinela
