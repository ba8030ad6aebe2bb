#include "cli/outbox_cmd.h"

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "centinela/v1/investigation.pb.h"
#include "cli/api_client.h"
#include "cli/flags.h"

namespace centinela::cli {
namespace {

int Status(const std::vector<std::string>& args) {
  auto f = Flags::Parse("outbox status", args, With({"limit"}, kClientFlags), {"json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  httplib::Params params;
  if (f->Has("limit")) params.emplace("limit", f->Get("limit"));
  auto o = client->CallInto<v1::OutboxOverview>("GET", "/v1/outbox", params);
  if (!o.ok()) return Fail(o.status());
  if (client->json) return 0;
  printf("pending %ld  delivered %ld  parked %ld (ever %ld)\n", long(o->pending()), long(o->delivered()),
         long(o->parked()), long(o->parked_ever()));
  if (o->parked_records_size() == 0) return 0;
  printf("\n");
  Table t({"SEQ", "PARKED", "TOPIC", "KEY", "BYTES", "ERROR"});
  for (const auto& r : o->parked_records()) {
    t.Add({absl::StrCat(r.seq()), Time(r.parked_at()), r.topic(), r.key(), absl::StrCat(r.bytes()), r.error()});
  }
  t.Print();
  if (o->parked() > o->parked_records_size()) {
    printf("(%ld more; --limit N shows up to 1000)\n", long(o->parked() - o->parked_records_size()));
  }
  printf("retry one once its cause is fixed: centinela outbox retry SEQ (admin)\n");
  return 0;
}

int Retry(const std::vector<std::string>& args) {
  auto f = Flags::Parse("outbox retry", args, kClientFlags, {"all", "json"});
  if (!f.ok()) return Fail(f.status(), 2);
  auto client = ApiClient::FromFlags(*f);
  if (!client.ok()) return Fail(client.status(), 2);
  std::vector<std::string> seqs = f->positional();
  if (f->Has("all") == !seqs.empty()) {
    return Fail(absl::InvalidArgumentError("outbox retry: give SEQ... or --all"), 2);
  }
  if (f->Has("all")) {
    ApiClient quiet = *client;
    quiet.json = false;
    auto o = quiet.CallInto<v1::OutboxOverview>("GET", "/v1/outbox", {{"limit", "1000"}});
    if (!o.ok()) return Fail(o.status());
    for (const auto& r : o->parked_records()) seqs.push_back(absl::StrCat(r.seq()));
  }
  for (const std::string& seq : seqs) {
    int64_t n;
    if (!absl::SimpleAtoi(seq, &n) || n < 0) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("outbox retry: \"", seq, "\" is not a sequence number")), 2);
    }
    auto r = client->Call("POST", absl::StrCat("/v1/outbox/parked/", n, "/retry"), {});
    if (!r.ok()) return Fail(r.status());
    if (client->json) {
      printf("%s\n", r->c_str());
    } else {
      printf("outbox record %ld put back for delivery\n", long(n));
    }
  }
  if (!client->json && seqs.empty()) printf("no parked records\n");
  return 0;
}

}  // namespace

int Outbox(const std::vector<std::string>& args) {
  if (args.empty()) return Fail(absl::InvalidArgumentError("outbox: expected 'status' or 'retry'"), 2);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "status") return Status(rest);
  if (args[0] == "retry") return Retry(rest);
  return Fail(absl::InvalidArgumentError(absl::StrCat("outbox: unknown subcommand '", args[0], "' (status, retry)")),
              2);
}

}  // namespace centinela::cli
