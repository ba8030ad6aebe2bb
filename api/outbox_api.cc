// The outbox endpoints of the API (docs/api.md, "Outbox"): what waits to be
// sent, what the broker refused for good and was moved aside, and a retry of
// a parked record once its cause is fixed (say, the broker's
// message.max.bytes raised).
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "api/http_api.h"
#include "api/http_server.h"
#include "api/http_util.h"
#include "base/proto_json.h"
#include "base/time_util.h"
#include "engine/state/outbox.h"
#include "httplib.h"

namespace centinela::api {

void ApiServer::RegisterOutboxRoutes() {
  httplib::Server& srv = *server_;
  ApiServer* self = this;
  srv.Get("/v1/outbox", [self](const httplib::Request& req, httplib::Response& res) {
    self->Handle(req, res, "outbox.status", Permission::kReadOutbox, [self](Call& c) { self->OutboxStatus(c); });
  });
  srv.Post(R"(/v1/outbox/parked/([0-9]{1,19})/retry)", [self](const httplib::Request& req, httplib::Response& res) {
    const std::string seq = req.matches[1];
    self->Handle(req, res, "outbox.retry", Permission::kRetryOutbox,
                 [self, &seq](Call& c) { self->RetryParked(c, seq); });
  });
}

void ApiServer::OutboxStatus(Call& c) {
  int limit = 100;
  for (const auto& [k, v] : c.req.params) {
    if (k != "limit") return ReplyError(c.res, 400, "bad_request", absl::StrCat(k, ": unknown parameter (limit)"), k);
    if (!absl::SimpleAtoi(v, &limit) || limit < 0 || limit > 1000) {
      return ReplyError(c.res, 400, "bad_request", "limit: expected 0 to 1000", k);
    }
  }
  auto parked = ListParkedOutbox(*store_, limit);
  if (!parked.ok()) return ReplyStatus(c.res, parked.status());
  auto pending = store_->CountOutbox();
  if (!pending.ok()) return ReplyStatus(c.res, pending.status());
  auto delivered = store_->GetCounter(kMetaDelivered);
  if (!delivered.ok()) return ReplyStatus(c.res, delivered.status());
  auto ever = store_->GetCounter(kMetaParked);
  if (!ever.ok()) return ReplyStatus(c.res, ever.status());
  v1::OutboxOverview o;
  o.set_pending(*pending);
  o.set_delivered(*delivered);
  o.set_parked(parked->total);
  o.set_parked_ever(*ever);
  for (const auto& [seq, p] : parked->records) {
    v1::ParkedRecord* r = o.add_parked_records();
    r->set_seq(seq);
    r->set_topic(p.entry().topic());
    r->set_key(ToValidUtf8(p.entry().key()));
    r->set_bytes(int64_t(p.entry().value().size()));
    r->set_error(p.error());
    *r->mutable_parked_at() = FromMicros(p.parked_at_micros());
  }
  Reply(c.res, 200, o);
}

void ApiServer::RetryParked(Call& c, const std::string& seq_text) {
  c.audit.set_target(seq_text);
  int64_t seq;
  if (!absl::SimpleAtoi(seq_text, &seq)) return ReplyError(c.res, 400, "bad_request", "seq: not a number", "seq");
  if (absl::Status s = RetryParkedOutbox(store_, seq); !s.ok()) return ReplyStatus(c.res, s);
  if (options_.outbox_changed) options_.outbox_changed();
  v1::OutboxOverview o;
  auto pending = store_->CountOutbox();
  if (!pending.ok()) return ReplyStatus(c.res, pending.status());
  o.set_pending(*pending);
  Reply(c.res, 200, o);
}

}  // namespace centinela::api
