#include "gen/feed_generator.h"

#include <algorithm>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/hash.h"
#include "base/proto_json.h"
#include "base/time_util.h"
#include "engine/validate/peru_ids.h"
#include "gen/peruvian_names.h"

namespace centinela::gen {
namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t Next() { return g_(); }
  int64_t Uniform(int64_t lo, int64_t hi) { return lo + int64_t(Next() % uint64_t(hi - lo + 1)); }
  bool Chance(int percent) { return int(Next() % 100) < percent; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Next() % v.size()];
  }

 private:
  std::mt19937_64 g_;
};

const std::vector<std::string> kBanks = {"BCP", "BBVA", "IBK", "SCO", "BN", "CMAC"};
const std::vector<std::string> kUrbanUbigeo = {"150101", "150122", "150131", "040101", "130101",
                                               "200101", "080101", "140101", "160101", "220101"};
const std::vector<std::string> kMiningUbigeo = {"170101", "170201", "171001", "211001", "211201", "210301", "130801"};
// Districts in the VRAEM provinces: Huanta, La Mar, Tayacaja, La Convencion, Satipo.
const std::vector<std::string> kVraemUbigeo = {"050406", "050501", "090701", "080910", "120606"};
const std::vector<std::string> kBorderUbigeo = {"230101", "210101", "240101", "160101"};  // Tacna, Puno, Tumbes, Loreto
const std::vector<std::string> kOtherCiiu = {"4711", "5610", "6201", "4520", "8510", "4921", "1071", "6810"};
const std::vector<std::string> kGoldCiiu = {"0729", "4662", "2420"};
const std::vector<std::string> kForeignSafe = {"US", "ES", "CN", "CL", "CO", "BR", "DE", "MX"};
const std::vector<std::string> kHighRisk = {"IR", "KP", "MM", "VE", "BO"};

struct Account {
  std::string account;
  std::string bank;
  bool company;
  std::string doc;
  std::string name;
  std::string ciiu;
  std::string ubigeo;
  std::string opened;
};

Account MakeAccount(Rng& rng, int64_t i, bool company, const std::string& ciiu, int64_t start_day) {
  Account a;
  a.bank = rng.Pick(kBanks);
  a.account = absl::StrFormat("%s-%010d", a.bank, i);
  a.company = company;
  if (company) {
    a.doc = MakeRuc(10000000 + uint64_t(i) * 7919 % 89999999);
    const auto& surnames = PeruvianSurnames();
    a.name = absl::StrCat(surnames[PickByRank(surnames.size(), rng.Next())], " ",
                          surnames[PickByRank(surnames.size(), rng.Next())], " S.A.C.");
    a.ciiu = ciiu.empty() ? rng.Pick(kOtherCiiu) : ciiu;
  } else {
    a.doc = MakeDni(10000000 + uint64_t(i) * 104729 % 89999999);
    a.name = PeruvianPersonName(rng.Next(), rng.Next(), rng.Next(), rng.Next());
  }
  a.ubigeo = rng.Pick(kUrbanUbigeo);
  a.opened = FormatIsoDate(start_day - rng.Uniform(30, 3650));
  return a;
}

void FillParty(const Account& a, v1::Party* p) {
  p->set_kind(a.company ? v1::COMPANY : v1::PERSON);
  p->set_document_type(a.company ? v1::RUC : v1::DNI);
  p->set_document_number(a.doc);
  p->set_name(a.name);
  p->set_account(a.account);
  p->set_bank(a.bank);
  p->set_country("PE");
  p->set_ubigeo(a.ubigeo);
  if (!a.ciiu.empty()) p->set_ciiu(a.ciiu);
  p->set_account_opened(a.opened);
}

void FillForeign(Rng& rng, const std::string& country, int64_t n, v1::Party* p) {
  p->set_kind(v1::COMPANY);
  p->set_document_type(v1::NON_RESIDENT);
  p->set_document_number(absl::StrFormat("NR%08d", n));
  p->set_name(absl::StrCat("FOREIGN TRADING ", n, " LTD"));
  p->set_account(absl::StrFormat("%s-INTL-%08d", country, n));
  p->set_bank(absl::StrCat(country, "BANK"));
  p->set_country(country);
}

// PEN amount in centimos for a USD amount in cents (fixed 3.75 rate of the demo).
int64_t PenFromUsdCents(int64_t usd_cents) { return usd_cents * 375 / 100; }

struct Pending {
  int64_t micros;
  int64_t seq;
  v1::Transaction tx;
  std::string label, typology, case_id, invalid_payload, invalid_ct;
};

}  // namespace

std::string MakeRuc(uint64_t n, const char* prefix) {
  std::string ten = absl::StrFormat("%s%08d", prefix, n % 100000000);
  return absl::StrCat(ten, RucCheckDigit(ten));
}

std::string MakeDni(uint64_t n) { return absl::StrFormat("%08d", n % 100000000); }

std::string FeedWriting(const std::string& listed, bool company, uint64_t draw) {
  // "SURNAMES, Given names" as listed; the writings below are the ones
  // feeds have. A company's comma is no name order ("MUNDIAL, S.A.C.").
  const size_t comma = company ? std::string::npos : listed.find(',');
  std::string natural = listed;
  if (comma != std::string::npos) {
    natural = absl::StrCat(absl::StripAsciiWhitespace(listed.substr(comma + 1)), " ", listed.substr(0, comma));
  }
  switch (draw % 5) {
    case 0:
      return absl::AsciiStrToUpper(listed);
    case 1:
      return natural;  // given names first
    case 2: {
      // One typo: two inner letters of the longest word swapped.
      std::vector<std::string> words = absl::StrSplit(natural, ' ', absl::SkipEmpty());
      auto longest = std::max_element(words.begin(), words.end(),
                                      [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
      if (longest != words.end() && longest->size() >= 5) {
        const size_t k = 1 + (draw / 5) % (longest->size() - 3);
        std::swap((*longest)[k], (*longest)[k + 1]);
      }
      return absl::StrJoin(words, " ");
    }
    case 3: {
      // The second given name left out.
      if (comma == std::string::npos) return natural;
      std::vector<std::string> given = absl::StrSplit(listed.substr(comma + 1), ' ', absl::SkipEmpty());
      if (given.size() > 1) given.resize(1);
      return absl::StrCat(listed.substr(0, comma), ", ", absl::StrJoin(given, " "));
    }
    default:
      return absl::AsciiStrToLower(natural);
  }
}

int64_t MaxInjectedRecords(const GenOptions& o) {
  // Per case index: structuring <= 5, mining <= 3, border 1, FATF 2, smurfing <= 5,
  // monthly register <= 7, gold 1, VRAEM 1, trafficking 9, front company <= 4,
  // contraband <= 4, PEP 1, fan-in <= 7, fan-out <= 7, rapid pass-through 2,
  // stack 4, cycle <= 4, scatter-gather 10, gather-scatter 10, bipartite 6,
  // dormant 2, profile deviation 13.
  return int64_t(o.cases_per_typology) * (57 + 51) + o.invalid + int64_t(o.listed.size());
}

const std::vector<std::string>& InvalidKinds() {
  static const auto* kinds =
      new std::vector<std::string>{"garbage_bytes", "bad_json", "missing_amount", "unknown_currency", "invalid_ruc"};
  return *kinds;
}

absl::Status Generate(const GenOptions& o, const std::function<void(const GeneratedRecord&)>& emit) {
  Rng rng(o.seed);
  std::vector<Account> accounts;
  accounts.reserve(o.accounts);
  for (int i = 0; i < o.accounts; ++i) accounts.push_back(MakeAccount(rng, i + 1, rng.Chance(25), "", o.start_day));
  const int64_t start = o.start_day * kMicrosPerDay;
  const int64_t span = int64_t(o.days) * kMicrosPerDay;
  const std::string entity_ruc = MakeRuc(2001);

  std::vector<Pending> all;
  int64_t seq = 0;
  // Ids carry the seed ("tx-42-fan_in-524-0"): feeds of two seeds never
  // share an id, so a second feed is new traffic, not re-sent records.
  auto base_tx = [&](int64_t micros, const std::string& id) {
    Pending p;
    p.micros = micros;
    p.seq = seq++;
    p.tx.set_id(absl::StrCat("tx-", o.seed, "-", absl::string_view(id).substr(3)));
    *p.tx.mutable_event_time() = FromMicros(micros);
    p.tx.mutable_reporting_entity()->set_ruc(entity_ruc);
    p.tx.mutable_reporting_entity()->set_sector("bank");
    return p;
  };
  auto set_amount = [](v1::Transaction& tx, int64_t minor, const char* cur) {
    tx.mutable_amount()->set_minor_units(minor);
    tx.mutable_amount()->set_currency(cur);
  };

  // ---- injected cases
  int case_no = 0;
  int64_t fresh_accounts = 0;
  auto case_time = [&]() { return start + rng.Uniform(0, span - 8 * kMicrosPerDay); };
  for (int c = 0; c < o.cases_per_typology; ++c) {
    // Structuring: 3-5 near-threshold cash deposits into one account within 5 days.
    {
      const std::string cid = absl::StrCat("structuring-", ++case_no);
      const Account& target = accounts[rng.Next() % accounts.size()];
      const int n = int(rng.Uniform(3, 5));
      const int64_t t0 = case_time();
      const std::string branch = rng.Pick(kUrbanUbigeo);
      for (int k = 0; k < n; ++k) {
        Pending p = base_tx(t0 + rng.Uniform(0, 5 * kMicrosPerDay), absl::StrCat("tx-", cid, "-", k));
        p.tx.set_channel(v1::CASH);
        p.tx.set_operation(v1::DEPOSIT);
        p.tx.set_branch_ubigeo(branch);
        const int64_t usd = rng.Uniform(7600, 9700) * 100;
        if (rng.Chance(50))
          set_amount(p.tx, usd, "USD");
        else
          set_amount(p.tx, PenFromUsdCents(usd), "PEN");
        FillParty(accounts[rng.Next() % accounts.size()], p.tx.mutable_originator());
        p.tx.mutable_originator()->clear_account();  // walk-in depositor
        FillParty(target, p.tx.mutable_beneficiary());
        p.label = "case";
        p.typology = "structuring";
        p.case_id = cid;
        all.push_back(std::move(p));
      }
    }
    // Illegal-mining cash: gold-sector company withdraws cash in a mining region.
    {
      const std::string cid = absl::StrCat("mining_cash-", ++case_no);
      Account miner = MakeAccount(rng, 900000 + case_no, true, rng.Pick(kGoldCiiu), o.start_day);
      miner.ubigeo = rng.Pick(kMiningUbigeo);
      const int n = int(rng.Uniform(1, 3));
      const int64_t t0 = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p = base_tx(t0 + rng.Uniform(0, 7 * kMicrosPerDay), absl::StrCat("tx-", cid, "-", k));
        p.tx.set_channel(v1::CASH);
        p.tx.set_operation(v1::WITHDRAWAL);
        p.tx.set_branch_ubigeo(miner.ubigeo);
        set_amount(p.tx, PenFromUsdCents(rng.Uniform(20000, 90000) * 100), "PEN");
        FillParty(miner, p.tx.mutable_originator());
        p.label = "case";
        p.typology = "mining_cash";
        p.case_id = cid;
        all.push_back(std::move(p));
      }
    }
    // Border cash declaration just under US$10k or US$30k.
    {
      const std::string cid = absl::StrCat("border_cash-", ++case_no);
      Pending p = base_tx(case_time(), absl::StrCat("tx-", cid, "-0"));
      p.tx.set_channel(v1::CASH);
      p.tx.set_operation(v1::BORDER_CASH_DECLARATION);
      p.tx.set_branch_ubigeo(rng.Pick(kBorderUbigeo));
      p.tx.mutable_reporting_entity()->set_ruc(MakeRuc(131));  // customs
      p.tx.mutable_reporting_entity()->set_sector("customs");
      const int64_t usd = rng.Chance(50) ? rng.Uniform(9100, 9990) : rng.Uniform(27100, 29990);
      set_amount(p.tx, usd * 100, "USD");
      Account traveller = accounts[rng.Next() % accounts.size()];
      traveller.company = false;
      traveller.doc = MakeDni(rng.Next());
      traveller.ciiu.clear();
      FillParty(traveller, p.tx.mutable_originator());
      p.tx.mutable_originator()->clear_account();
      p.label = "case";
      p.typology = "border_cash";
      p.case_id = cid;
      all.push_back(std::move(p));
    }
    // FATF: wire to / from a high-risk jurisdiction. Call for action (KP,
    // IR, MM): one material wire. Increased monitoring (VE, BO): the account
    // wires with it repeatedly (two material wires within a week).
    for (bool outbound : {true, false}) {
      const std::string typ = outbound ? "fatf_outbound" : "fatf_inbound";
      const std::string cid = absl::StrCat(typ, "-", ++case_no);
      const std::string country = rng.Pick(kHighRisk);
      const bool monitored = country == "VE" || country == "BO";
      const Account& local = accounts[rng.Next() % accounts.size()];
      const int64_t t0 = case_time();
      for (int k = 0; k < (monitored ? 2 : 1); ++k) {
        Pending p = base_tx(t0 + k * rng.Uniform(kMicrosPerDay, 7 * kMicrosPerDay), absl::StrCat("tx-", cid, "-", k));
        p.tx.set_channel(v1::WIRE);
        p.tx.set_operation(v1::TRANSFER);
        set_amount(p.tx, rng.Uniform(3000, 60000) * 100, "USD");
        if (outbound) {
          FillParty(local, p.tx.mutable_originator());
          FillForeign(rng, country, case_no, p.tx.mutable_beneficiary());
        } else {
          FillForeign(rng, country, case_no, p.tx.mutable_originator());
          FillParty(local, p.tx.mutable_beneficiary());
        }
        p.label = "case";
        p.typology = typ;
        p.case_id = cid;
        all.push_back(std::move(p));
      }
    }
    auto fresh = [&](bool company, const std::string& ciiu = "") {  // an account of its own
      return MakeAccount(rng, 1000000 + fresh_accounts++, company, ciiu, o.start_day);
    };
    auto add_case = [&](Pending p, const std::string& typ, const std::string& cid) {
      p.label = "case";
      p.typology = typ;
      p.case_id = cid;
      all.push_back(std::move(p));
    };
    auto transfer = [&](int64_t micros, const std::string& cid, int k, int64_t usd_cents) {
      Pending p = base_tx(micros, absl::StrCat("tx-", cid, "-", k));
      p.tx.set_channel(v1::WIRE);
      p.tx.set_operation(v1::TRANSFER);
      set_amount(p.tx, usd_cents, "USD");
      return p;
    };
    // Smurfing: 4-5 walk-in depositors, one account, one branch, within hours.
    {
      const std::string cid = absl::StrCat("smurfing-", ++case_no);
      const Account target = fresh(false);
      const int n = int(rng.Uniform(4, 5));
      const int64_t t0 = case_time();
      const std::string branch = rng.Pick(kUrbanUbigeo);
      for (int k = 0; k < n; ++k) {
        Pending p = base_tx(t0 + rng.Uniform(0, 6 * kMicrosPerHour), absl::StrCat("tx-", cid, "-", k));
        p.tx.set_channel(v1::CASH);
        p.tx.set_operation(v1::DEPOSIT);
        p.tx.set_branch_ubigeo(branch);
        set_amount(p.tx, PenFromUsdCents(rng.Uniform(2600, 3400) * 100), "PEN");
        Account depositor = fresh(false);
        FillParty(depositor, p.tx.mutable_originator());
        p.tx.mutable_originator()->clear_account();
        FillParty(target, p.tx.mutable_beneficiary());
        add_case(std::move(p), "smurfing", cid);
      }
    }
    // Registro de Operaciones, multiple: one person, 6-7 transfers of US$8,500-9,500 within 25 days.
    {
      const std::string cid = absl::StrCat("monthly_register-", ++case_no);
      const Account person = fresh(false);
      const int n = int(rng.Uniform(6, 7));
      const int64_t t0 = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p =
            transfer(t0 + k * 4 * kMicrosPerDay + rng.Uniform(0, kMicrosPerDay), cid, k, rng.Uniform(8500, 9500) * 100);
        FillParty(person, p.tx.mutable_originator());
        FillParty(accounts[rng.Next() % accounts.size()], p.tx.mutable_beneficiary());
        add_case(std::move(p), "monthly_register", cid);
      }
    }
    // A gold company under a year old, paid from the UAE, India or Switzerland.
    {
      const std::string cid = absl::StrCat("gold_export_new_company-", ++case_no);
      Account exporter = fresh(true, rng.Pick(kGoldCiiu));
      exporter.opened = FormatIsoDate(o.start_day - rng.Uniform(30, 300));
      Pending p = transfer(case_time(), cid, 0, rng.Uniform(60000, 400000) * 100);
      p.tx.set_operation(v1::EXPORT_PAYMENT);
      FillForeign(rng, rng.Pick(std::vector<std::string>{"AE", "IN", "CH"}), 700000 + case_no,
                  p.tx.mutable_originator());
      FillParty(exporter, p.tx.mutable_beneficiary());
      add_case(std::move(p), "gold_export_new_company", cid);
    }
    // VRAEM: a material cash withdrawal at a branch in the VRAEM.
    {
      const std::string cid = absl::StrCat("vraem_cash-", ++case_no);
      Pending p = base_tx(case_time(), absl::StrCat("tx-", cid, "-0"));
      p.tx.set_channel(v1::CASH);
      p.tx.set_operation(v1::WITHDRAWAL);
      p.tx.set_branch_ubigeo(rng.Pick(kVraemUbigeo));
      set_amount(p.tx, PenFromUsdCents(rng.Uniform(6000, 30000) * 100), "PEN");
      FillParty(fresh(false), p.tx.mutable_originator());
      add_case(std::move(p), "vraem_cash", cid);
    }
    // Human trafficking: 9 small inflows to one person, 5 domestic and 4 foreign senders, in 20 days.
    {
      const std::string cid = absl::StrCat("human_trafficking_inflows-", ++case_no);
      const Account victim_account = fresh(false);
      const int64_t t0 = case_time();
      for (int k = 0; k < 9; ++k) {
        Pending p = transfer(t0 + rng.Uniform(0, 20 * kMicrosPerDay), cid, k, rng.Uniform(80, 450) * 100);
        p.tx.set_channel(k < 5 ? v1::MOBILE_WALLET : v1::WIRE);
        if (k < 5) {
          FillParty(fresh(false), p.tx.mutable_originator());
        } else {
          FillForeign(rng, rng.Pick(kForeignSafe), 800000 + case_no * 10 + k, p.tx.mutable_originator());
        }
        FillParty(victim_account, p.tx.mutable_beneficiary());
        add_case(std::move(p), "human_trafficking_inflows", cid);
      }
    }
    // Front company: a company under 6 months old receives US$210k+ within 20 days.
    {
      const std::string cid = absl::StrCat("front_company-", ++case_no);
      Account front = fresh(true);
      front.opened = FormatIsoDate(o.start_day - rng.Uniform(20, 100));  // under 180 days at every leg
      const int n = int(rng.Uniform(3, 4));
      const int64_t t0 = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p = transfer(t0 + rng.Uniform(0, 20 * kMicrosPerDay), cid, k, rng.Uniform(70000, 120000) * 100);
        FillParty(accounts[rng.Next() % accounts.size()], p.tx.mutable_originator());
        FillParty(front, p.tx.mutable_beneficiary());
        add_case(std::move(p), "front_company", cid);
      }
    }
    // Contraband: one importer pays one supplier 3-4 invoices just under 4 UIT (2026: S/ 22,000).
    {
      const std::string cid = absl::StrCat("contraband_split_invoices-", ++case_no);
      const Account importer = fresh(true), supplier = fresh(true);
      const int n = int(rng.Uniform(3, 4));
      const int64_t t0 = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p = base_tx(t0 + rng.Uniform(0, 25 * kMicrosPerDay), absl::StrCat("tx-", cid, "-", k));
        p.tx.set_channel(v1::WIRE);
        p.tx.set_operation(v1::IMPORT_PAYMENT);
        set_amount(p.tx, rng.Uniform(18800, 21900) * 100, "PEN");
        FillParty(importer, p.tx.mutable_originator());
        FillParty(supplier, p.tx.mutable_beneficiary());
        add_case(std::move(p), "contraband_split_invoices", cid);
      }
    }
    // PEP: a politically exposed person moves a large sum.
    {
      const std::string cid = absl::StrCat("pep_large-", ++case_no);
      Pending p = transfer(case_time(), cid, 0, rng.Uniform(12000, 80000) * 100);
      FillParty(fresh(false), p.tx.mutable_originator());
      p.tx.mutable_originator()->set_pep(true);
      FillParty(accounts[rng.Next() % accounts.size()], p.tx.mutable_beneficiary());
      add_case(std::move(p), "pep_large", cid);
    }
    // Fan-in and fan-out: 5-7 distinct counterparties of one account within 2
    // days, US$2,000-5,000 each, so that the fan moves at least the ROS
    // threshold (US$10,000) in total, as the typology requires.
    for (bool in : {true, false}) {
      const std::string typ = in ? "fan_in" : "fan_out";
      const std::string cid = absl::StrCat(typ, "-", ++case_no);
      const Account hub = fresh(false);
      const int n = int(rng.Uniform(5, 7));
      const int64_t t0 = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p = transfer(t0 + rng.Uniform(0, 2 * kMicrosPerDay), cid, k, rng.Uniform(2000, 5000) * 100);
        p.tx.set_channel(v1::ACH);
        FillParty(in ? fresh(false) : hub, p.tx.mutable_originator());
        FillParty(in ? hub : fresh(false), p.tx.mutable_beneficiary());
        add_case(std::move(p), typ, cid);
      }
    }
    // The order-dependent typologies: exact in streaming since records are
    // scored in event-time order (docs/event-time.md). Delays between the
    // legs of a network case exceed the pass-through window unless the case
    // is a pass-through, and amounts differ by more than its ratio, so that
    // each case is the pattern it is labelled with.
    // Rapid pass-through: in, then out within hours at 95-100% of it.
    {
      const std::string cid = absl::StrCat("rapid_pass_through-", ++case_no);
      const Account mule = fresh(false);
      const int64_t t0 = case_time(), usd = rng.Uniform(5000, 40000) * 100;
      Pending in = transfer(t0, cid, 0, usd);
      FillParty(fresh(false), in.tx.mutable_originator());
      FillParty(mule, in.tx.mutable_beneficiary());
      add_case(std::move(in), "rapid_pass_through", cid);
      Pending out = transfer(t0 + rng.Uniform(1, 20) * 3600 * 1000000LL, cid, 1, usd * rng.Uniform(95, 100) / 100);
      FillParty(mule, out.tx.mutable_originator());
      FillParty(fresh(false), out.tx.mutable_beneficiary());
      add_case(std::move(out), "rapid_pass_through", cid);
    }
    // Stack: money passed on through four accounts, each within hours, each
    // leg 96-99% of the one before: the last hop is the third layer.
    {
      const std::string cid = absl::StrCat("stack-", ++case_no);
      Account from = fresh(false);
      int64_t t = case_time(), usd = rng.Uniform(8000, 40000) * 100;
      for (int k = 0; k < 4; ++k) {
        const Account to = fresh(false);
        Pending p = transfer(t, cid, k, usd);
        FillParty(from, p.tx.mutable_originator());
        FillParty(to, p.tx.mutable_beneficiary());
        add_case(std::move(p), "stack", cid);
        from = to;
        t += rng.Uniform(2, 12) * 3600 * 1000000LL;
        usd = usd * rng.Uniform(96, 99) / 100;
      }
    }
    // Cycle: A -> B -> C -> D -> A, a leg every 50-70 hours.
    {
      const std::string cid = absl::StrCat("cycle-", ++case_no);
      const int n = int(rng.Uniform(3, 4));
      std::vector<Account> ring;
      for (int k = 0; k < n; ++k) ring.push_back(fresh(false));
      int64_t t = case_time();
      for (int k = 0; k < n; ++k) {
        Pending p = transfer(t, cid, k, rng.Uniform(3000, 20000) * 100);
        FillParty(ring[k], p.tx.mutable_originator());
        FillParty(ring[(k + 1) % n], p.tx.mutable_beneficiary());
        add_case(std::move(p), "cycle", cid);
        t += rng.Uniform(50, 70) * 3600 * 1000000LL;
      }
    }
    // Scatter-gather: one account pays five intermediaries, which pay one
    // account 50-90 hours later, within two days of each other.
    {
      const std::string cid = absl::StrCat("scatter_gather-", ++case_no);
      const Account source = fresh(false), sink = fresh(false);
      const int64_t t0 = case_time();
      for (int k = 0; k < 5; ++k) {
        const Account mid = fresh(false);
        Pending out = transfer(t0 + rng.Uniform(0, 6) * 3600 * 1000000LL, cid, 2 * k, rng.Uniform(2000, 5000) * 100);
        FillParty(source, out.tx.mutable_originator());
        FillParty(mid, out.tx.mutable_beneficiary());
        add_case(std::move(out), "scatter_gather", cid);
        Pending in =
            transfer(t0 + rng.Uniform(56, 90) * 3600 * 1000000LL, cid, 2 * k + 1, rng.Uniform(1000, 1700) * 100);
        FillParty(mid, in.tx.mutable_originator());
        FillParty(sink, in.tx.mutable_beneficiary());
        add_case(std::move(in), "scatter_gather", cid);
      }
    }
    // Gather-scatter: five accounts pay a hub within a day, then the hub
    // pays five others within the next day, at other amounts.
    {
      const std::string cid = absl::StrCat("gather_scatter-", ++case_no);
      const Account hub = fresh(false);
      const int64_t t0 = case_time();
      for (int k = 0; k < 10; ++k) {
        const bool in = k < 5;
        Pending p = transfer(t0 + (in ? 0 : 30) * 3600 * 1000000LL + rng.Uniform(0, 20) * 3600 * 1000000LL, cid, k,
                             in ? rng.Uniform(2000, 3000) * 100 : rng.Uniform(800, 1500) * 100);
        FillParty(in ? fresh(false) : hub, p.tx.mutable_originator());
        FillParty(in ? hub : fresh(false), p.tx.mutable_beneficiary());
        add_case(std::move(p), "gather_scatter", cid);
      }
    }
    // Bipartite: three senders each pay the same two receivers within two
    // days.
    {
      const std::string cid = absl::StrCat("bipartite-", ++case_no);
      const Account r1 = fresh(false), r2 = fresh(false);
      std::vector<Account> senders;
      for (int k = 0; k < 3; ++k) senders.push_back(fresh(false));
      const int64_t t0 = case_time();
      for (int k = 0; k < 6; ++k) {
        Pending p = transfer(t0 + k * rng.Uniform(2, 7) * 3600 * 1000000LL, cid, k, rng.Uniform(500, 3000) * 100);
        FillParty(senders[k % 3], p.tx.mutable_originator());
        FillParty(k < 3 ? r1 : r2, p.tx.mutable_beneficiary());
        add_case(std::move(p), "bipartite", cid);
      }
    }
    // Dormant account reactivated: a small payment 200-300 days before, then
    // a material one.
    {
      const std::string cid = absl::StrCat("dormant_reactivated-", ++case_no);
      const Account sleeper = fresh(false);
      const int64_t t0 = case_time();
      Pending old = transfer(t0 - rng.Uniform(200, 300) * kMicrosPerDay, cid, 0, rng.Uniform(50, 300) * 100);
      FillParty(sleeper, old.tx.mutable_originator());
      FillParty(fresh(false), old.tx.mutable_beneficiary());
      add_case(std::move(old), "dormant_reactivated", cid);
      Pending wake = transfer(t0, cid, 1, rng.Uniform(6000, 40000) * 100);
      FillParty(sleeper, wake.tx.mutable_originator());
      FillParty(fresh(false), wake.tx.mutable_beneficiary());
      add_case(std::move(wake), "dormant_reactivated", cid);
    }
    // Profile deviation: twelve small payments to three usual payees over
    // the month before, then a material one to a new payee.
    {
      const std::string cid = absl::StrCat("profile_deviation-", ++case_no);
      const Account payer = fresh(false);
      const Account usual[3] = {fresh(false), fresh(false), fresh(false)};
      const int64_t t0 = case_time();
      for (int k = 0; k < 12; ++k) {
        Pending p = transfer(t0 - (30 - 2 * k) * kMicrosPerDay, cid, k, rng.Uniform(100, 200) * 100);
        FillParty(payer, p.tx.mutable_originator());
        FillParty(usual[k % 3], p.tx.mutable_beneficiary());
        add_case(std::move(p), "profile_deviation", cid);
      }
      Pending big = transfer(t0, cid, 12, rng.Uniform(8000, 30000) * 100);
      FillParty(payer, big.tx.mutable_originator());
      FillParty(fresh(false), big.tx.mutable_beneficiary());
      add_case(std::move(big), "profile_deviation", cid);
    }
  }

  // ---- malformed records
  for (int i = 0; i < o.invalid; ++i) {
    const std::string& kind = InvalidKinds()[i % InvalidKinds().size()];
    Pending p = base_tx(start + rng.Uniform(0, span - 1), absl::StrCat("tx-invalid-", i));
    p.label = "invalid";
    p.typology = kind;
    p.tx.set_channel(v1::ONLINE_BANKING);
    p.tx.set_operation(v1::TRANSFER);
    set_amount(p.tx, 12345, "PEN");
    FillParty(accounts[i % accounts.size()], p.tx.mutable_originator());
    FillParty(accounts[(i + 1) % accounts.size()], p.tx.mutable_beneficiary());
    if (kind == "garbage_bytes") {
      p.invalid_payload = std::string("\xff\xfe\x00\x13garbage\x07\x99", 13);
      p.invalid_ct = "application/x-protobuf";
    } else if (kind == "bad_json") {
      p.invalid_payload = "{\"id\": \"tx-bad\", \"amount\": {\"minor_units\": 10";
      p.invalid_ct = "application/json";
    } else if (kind == "missing_amount") {
      p.tx.clear_amount();
    } else if (kind == "unknown_currency") {
      p.tx.mutable_amount()->set_currency("XYZ");
    } else if (kind == "invalid_ruc") {
      std::string ruc = MakeRuc(4242);
      ruc.back() = char('0' + (ruc.back() - '0' + 1) % 10);
      p.tx.mutable_reporting_entity()->set_ruc(ruc);
    }
    all.push_back(std::move(p));
  }

  // ---- listed parties (gen --listed): each once, its name as a feed writes it
  for (size_t i = 0; i < o.listed.size(); ++i) {
    const ListedParty& lp = o.listed[i];
    const bool as_originator = i % 2 == 0;
    // A sanctioned party is alerted as a confirmed or a name-only match, as
    // the evidence its writing leaves decides: either detects it.
    const char* side = as_originator ? "_originator" : "_beneficiary";
    const std::string typ = lp.list == "pep" ? absl::StrCat("pep_list_match", side)
                                             : absl::StrCat("sanctions_match", side, "|sanctions_name_match", side);
    const std::string cid = absl::StrCat(lp.list, "_listed", side, "-", ++case_no);
    Pending p = base_tx(start + rng.Uniform(0, span - 8 * kMicrosPerDay), absl::StrCat("tx-", cid, "-0"));
    p.tx.set_channel(v1::WIRE);
    p.tx.set_operation(v1::TRANSFER);
    set_amount(p.tx, rng.Uniform(3000, 40000) * 100, "USD");
    Account party = MakeAccount(rng, 2000000 + int64_t(i), lp.company, "", o.start_day);
    party.name = FeedWriting(lp.name, lp.company, rng.Next());
    v1::Party* listed = as_originator ? p.tx.mutable_originator() : p.tx.mutable_beneficiary();
    FillParty(party, listed);
    if (!lp.document.empty()) {
      listed->set_document_number(lp.document);
      const bool dni = lp.document.size() == 8 &&
                       std::all_of(lp.document.begin(), lp.document.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!lp.company && !dni) listed->set_document_type(v1::PASSPORT);
    }
    if (!lp.country.empty()) listed->set_country(lp.country);
    FillParty(accounts[rng.Next() % accounts.size()],
              as_originator ? p.tx.mutable_beneficiary() : p.tx.mutable_originator());
    p.label = "case";
    p.typology = typ;
    p.case_id = cid;
    all.push_back(std::move(p));
  }

  // ---- background traffic fills the rest
  const int64_t background = std::max<int64_t>(0, o.count - int64_t(all.size()));
  for (int64_t i = 0; i < background; ++i) {
    Pending p = base_tx(start + rng.Uniform(0, span - 1), absl::StrCat("tx-bg-", i));
    const Account& a = accounts[rng.Next() % accounts.size()];
    const Account& b = accounts[rng.Next() % accounts.size()];
    // Log-uniform-ish PEN amounts from S/ 20 to S/ 60,000; a few large ones.
    int64_t pen = rng.Uniform(2000, 200000);
    if (rng.Chance(30)) pen *= rng.Uniform(2, 30);
    if (rng.Chance(1)) pen = rng.Uniform(5000000, 50000000);
    const int kind = int(rng.Uniform(0, 99));
    if (kind < 50) {
      p.tx.set_channel(rng.Chance(50) ? v1::ACH : v1::MOBILE_WALLET);
      p.tx.set_operation(v1::TRANSFER);
      FillParty(a, p.tx.mutable_originator());
      FillParty(b, p.tx.mutable_beneficiary());
      set_amount(p.tx, pen, "PEN");
    } else if (kind < 65) {
      p.tx.set_channel(v1::CASH);
      p.tx.set_operation(v1::DEPOSIT);
      p.tx.set_branch_ubigeo(rng.Pick(kUrbanUbigeo));
      FillParty(b, p.tx.mutable_beneficiary());
      set_amount(p.tx, pen, "PEN");
    } else if (kind < 80) {
      p.tx.set_channel(v1::CASH);
      p.tx.set_operation(v1::WITHDRAWAL);
      // Some withdrawals happen in mining regions by non-gold parties.
      p.tx.set_branch_ubigeo(rng.Chance(10) ? rng.Pick(kMiningUbigeo) : rng.Pick(kUrbanUbigeo));
      FillParty(a, p.tx.mutable_originator());
      set_amount(p.tx, pen, "PEN");
    } else if (kind < 90) {
      p.tx.set_channel(v1::CARD);
      p.tx.set_operation(v1::PAYMENT);
      FillParty(a, p.tx.mutable_originator());
      FillParty(b, p.tx.mutable_beneficiary());
      set_amount(p.tx, pen / 10 + 100, "PEN");
    } else {
      p.tx.set_channel(v1::WIRE);
      p.tx.set_operation(v1::TRANSFER);
      const std::string country = rng.Chance(3) ? rng.Pick(kHighRisk) : rng.Pick(kForeignSafe);
      // Sanctioned-regime counterparties in background traffic only send small
      // remittances; Bolivia (on the FATF list) is also an ordinary trading
      // partner, with ordinary commercial amounts: a source of false positives
      // for a country-only rule, which the background alert rate shows.
      const bool remittance_only = country == "IR" || country == "KP" || country == "MM" || country == "VE";
      const int64_t usd_cents = remittance_only ? rng.Uniform(2000, 90000) : rng.Uniform(10000, 5000000);
      set_amount(p.tx, usd_cents, "USD");
      if (rng.Chance(50)) {
        FillParty(a, p.tx.mutable_originator());
        FillForeign(rng, country, rng.Uniform(1, 5000), p.tx.mutable_beneficiary());
      } else {
        FillForeign(rng, country, rng.Uniform(1, 5000), p.tx.mutable_originator());
        FillParty(b, p.tx.mutable_beneficiary());
      }
    }
    all.push_back(std::move(p));
  }

  std::stable_sort(all.begin(), all.end(), [](const Pending& x, const Pending& y) {
    return x.micros != y.micros ? x.micros < y.micros : x.seq < y.seq;
  });
  GeneratedRecord r;
  int64_t n = 0;
  for (Pending& p : all) {
    r.tx_id = p.tx.id();
    r.label = p.label;
    r.typology = p.typology;
    r.case_id = p.case_id;
    r.key = p.tx.beneficiary().account().empty() ? p.tx.originator().account() : p.tx.beneficiary().account();
    if (r.key.empty()) r.key = p.tx.id();
    if (!p.invalid_payload.empty()) {
      r.payload = p.invalid_payload;
      r.content_type = p.invalid_ct;
    } else if (o.format == Format::kJson || (o.format == Format::kMixed && n % 10 == 0)) {
      absl::StatusOr<std::string> json = ProtoToJson(p.tx);
      if (!json.ok()) return absl::InternalError(absl::StrCat("gen: ", p.tx.id(), ": ", json.status().message()));
      r.payload = std::move(*json);
      r.content_type = "application/json";
    } else {
      r.payload = p.tx.SerializeAsString();
      r.content_type = "application/x-protobuf";
    }
    ++n;
    emit(r);
  }
  return absl::OkStatus();
}

int PartitionOf(const GeneratedRecord& r, int partitions) { return int(StableHash64(r.key) % uint64_t(partitions)); }

std::vector<std::pair<int, size_t>> ShuffledPartitionOrder(const std::vector<GeneratedRecord>& records, int partitions,
                                                           uint32_t seed) {
  std::vector<std::vector<size_t>> queues(size_t(std::max(partitions, 1)));
  for (size_t i = 0; i < records.size(); ++i) queues[size_t(PartitionOf(records[i], int(queues.size())))].push_back(i);
  std::mt19937 rng(seed);
  std::vector<size_t> at(queues.size());
  std::vector<std::pair<int, size_t>> order;
  order.reserve(records.size());
  while (order.size() < records.size()) {
    const size_t p = rng() % queues.size();
    for (size_t take = 1 + rng() % 500; take > 0 && at[p] < queues[p].size(); --take) {
      order.emplace_back(int(p), queues[p][at[p]++]);
    }
  }
  return order;
}

}  // namespace centinela::gen
