#include "engine/state/transaction_archive.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "base/keys.h"
#include "base/status_macros.h"
#include "engine/state/expiry_filter.h"

namespace centinela {
namespace {

// expire_at(8) | fingerprint(8): the header of 'T-' and 'I-' values.
constexpr size_t kHeader = 16;

void SubjectPrefix(char kind, absl::string_view id, std::string* out) {
  out->clear();
  out->push_back('S');
  out->push_back(kind);
  PutLengthPrefixed16(out, id);
}

// ref = len16 | reporting entity | transaction id.
void RefOf(TransactionKey k, std::string* out) {
  out->clear();
  PutLengthPrefixed16(out, k.reporting_entity);
  out->append(k.id.data(), k.id.size());
}

bool ParseRef(absl::string_view ref, std::string* entity, std::string* id) {
  if (ref.size() < 2) return false;
  const size_t n = GetBigEndian16(ref.substr(0, 2));
  if (ref.size() < 2 + n) return false;
  *entity = std::string(ref.substr(2, n));
  *id = std::string(ref.substr(2 + n));
  return true;
}

// `kind` 'T' (a record) or 'I' (an id only).
void RecordKey(char kind, absl::string_view ref, std::string* out) {
  out->clear();
  out->push_back(kind);
  out->push_back('-');
  PutLengthPrefixed16(out, ref);
}

// Index entries sort newest first: a subject's recent transactions are a
// forward scan from its prefix (the hash memtable has no reverse iteration).
int64_t NewestFirst(int64_t event_micros) { return ~event_micros; }

int64_t ExpireAt(int64_t event_micros, int64_t horizon) {
  return event_micros > INT64_MAX - horizon ? INT64_MAX : event_micros + horizon;
}

}  // namespace

absl::StatusOr<char> TransactionArchive::KindCode(absl::string_view kind) {
  if (kind == "account") return 'a';
  if (kind == "document") return 'd';
  return absl::InvalidArgumentError(
      absl::StrCat("subject_kind: transactions are kept by account or document, not \"", kind, "\""));
}

void TransactionArchive::Add(TransactionKey tx, uint64_t fingerprint, int64_t event_micros, int64_t retention_micros,
                             char format, absl::string_view payload, absl::string_view originator_account,
                             absl::string_view beneficiary_account, absl::string_view originator_document,
                             absl::string_view beneficiary_document, rocksdb::WriteBatch* batch) {
  if (retention_micros <= 0 || tx.id.empty()) return;
  rocksdb::ColumnFamilyHandle* cf = store_->cf(Cf::kTransactions);
  std::string& header = value_scratch_;
  header.clear();
  PutOrderedInt64(&header, ExpireAt(event_micros, retention_micros));
  PutBigEndian64(&header, fingerprint);
  const rocksdb::Slice parts[] = {rocksdb::Slice(header), rocksdb::Slice(&format, 1),
                                  rocksdb::Slice(payload.data(), payload.size())};
  std::string& ref = ref_scratch_;
  RefOf(tx, &ref);
  std::string& key = key_scratch_;
  RecordKey('T', ref, &key);
  const rocksdb::Slice key_slice(key);
  batch->Put(cf, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(parts, 3));
  const rocksdb::Slice expiry(header.data(), 8);
  std::string& index = key_scratch_;
  auto put = [&](char kind, absl::string_view id) {
    if (id.empty()) return;
    SubjectPrefix(kind, id, &index);
    PutOrderedInt64(&index, NewestFirst(event_micros));
    index.append(ref);
    batch->Put(cf, index, expiry);
  };
  put('a', originator_account);
  if (beneficiary_account != originator_account) put('a', beneficiary_account);
  put('d', originator_document);
  if (beneficiary_document != originator_document) put('d', beneficiary_document);
}

void TransactionArchive::Remember(TransactionKey tx, uint64_t fingerprint, int64_t event_micros, int64_t horizon_micros,
                                  rocksdb::WriteBatch* batch) {
  if (horizon_micros <= 0 || tx.id.empty()) return;
  RefOf(tx, &ref_scratch_);
  RecordKey('I', ref_scratch_, &key_scratch_);
  value_scratch_.clear();
  PutOrderedInt64(&value_scratch_, ExpireAt(event_micros, horizon_micros));
  PutBigEndian64(&value_scratch_, fingerprint);
  batch->Put(store_->cf(Cf::kTransactions), key_scratch_, value_scratch_);
}

absl::StatusOr<std::optional<uint64_t>> TransactionArchive::Seen(TransactionKey tx) const {
  std::string ref, key, value;
  RefOf(tx, &ref);
  for (const char kind : {'I', 'T'}) {
    RecordKey(kind, ref, &key);
    ASSIGN_OR_RETURN(const bool found, store_->Get(Cf::kTransactions, key, &value));
    if (found && value.size() >= kHeader && !Expired(value)) return GetBigEndian64(value.substr(8, 8));
  }
  return std::nullopt;
}

bool TransactionArchive::Expired(absl::string_view value) const {
  // Past retention but not compacted yet: as good as gone.
  return EventTimeExpiryFilter::Expired(EventTimeExpiryFilter::Layout::kEdges, {}, value, store_->expiry_watermark(),
                                        store_->options().expiry_grace_micros);
}

absl::StatusOr<std::optional<TransactionArchive::Entry>> TransactionArchive::Get(TransactionKey tx) const {
  std::string ref;
  RefOf(tx, &ref);
  return GetRef(ref);
}

absl::StatusOr<std::optional<TransactionArchive::Entry>> TransactionArchive::GetRef(absl::string_view ref) const {
  std::string key, value;
  RecordKey('T', ref, &key);
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kTransactions, key, &value));
  if (!found || Expired(value)) return std::nullopt;
  Entry e;
  if (value.size() < kHeader + 1 || !ParseRef(ref, &e.reporting_entity, &e.tx_id)) {
    return absl::DataLossError(
        absl::StrCat("transactions: record ", absl::CHexEscape(ref), " is malformed (", value.size(), " bytes)"));
  }
  e.fingerprint = GetBigEndian64(absl::string_view(value).substr(8, 8));
  e.format = value[kHeader];
  e.payload = value.substr(kHeader + 1);
  return e;
}

absl::Status TransactionArchive::ForEach(const std::function<absl::Status(const Entry&)>& f) const {
  auto it = store_->NewIterator(Cf::kTransactions);
  Entry e;
  for (it->Seek("T-"); it->Valid() && it->key().starts_with("T-"); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size()), value(it->value().data(), it->value().size());
    if (Expired(value)) continue;
    if (key.size() < 4 || value.size() < kHeader + 1 || !ParseRef(key.substr(4), &e.reporting_entity, &e.tx_id)) {
      return absl::DataLossError(absl::StrCat("transactions: malformed record ", absl::CHexEscape(key)));
    }
    e.fingerprint = GetBigEndian64(value.substr(8, 8));
    e.format = value[kHeader];
    e.payload = std::string(value.substr(kHeader + 1));
    RETURN_IF_ERROR(f(e));
  }
  if (!it->status().ok()) return absl::InternalError(it->status().ToString());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TransactionArchive::Entry>> TransactionArchive::Recent(absl::string_view kind,
                                                                                  absl::string_view id, int limit,
                                                                                  int64_t before_micros) const {
  ASSIGN_OR_RETURN(char code, KindCode(kind));
  std::string prefix;
  SubjectPrefix(code, id, &prefix);
  std::string start = prefix;
  PutOrderedInt64(&start, NewestFirst(before_micros));
  std::vector<Entry> out;
  auto it = store_->NewPrefixIterator(Cf::kTransactions);
  for (it->Seek(start); it->Valid() && int(out.size()) < limit; it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (key.size() < prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) break;
    const int64_t event_micros = NewestFirst(GetOrderedInt64(key.substr(prefix.size(), 8)));
    if (event_micros >= before_micros) continue;  // the page boundary itself
    if (Expired(absl::string_view(it->value().data(), it->value().size()))) continue;
    ASSIGN_OR_RETURN(std::optional<Entry> e, GetRef(key.substr(prefix.size() + 8)));
    if (!e) continue;  // its record expired first (retention shortened since)
    e->event_micros = event_micros;
    out.push_back(std::move(*e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the transaction archive");
  return out;
}

}  // namespace centinela
