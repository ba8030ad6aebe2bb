#include "engine/state/transaction_archive.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "engine/common/keys.h"
#include "engine/common/status_macros.h"
#include "engine/state/expiry_filter.h"

namespace centinela {
namespace {

void SubjectPrefix(char kind, absl::string_view id, std::string* out) {
  out->clear();
  out->push_back('S');
  out->push_back(kind);
  PutLengthPrefixed16(out, id);
}

void TxKey(absl::string_view tx_id, std::string* out) {
  out->assign("T-");
  PutLengthPrefixed16(out, tx_id);
}

// Index entries sort newest first: a subject's recent transactions are a
// forward scan from its prefix (the hash memtable has no reverse iteration).
int64_t NewestFirst(int64_t event_micros) { return ~event_micros; }

}  // namespace

absl::StatusOr<char> TransactionArchive::KindCode(absl::string_view kind) {
  if (kind == "account") return 'a';
  if (kind == "document") return 'd';
  return absl::InvalidArgumentError(
      absl::StrCat("subject_kind: transactions are kept by account or document, not \"", kind, "\""));
}

void TransactionArchive::Add(absl::string_view tx_id, int64_t event_micros, int64_t retention_micros, char format,
                             absl::string_view payload, absl::string_view originator_account,
                             absl::string_view beneficiary_account, absl::string_view originator_document,
                             absl::string_view beneficiary_document, rocksdb::WriteBatch* batch) {
  if (retention_micros <= 0 || tx_id.empty()) return;
  rocksdb::ColumnFamilyHandle* cf = store_->cf(Cf::kTransactions);
  const int64_t expire_at = event_micros > INT64_MAX - retention_micros ? INT64_MAX : event_micros + retention_micros;
  std::string& expiry = expiry_scratch_;
  expiry.clear();
  PutOrderedInt64(&expiry, expire_at);
  const rocksdb::Slice parts[] = {rocksdb::Slice(expiry), rocksdb::Slice(&format, 1),
                                  rocksdb::Slice(payload.data(), payload.size())};
  std::string& key = key_scratch_;
  TxKey(tx_id, &key);
  const rocksdb::Slice key_slice(key);
  batch->Put(cf, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(parts, 3));
  std::string& index = key_scratch_;
  auto put = [&](char kind, absl::string_view id) {
    if (id.empty()) return;
    SubjectPrefix(kind, id, &index);
    PutOrderedInt64(&index, NewestFirst(event_micros));
    index.append(tx_id.data(), tx_id.size());
    batch->Put(cf, index, expiry);
  };
  put('a', originator_account);
  if (beneficiary_account != originator_account) put('a', beneficiary_account);
  put('d', originator_document);
  if (beneficiary_document != originator_document) put('d', beneficiary_document);
}

bool TransactionArchive::Expired(absl::string_view value) const {
  // Past retention but not compacted yet: as good as gone.
  return EventTimeExpiryFilter::Expired(EventTimeExpiryFilter::Layout::kEdges, {}, value, store_->expiry_watermark(),
                                        store_->options().expiry_grace_micros);
}

absl::StatusOr<std::optional<TransactionArchive::Entry>> TransactionArchive::Get(absl::string_view tx_id) const {
  std::string key, value;
  TxKey(tx_id, &key);
  ASSIGN_OR_RETURN(bool found, store_->Get(Cf::kTransactions, key, &value));
  if (!found || Expired(value)) return std::nullopt;
  if (value.size() < 9) {
    return absl::DataLossError(absl::StrCat("transactions: record of ", tx_id, " is ", value.size(),
                                            " bytes, too short to hold its expiry and format"));
  }
  Entry e;
  e.tx_id = std::string(tx_id);
  e.format = value[8];
  e.payload = value.substr(9);
  return e;
}

absl::Status TransactionArchive::ForEach(const std::function<absl::Status(const Entry&)>& f) const {
  auto it = store_->NewIterator(Cf::kTransactions);
  Entry e;
  for (it->Seek("T-"); it->Valid() && it->key().starts_with("T-"); it->Next()) {
    const absl::string_view key(it->key().data(), it->key().size()), value(it->value().data(), it->value().size());
    if (Expired(value)) continue;
    if (key.size() < 4 || value.size() < 9) {
      return absl::DataLossError(absl::StrCat("transactions: malformed record ", absl::CHexEscape(key)));
    }
    e.tx_id = std::string(key.substr(4));
    e.format = value[8];
    e.payload = std::string(value.substr(9));
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
    ASSIGN_OR_RETURN(std::optional<Entry> e, Get(key.substr(prefix.size() + 8)));
    if (!e) continue;  // its record expired first (retention shortened since)
    e->event_micros = event_micros;
    out.push_back(std::move(*e));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the transaction archive");
  return out;
}

}  // namespace centinela
