#include "cli/backtest_cmd.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "base/proto_json.h"
#include "base/time_util.h"
#include "cli/flags.h"
#include "cli/scratch_dir.h"
#include "eval/backtest.h"
#include "server/config.h"

namespace centinela::cli {
namespace {

// "beginning" / "end" (empty map: the default) or "P:O,P:O".
absl::StatusOr<std::map<int32_t, int64_t>> ParseOffsets(const std::string& flag, const std::string& v) {
  std::map<int32_t, int64_t> out;
  if (v.empty() || v == "beginning" || v == "end") return out;
  for (absl::string_view part : absl::StrSplit(v, ',')) {
    std::pair<std::string, std::string> po = absl::StrSplit(part, absl::MaxSplits(':', 1));
    int32_t p;
    int64_t o;
    if (!absl::SimpleAtoi(po.first, &p) || !absl::SimpleAtoi(po.second, &o) || p < 0 || o < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": expected PARTITION:OFFSET,... (e.g. 0:0,1:250), got \"", part, "\""));
    }
    out[p] = o;
  }
  return out;
}

absl::StatusOr<int64_t> ParseDay(const std::string& what, const std::string& v, bool end_of_day) {
  auto day = ParseIsoDate(v);
  if (!day.ok())
    return absl::InvalidArgumentError(absl::StrCat("--stored ", what, ": expected a date YYYY-MM-DD, got \"", v, "\""));
  return *day * kMicrosPerDay + (end_of_day ? kMicrosPerDay - 1 : 0);
}

}  // namespace

int Backtest(const std::vector<std::string>& args) {
  auto f = Flags::Parse("backtest", args,
                        {"pack", "input", "topic", "bootstrap", "from", "to", "stored", "data-dir", "labels", "fx",
                         "config", "alerts-out"},
                        {"json", "quiet"});
  if (!f.ok()) return Fail(f.status(), 2);
  if (!f->Has("pack")) return Fail(absl::InvalidArgumentError("backtest: --pack FILE is required"), 2);
  const int sources = f->Has("input") + f->Has("topic") + f->Has("stored");
  if (sources != 1) {
    return Fail(absl::InvalidArgumentError(
                    "backtest: give exactly one of --input FILE, --topic T (--from/--to OFFSETS), --stored FROM TO"),
                2);
  }
  EngineConfig config;  // defaults, or the engine's config for fx, bootstrap and data dir
  if (f->Has("config")) {
    auto c = LoadEngineConfig(f->Get("config"));
    if (!c.ok()) return Fail(c.status(), 2);
    config = *c;
  }
  eval::BacktestInput in;
  if (f->Has("input")) {
    in.kind = eval::BacktestInput::Kind::kFile;
    in.file = f->Get("input");
    if (!f->positional().empty()) return Fail(absl::InvalidArgumentError("backtest: unexpected arguments"), 2);
  } else if (f->Has("topic")) {
    in.kind = eval::BacktestInput::Kind::kTopic;
    in.topic = f->Get("topic");
    in.bootstrap = f->Get("bootstrap", config.bootstrap);
    if (in.bootstrap.empty() || in.bootstrap == "embedded") {
      return Fail(absl::InvalidArgumentError("backtest --topic: --bootstrap HOST:PORT is required"), 2);
    }
    auto from = ParseOffsets("from", f->Get("from"));
    auto to = ParseOffsets("to", f->Get("to"));
    if (!from.ok()) return Fail(from.status(), 2);
    if (!to.ok()) return Fail(to.status(), 2);
    in.from_offsets = *from;
    in.to_offsets = *to;
  } else {
    // --stored FROM TO: the flag takes FROM, TO is the positional after it.
    in.kind = eval::BacktestInput::Kind::kStored;
    if (f->positional().size() != 1) {
      return Fail(absl::InvalidArgumentError("backtest: --stored FROM TO takes two dates (YYYY-MM-DD)"), 2);
    }
    auto from = ParseDay("FROM", f->Get("stored"), false);
    auto to = ParseDay("TO", f->positional()[0], true);
    if (!from.ok()) return Fail(from.status(), 2);
    if (!to.ok()) return Fail(to.status(), 2);
    in.from_micros = *from;
    in.to_micros = *to;
    in.data_dir = f->Get("data-dir", config.data_dir);
  }
  if (in.kind != eval::BacktestInput::Kind::kStored && !f->positional().empty()) {
    return Fail(absl::InvalidArgumentError(absl::StrCat("backtest: unexpected argument '", f->positional()[0], "'")),
                2);
  }
  eval::BacktestOptions o;
  o.pack_path = f->Get("pack");
  o.fx_path = f->Get("fx", config.fx_path.empty() ? "deploy/config/fx.yaml" : config.fx_path);
  o.lists = config.lists;  // --config: screen against the engine's lists, as it does live
  o.progress = !f->Has("quiet");
  ScratchDir scratch("centinela-backtest");
  if (scratch.path().empty()) return Fail(absl::InternalError("backtest: cannot create a scratch directory"));
  o.work_dir = scratch.path() + "/db";
  std::optional<eval::CaseLabels> labels;
  if (f->Has("labels")) {
    auto l = eval::LoadCaseLabels(f->Get("labels"));
    if (!l.ok()) return Fail(l.status(), 2);
    labels = std::move(*l);
  }
  auto r = eval::RunBacktest(in, o);
  if (!r.ok()) return Fail(r.status());
  if (labels) eval::ScoreAgainstLabels(*labels, &*r);
  if (f->Has("alerts-out")) {
    std::ofstream out(f->Get("alerts-out"));
    if (!out)
      return Fail(absl::PermissionDeniedError(absl::StrCat("--alerts-out ", f->Get("alerts-out"), ": cannot write")));
    for (const v1::Alert& a : r->alerts) {
      auto line = ProtoToJson(a);
      if (!line.ok()) return Fail(line.status());
      out << *line << '\n';
    }
    out.flush();
    if (!out) {
      return Fail(absl::DataLossError(absl::StrCat("--alerts-out ", f->Get("alerts-out"), ": write failed")));
    }
  }
  if (f->Has("json")) {
    printf(
        "{\"pack_version\":\"%s\",\"records\":%ld,\"processed\":%ld,\"dead_lettered\":%ld,\"duplicates\":%ld,"
        "\"alerts\":%zu,"
        "\"typologies\":{",
        r->pack_version.c_str(), long(r->records), long(r->processed), long(r->dead_lettered), long(r->duplicates),
        r->alerts.size());
    bool first = true;
    for (const auto& [id, t] : r->typologies) {
      printf("%s\"%s\":{\"alerts\":%ld,\"shadow_alerts\":%ld", first ? "" : ",", id.c_str(), long(t.alerts),
             long(t.shadow_alerts));
      if (r->labelled) {
        printf(",\"cases\":%d,\"detected\":%d,\"true_alerts\":%ld,\"precision\":%.4f,\"recall\":%.4f", t.cases,
               t.detected, long(t.true_alerts), t.precision(), t.recall());
      }
      printf("}");
      first = false;
    }
    printf("}}\n");
    return 0;
  }
  printf("backtest of %s: %ld records (%ld scored, %ld dead-lettered, %ld duplicates) in %.1f s, %zu alerts\n",
         r->pack_version.c_str(), long(r->records), long(r->processed), long(r->dead_lettered), long(r->duplicates),
         r->seconds, r->alerts.size());
  if (r->labelled) {
    printf("%-26s %8s %8s %8s %8s %10s %8s\n", "typology", "alerts", "shadow", "cases", "detected", "precision",
           "recall");
  } else {
    printf("%-26s %8s %8s\n", "typology", "alerts", "shadow");
  }
  int64_t true_alerts = 0, alerts = 0;
  int cases = 0, detected = 0;
  for (const auto& [id, t] : r->typologies) {
    if (r->labelled) {
      const std::string precision = t.alerts ? absl::StrFormat("%.1f%%", 100 * t.precision()) : "-";
      const std::string recall = t.cases ? absl::StrFormat("%.1f%%", 100 * t.recall()) : "-";
      printf("%-26s %8ld %8ld %8d %8d %10s %8s\n", id.c_str(), long(t.alerts), long(t.shadow_alerts), t.cases,
             t.detected, precision.c_str(), recall.c_str());
    } else {
      printf("%-26s %8ld %8ld\n", id.c_str(), long(t.alerts), long(t.shadow_alerts));
    }
    true_alerts += t.true_alerts;
    alerts += t.alerts;
    cases += t.cases;
    detected += t.detected;
  }
  if (r->labelled) {
    printf(
        "all: precision %.1f%% (%ld of %ld alerts on a labelled case of their typology), recall %.1f%% (%d of %d "
        "cases)\n",
        alerts ? 100.0 * double(true_alerts) / double(alerts) : 0.0, long(true_alerts), long(alerts),
        cases ? 100.0 * detected / cases : 0.0, detected, cases);
  }
  return 0;
}

}  // namespace centinela::cli
