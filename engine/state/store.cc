#include "engine/state/store.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/memtablerep.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"

namespace centinela {
namespace {

constexpr const char* kCfNames[] = {"state",        "alerts",        "alert_index", "outbox", "offsets",
                                    "meta",         "rules",         "audit",       "edges",  "workflow",
                                    "transactions", "outbox_parked", "pending"};
static_assert(sizeof(kCfNames) / sizeof(kCfNames[0]) == int(Cf::kCount));

// Extracts `len u16 · bytes[len]` that starts `offset` bytes into a key: the
// subject (state) or account (edges) that a load reads with one prefix seek.
// Bloom filters on it let a seek for a subject never stored skip the memtable
// and SST files without reading them.
class LengthPrefixedTransform : public rocksdb::SliceTransform {
 public:
  explicit LengthPrefixedTransform(size_t offset)
      : offset_(offset), name_(absl::StrCat("centinela.LengthPrefixed.", offset)) {}
  const char* Name() const override { return name_.c_str(); }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), offset_ + 2 + Length(key));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return key.size() >= offset_ + 2 && key.size() >= offset_ + 2 + Length(key);
  }

 private:
  size_t Length(const rocksdb::Slice& key) const { return GetBigEndian16(absl::string_view(key.data() + offset_, 2)); }
  size_t offset_;
  std::string name_;
};

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": rocksdb: ", s.ToString()));
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  std::unique_ptr<Store> store(new Store);
  store->path_ = path;
  store->options_ = options;
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.allow_concurrent_memtable_write = false;  // the hash-skiplist memtables of state and edges
  rocksdb::ColumnFamilyOptions cf_options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(64 << 20);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // State and edges are read by subject prefix: bloom filters on the prefix
  // (and whole keys, for profile gets) in SST files and the memtable.
  rocksdb::BlockBasedTableOptions prefixed_table = table;
  prefixed_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  prefixed_table.whole_key_filtering = true;
  rocksdb::ColumnFamilyOptions prefixed = cf_options;
  prefixed.table_factory.reset(rocksdb::NewBlockBasedTableFactory(prefixed_table));
  prefixed.memtable_prefix_bloom_size_ratio = 0.05;
  prefixed.memtable_whole_key_filtering = true;
  prefixed.memtable_factory.reset(rocksdb::NewHashSkipListRepFactory(1 << 20));
  store->state_expiry_ = std::make_unique<EventTimeExpiryFilter>(EventTimeExpiryFilter::Layout::kState,
                                                                 &store->watermark_, options.expiry_grace_micros);
  store->edges_expiry_ = std::make_unique<EventTimeExpiryFilter>(EventTimeExpiryFilter::Layout::kEdges,
                                                                 &store->watermark_, options.expiry_grace_micros);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (int i = 0; i < int(Cf::kCount); ++i) {
    rocksdb::ColumnFamilyOptions o = cf_options;
    if (Cf(i) == Cf::kState) {
      o = prefixed;
      o.prefix_extractor = std::make_shared<LengthPrefixedTransform>(4);  // after state_id
      o.compaction_filter = store->state_expiry_.get();
    }
    if (Cf(i) == Cf::kTransactions) {
      o = prefixed;
      o.prefix_extractor = std::make_shared<LengthPrefixedTransform>(2);  // after 'T-' or 'S' + kind
      o.compaction_filter = store->edges_expiry_.get();                   // every value starts with expire_at
    }
    if (Cf(i) == Cf::kEdges) {
      o = prefixed;
      o.prefix_extractor = std::make_shared<LengthPrefixedTransform>(1);  // after the direction
      o.compaction_filter = store->edges_expiry_.get();
    }
    descriptors.emplace_back(kCfNames[i], o);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = options.read_only ? rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &db)
                                        : rocksdb::DB::Open(db_options, path, descriptors, &handles, &db);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(s.ToString(), "lock")) {
      // RocksDB's LOCK file: another process has this database open.
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": the data directory is in use by another engine (RocksDB's lock ", path,
                       "/LOCK is held); stop that engine, or give this one its own --data-dir"));
    }
    return FromRocks(s, absl::StrCat("opening ", path));
  }
  store->db_.reset(db);
  store->default_cf_ = handles[0];
  store->handles_.assign(handles.begin() + 1, handles.end());
  if (absl::Status format = store->CheckFormat(); !format.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": ", format.message()));
  }
  return store;
}

absl::Status Store::CheckFormat() {
  auto refuse = [](absl::string_view found) {
    return absl::FailedPreconditionError(absl::StrCat("storage format ", found, ", this build reads format ",
                                                      kStorageFormat, ": replay the feed into a fresh data directory"));
  };
  std::string v;
  auto found = Get(Cf::kMeta, kMetaStorageFormat, &v);
  if (!found.ok()) return found.status();
  if (*found) {
    if (v.size() == 8 && int64_t(GetBigEndian64(v)) == kStorageFormat) return absl::OkStatus();
    return refuse(v.size() == 8 ? absl::StrCat(int64_t(GetBigEndian64(v))) : "unreadable");
  }
  // No version: a fresh database gets one; one that already holds offsets was
  // written before versions existed (format 1).
  auto it = NewIterator(Cf::kOffsets);
  it->SeekToFirst();
  if (!it->status().ok()) return FromRocks(it->status(), "checking the storage format");
  if (it->Valid()) return refuse("1");
  if (options_.read_only) return absl::OkStatus();
  rocksdb::WriteBatch batch;
  PutCounter(&batch, cf(Cf::kMeta), kMetaStorageFormat, kStorageFormat);
  return Write(&batch);
}

void Store::AdvanceExpiryWatermark(int64_t micros) {
  int64_t current = watermark_.load(std::memory_order_relaxed);
  while (micros > current && !watermark_.compare_exchange_weak(current, micros, std::memory_order_relaxed)) {
  }
}

Store::~Store() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->DestroyColumnFamilyHandle(default_cf_);
  db_->Close();
}

absl::StatusOr<bool> Store::Get(Cf c, absl::string_view key, std::string* value) const {
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(c), rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "get");
  return true;
}

absl::Status Store::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, batch), "commit");
}

std::unique_ptr<rocksdb::Iterator> Store::NewIterator(Cf c) const {
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;  // whole-CF scans ignore prefix filters
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, cf(c)));
}

std::unique_ptr<rocksdb::Iterator> Store::NewPrefixIterator(Cf c) const {
  rocksdb::ReadOptions ro;
  ro.prefix_same_as_start = true;
  return std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(ro, cf(c)));
}

absl::StatusOr<int64_t> Store::GetCounter(absl::string_view name) const {
  std::string v;
  auto found = Get(Cf::kMeta, name, &v);
  if (!found.ok()) return found.status();
  if (!*found || v.size() != 8) return 0;
  return int64_t(GetBigEndian64(v));
}

void Store::PutCounter(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* meta, absl::string_view name,
                       int64_t value) {
  std::string v;
  PutBigEndian64(&v, uint64_t(value));
  batch->Put(meta, rocksdb::Slice(name.data(), name.size()), v);
}

void Store::StateKeyPrefix(uint32_t state_id, absl::string_view subject, std::string* out) {
  out->clear();
  PutBigEndian32(out, state_id);
  PutLengthPrefixed16(out, subject);
}

absl::string_view Store::StateKeySubject(absl::string_view key) {
  if (key.size() < 6) return {};
  const size_t len = (size_t(uint8_t(key[4])) << 8) | uint8_t(key[5]);
  return key.substr(6, len);
}

std::string Store::OffsetKey(const std::string& topic, int32_t partition) {
  std::string key = topic;
  key.push_back('\0');
  PutBigEndian32(&key, uint32_t(partition));
  return key;
}

absl::StatusOr<std::map<int32_t, int64_t>> Store::LoadPerPartition(Cf cf, const std::string& key_prefix,
                                                                   absl::string_view malformed,
                                                                   absl::string_view loading) const {
  // Keys are OffsetKey(key_prefix, partition); values big-endian int64.
  std::string prefix = key_prefix;
  prefix.push_back('\0');
  std::map<int32_t, int64_t> out;
  auto it = NewIterator(cf);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->key().size() != prefix.size() + 4 || it->value().size() != 8) return absl::DataLossError(malformed);
    out[int32_t(GetBigEndian32(absl::string_view(it->key().data() + prefix.size(), 4)))] =
        int64_t(GetBigEndian64(absl::string_view(it->value().data(), 8)));
  }
  if (!it->status().ok()) return FromRocks(it->status(), loading);
  return out;
}

absl::StatusOr<std::map<int32_t, int64_t>> Store::LoadOffsets(const std::string& topic) const {
  return LoadPerPartition(Cf::kOffsets, topic, absl::StrCat("offsets: malformed entry for topic ", topic),
                          "loading offsets");
}

void Store::PutHighWatermark(rocksdb::WriteBatch* batch, rocksdb::ColumnFamilyHandle* meta, const std::string& topic,
                             int32_t partition, int64_t high) {
  std::string v;
  PutBigEndian64(&v, uint64_t(high));
  batch->Put(meta, OffsetKey("hw/" + topic, partition), v);
}

absl::StatusOr<std::map<int32_t, int64_t>> Store::LoadHighWatermarks(const std::string& topic) const {
  return LoadPerPartition(Cf::kMeta, "hw/" + topic, absl::StrCat("meta: malformed high watermark of topic ", topic),
                          "loading high watermarks");
}

absl::StatusOr<int64_t> Store::CountOutbox() const {
  int64_t n = 0;
  auto it = NewIterator(Cf::kOutbox);
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  if (!it->status().ok()) return FromRocks(it->status(), "scanning outbox");
  return n;
}

}  // namespace centinela
