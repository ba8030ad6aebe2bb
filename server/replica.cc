#include "server/replica.h"

#include <chrono>
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"

namespace centinela {
namespace {

using Clock = std::chrono::steady_clock;

// After getting partition 0, how long to let the member that had it finish
// what it had in flight before reading the topics' ends: the group revokes
// it from that member before giving it here, and its drainer stops sending
// within 100 ms of that.
constexpr auto kSettle = std::chrono::milliseconds(2000);

// topic NUL key: no topic name holds a NUL.
std::string SeenKey(absl::string_view topic, absl::string_view key) {
  return absl::StrCat(topic, absl::string_view("\0", 1), key);
}

}  // namespace

// Group membership without reading: notes whether partition 0 is held.
// Called on the replica thread (inside GroupConsumer::Poll).
class Replica::Membership : public kafka::PartitionListener {
 public:
  std::map<int32_t, int64_t> OnAssigned(const std::string&, const std::vector<int32_t>& partitions) override {
    std::map<int32_t, int64_t> start;
    for (int32_t p : partitions) {
      start[p] = RD_KAFKA_OFFSET_END;  // paused anyway: nothing is fetched
      if (p == 0) holds_zero = true;
    }
    return start;
  }
  void OnRevoked(const std::string&, const std::vector<int32_t>& partitions) override {
    for (int32_t p : partitions) {
      if (p == 0) holds_zero = false;
    }
  }
  bool PauseAssigned() const override { return true; }
  bool holds_zero = false;
};

absl::StatusOr<std::unique_ptr<Replica>> Replica::Start(const kafka::Endpoint& endpoint, ReplicaOptions options) {
  std::unique_ptr<Replica> r(new Replica);
  r->options_ = std::move(options);
  r->endpoint_ = endpoint;
  for (const std::string& topic : r->options_.delivery_topics) {
    ASSIGN_OR_RETURN(const int partitions, kafka::PartitionReader::PartitionCount(endpoint, topic, 10000));
    Reader reader;
    reader.topic = topic;
    reader.partitions = partitions;
    ASSIGN_OR_RETURN(reader.reader, kafka::PartitionReader::Create(endpoint, topic));
    std::map<int32_t, int64_t> start;
    for (int32_t p = 0; p < partitions; ++p) start[p] = RD_KAFKA_OFFSET_BEGINNING;
    RETURN_IF_ERROR(reader.reader->Assign(start));
    r->readers_.push_back(std::move(reader));
  }
  r->membership_ = std::make_unique<Membership>();
  ASSIGN_OR_RETURN(r->member_,
                   kafka::GroupConsumer::Create(endpoint, r->options_.group, kafka::Config{}, r->membership_.get()));
  RETURN_IF_ERROR(r->member_->Subscribe({r->options_.input_topic}));
  Replica* self = r.get();
  r->thread_ = std::thread([self] { self->Loop(); });
  return r;
}

Replica::~Replica() {
  if (absl::Status s = Leave(10000); !s.ok()) fprintf(stderr, "replica: %s\n", std::string(s.message()).c_str());
}

absl::Status Replica::Leave(int timeout_ms) {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  delivering_ = false;
  holds_ = false;
  if (!member_) return absl::OkStatus();
  absl::Status s = member_->Close(timeout_ms);
  member_.reset();
  if (!s.ok()) return absl::Status(s.code(), absl::StrCat("leaving group ", options_.group, ": ", s.message()));
  return absl::OkStatus();
}

bool Replica::Delivered(const v1::OutboxEntry& entry) const {
  ReaderMutexLock l(&mu_);
  auto it = seen_.find(SeenKey(entry.topic(), entry.key()));
  if (it == seen_.end()) return false;
  return it->second.version > entry.version() ||
         (it->second.version == entry.version() && it->second.digest == entry.digest());
}

int Replica::ReadAvailable() {
  int n = 0;
  for (Reader& r : readers_) {
    // A bounded slice per topic and round, so that membership is served.
    for (int i = 0; i < 10000; ++i) {
      std::optional<kafka::Message> m = r.reader->Poll(0);
      if (!m) break;
      if (m->is_partition_eof()) {
        r.position[m->partition()] = m->offset();
        continue;
      }
      if (m->error()) {
        const std::string why = absl::StrCat("reading ", r.topic, ": ", m->error_string());
        MutexLock l(&mu_);
        if (error_.message() != why) fprintf(stderr, "replica: %s\n", why.c_str());  // once per distinct error
        error_ = absl::UnavailableError(why);
        continue;
      }
      r.position[m->partition()] = m->offset() + 1;
      Seen s;
      // Records without the headers (written before replicas existed) are
      // version 0 with no digest: any alert of this version supersedes them.
      if (absl::string_view v = m->header("centinela-version"); !v.empty() && !absl::SimpleAtoi(v, &s.version)) {
        s.version = 0;
      }
      s.digest = std::string(m->header("centinela-digest"));
      {
        // The last record per key is what the topic's readers keep
        // (docs/instances.md): it is what counts, not the highest version.
        MutexLock l(&mu_);
        seen_[SeenKey(r.topic, m->key())] = std::move(s);
      }
      ++n;
    }
  }
  records_read_ += n;
  return n;
}

absl::StatusOr<std::map<std::pair<size_t, int32_t>, int64_t>> Replica::QueryEnds() {
  std::map<std::pair<size_t, int32_t>, int64_t> ends;
  for (size_t i = 0; i < readers_.size(); ++i) {
    std::vector<int32_t> partitions;
    for (int32_t p = 0; p < readers_[i].partitions; ++p) partitions.push_back(p);
    // A client of its own: the reader's may hold stale metadata after an outage.
    ASSIGN_OR_RETURN(const auto marks, kafka::QueryWatermarks(endpoint_, readers_[i].topic, partitions, 5000));
    for (int32_t p : partitions) {
      auto it = marks.find(p);
      if (it == marks.end()) return absl::UnavailableError(absl::StrCat(readers_[i].topic, "/", p, ": not found"));
      ends[std::make_pair(i, p)] = it->second.second;
    }
  }
  return ends;
}

bool Replica::ReachedEnds() const {
  for (const auto& [where, end] : ends_) {
    const Reader& r = readers_[where.first];
    auto it = r.position.find(where.second);
    if ((it == r.position.end() ? 0 : it->second) < end) return false;
  }
  return true;
}

void Replica::Loop() {
  Clock::time_point got_zero_at{};
  Clock::time_point retry_at{};
  bool held = false;
  bool said_failure = false;
  while (!stop_.load()) {
    if (std::optional<kafka::Message> m = member_->Poll(20); m && m->error() && !m->is_partition_eof()) {
      fprintf(stderr, "replica: group %s: %s\n", options_.group.c_str(), m->error_string().c_str());
    }
    ReadAvailable();
    const bool holds = membership_->holds_zero;
    holds_ = holds;
    if (!holds) {
      if (held) {
        fprintf(stderr, "replica: %s: standby (another member of group %s delivers)\n", options_.instance.c_str(),
                options_.group.c_str());
      }
      held = false;
      catching_up_ = false;
      delivering_ = false;
      continue;
    }
    if (!held) {
      held = true;
      got_zero_at = Clock::now();
      fprintf(stderr,
              "replica: %s: holds partition 0 of %s in group %s: delivers once the alert and DLQ topics are read to "
              "their end\n",
              options_.instance.c_str(), options_.input_topic.c_str(), options_.group.c_str());
    }
    if (delivering_.load()) continue;
    if (!catching_up_) {
      if (Clock::now() - got_zero_at < kSettle || Clock::now() < retry_at) continue;
      absl::StatusOr<std::map<std::pair<size_t, int32_t>, int64_t>> ends = QueryEnds();
      if (!ends.ok()) {
        // Asked again in a second; said once per outage.
        retry_at = Clock::now() + std::chrono::seconds(1);
        if (!said_failure) {
          fprintf(stderr, "replica: %s: cannot read where the delivery topics end (retrying every second): %s\n",
                  options_.instance.c_str(), std::string(ends.status().message()).c_str());
          said_failure = true;
        }
        continue;
      }
      said_failure = false;
      ends_ = std::move(*ends);
      catching_up_ = true;
    }
    if (ReachedEnds()) {
      catching_up_ = false;
      delivering_ = true;
      fprintf(stderr, "replica: %s: delivering (%ld records read from the delivery topics)\n",
              options_.instance.c_str(), long(records_read_.load()));
    }
  }
}

}  // namespace centinela
