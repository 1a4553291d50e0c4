// Stage 3 of the demo: the broadcaster at work on simulated bearers. A promotion runs; a CAP 1.2
// flood warning of the town's own arrives, is approved by a second operator and pre-empts it.
#include <algorithm>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <ostream>
#include <thread>

#include "broadcaster/cap/cap.h"
#include "broadcaster/cap/cap_alert.h"
#include "broadcaster/demo/demo.h"
#include "broadcaster/engine/environment.h"
#include "broadcaster/engine/jobs.h"
#include "broadcaster/engine/senders.h"
#include "broadcaster/engine/shops.h"
#include "broadcaster/engine/wake_channel.h"
#include "common/base/clock.h"
#include "common/config/config.h"
#include "common/crypto/key_files.h"
#include "policies/policy_config.h"

extern char** environ;

namespace tocsin::demo {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// What a helper has written so far ("" before it has written anything).
std::string slurp(const std::string& path) {
  auto text = readWholeFile(path);
  return text.ok() ? *text : std::string();
}

// A program the demo runs next to itself (a simulator, the broadcaster), its output in a file,
// stopped by its PID (SIGTERM, then SIGKILL after five seconds).
class Helper {
 public:
  static Result<std::unique_ptr<Helper>> start(const std::vector<std::string>& argv, const std::string& output) {
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0640);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0].c_str(), &files, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) return Status::ioError("cannot start " + argv[0] + ": " + std::strerror(rc));
    return std::unique_ptr<Helper>(new Helper(pid, output));
  }
  ~Helper() { stop(); }

  // Waits for a line containing `needle` in its output; returns that line.
  std::optional<std::string> waitFor(const std::string& needle, Steady::duration timeout) const {
    const auto end = Steady::now() + timeout;
    do {
      const std::string text = slurp(output_);
      if (auto at = text.find(needle); at != std::string::npos) {
        const auto begin = text.rfind('\n', at);
        const auto stop = text.find('\n', at);
        return text.substr(begin == std::string::npos ? 0 : begin + 1,
                           (stop == std::string::npos ? text.size() : stop) - (begin == std::string::npos ? 0 : begin + 1));
      }
      std::this_thread::sleep_for(milliseconds(20));
    } while (Steady::now() < end);
    return std::nullopt;
  }

  // Returns the exit status, or -signal.
  int stop() {
    if (pid_ <= 0) return status_;
    ::kill(pid_, SIGTERM);
    int st = 0;
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        return status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
      }
      std::this_thread::sleep_for(milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
    return status_ = -SIGKILL;
  }

 private:
  Helper(pid_t pid, std::string output) : pid_(pid), output_(std::move(output)) {}
  pid_t pid_;
  std::string output_;
  int status_ = 0;
};

std::string capTime(Timestamp t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&s, &tm);
  char b[40];
  std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S-00:00", &tm);
  return b;
}

// The town's flood warning as its warning system would send it: CAP 1.2, French and English,
// the area given by the town's zone code (geocode ZONE). Times are filled in at run time.
std::string floodWarning(Timestamp now) {
  return R"(<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>SAINT-TOCSIN-CRUE-)" + std::to_string(toMicros(now) / 1000000) + R"(</identifier>
  <sender>securite-civile@saint-tocsin.example</sender>
  <sent>)" + capTime(now) + R"(</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>fr-FR</language>
    <category>Met</category>
    <event>Crue de la Loire</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>)" + capTime(now + std::chrono::hours(6)) + R"(</expires>
    <senderName>Ville de Saint-Tocsin</senderName>
    <headline>Crue de la Loire: quartier Riverside</headline>
    <instruction>Quittez les bords de Loire avant 18h et rejoignez le gymnase Jean-Moulin. Ne prenez pas les quais en voiture.</instruction>
    <area>
      <areaDesc>Riverside</areaDesc>
      <geocode><valueName>ZONE</valueName><value>RIVERSIDE</value></geocode>
    </area>
  </info>
  <info>
    <language>en-GB</language>
    <category>Met</category>
    <event>Loire flood</event>
    <urgency>Immediate</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>)" + capTime(now + std::chrono::hours(6)) + R"(</expires>
    <senderName>Town of Saint-Tocsin</senderName>
    <headline>Loire flood: Riverside district</headline>
    <instruction>Leave the riverbanks before 6 pm and go to the Jean-Moulin gym. Do not drive along the quays.</instruction>
    <area>
      <areaDesc>Riverside</areaDesc>
      <geocode><valueName>ZONE</valueName><value>RIVERSIDE</value></geocode>
    </area>
  </info>
</alert>
)";
}

struct Progress {
  int64_t queued = 0, sent = 0, delivered = 0, refused = 0, failed = 0, total = 0;
  std::string state;
};

Progress progressOf(Store& store, JobId job) {
  Progress p;
  (void)store.read([&](StoreTx& tx) {
    const JobProgress jp = tx.jobs().progress(job);
    p.queued = jp.count(MessageState::kQueued) + jp.count(MessageState::kWaiting) + jp.count(MessageState::kSubmitted);
    p.sent = jp.count(MessageState::kSent) + jp.count(MessageState::kDelivered);
    p.delivered = jp.count(MessageState::kDelivered);
    p.refused = jp.count(MessageState::kRefused);
    p.failed = jp.count(MessageState::kFailed) + jp.count(MessageState::kExpired);
    p.total = jp.total();
    if (auto j = tx.jobs().status(job)) p.state = jobStateName(j->state);
    return Status::okStatus();
  });
  return p;
}

std::vector<std::pair<Timestamp, std::string>> promotionEvents(Store& store) {
  std::vector<std::pair<Timestamp, std::string>> out;
  (void)store.read([&](StoreTx& tx) {
    tx.audit().forEach([&](const AuditEntry& e) {
      if (e.action == "promotions.pause" || e.action == "promotions.resume") out.emplace_back(e.recordedAt, e.action);
    });
    return Status::okStatus();
  });
  return out;
}

double secondsBetween(Timestamp a, Timestamp b) { return std::chrono::duration<double>(b - a).count(); }

std::string fixed(double v, int decimals = 1) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

}  // namespace

Status runBroadcast(const std::string& dir, const std::string& binDir, std::ostream& out) {
  const std::string db = dir + "/tocsin.db";
  // The bearers: one carrier SMSC over SMPP (answers each submit after 100 ms; receipts after
  // 400 ms) and two GSM modems on pseudo-terminals (a second per SMS), kept for alerts.
  TOCSIN_ASSIGN_OR_RETURN(auto smsc, Helper::start({binDir + "/tocsin-smsc-sim", "--listen", "127.0.0.1:0", "--account",
                                                     "sttocsin:demo1234", "--latency-ms", "100", "--dlr-delay-ms",
                                                     "400", "--report", "summary"},
                                                    dir + "/smsc-sim.log"));
  const auto listening = smsc->waitFor("\"port\":", seconds(10));
  if (!listening) return Status::unavailable("tocsin-smsc-sim did not start; see " + dir + "/smsc-sim.log");
  const size_t portAt = listening->find("\"port\":") + 7;
  const std::string port = listening->substr(portAt, listening->find_first_of(",}", portAt) - portAt);
  std::vector<std::unique_ptr<Helper>> modems;
  for (int i = 1; i <= 2; ++i) {
    const std::string n = std::to_string(i);
    TOCSIN_ASSIGN_OR_RETURN(auto m, Helper::start({binDir + "/tocsin-modem-sim", "--link", dir + "/ttyGSM" + n, "--delay-ms",
                                                   "1000", "--report-delay-ms", "1500", "--imei", "35000000000000" + n},
                                                  dir + "/modem-sim-" + n + ".log"));
    if (!m->waitFor("\"ready\"", seconds(10))) return Status::unavailable("tocsin-modem-sim did not start");
    modems.push_back(std::move(m));
  }
  out << "  simulated carrier SMSC: tocsin-smsc-sim, SMPP 3.4 on 127.0.0.1:" << port
      << " (100 ms per submit_sm, receipts after 400 ms)\n"
      << "  simulated modem bank: 2 x tocsin-modem-sim on pseudo-terminals " << dir << "/ttyGSM1, ttyGSM2 (1 s per SMS), "
      << "reserved for alerts\n";

  // The daemon's configuration. Promotional sending hours are opened around the clock here so
  // that the demo runs at any hour; without this the defaults apply (France: Monday to
  // Saturday 08:00-20:00, never on Sundays and public holidays).
  const std::string configPath = dir + "/broadcaster.json";
  {
    std::ofstream c(configPath);
    c << "{\n  \"store\": {\"path\": \"" << db << "\", \"keys_dir\": \"" << dir << "/keys\"},\n"
      << "  \"phone\": {\"default_region\": \"FR\"},\n"
      << "  \"bearers\": [\n"
      << "    {\"type\": \"smpp\", \"name\": \"carrier\", \"host\": \"127.0.0.1\", \"port\": " << port
      << ", \"system_id\": \"sttocsin\", \"password\": \"demo1234\", \"window\": 4, \"outstanding\": 4, "
      << "\"default_sender\": \"StTocsin\"},\n"
      << "    {\"type\": \"modem_bank\", \"name\": \"modems\", \"carries\": \"alerts\", \"modems\": [\n"
      << "      {\"name\": \"gsm1\", \"device\": \"" << dir << "/ttyGSM1\", \"send_timeout\": \"20s\", \"poll_interval\": \"5s\"},\n"
      << "      {\"name\": \"gsm2\", \"device\": \"" << dir << "/ttyGSM2\", \"send_timeout\": \"20s\", \"poll_interval\": \"5s\"}]}\n"
      << "  ],\n"
      << "  \"policies\": {\"sending_hours\": {\"FR\": {\"time_zone\": \"Europe/Paris\", \"windows\": {\"mon-sun\": "
      << "\"00:00-24:00\"}, \"closed_on_holidays\": false}}},\n"
      << "  \"broadcaster\": {\"progress_interval\": \"5s\", \"drain\": \"5s\"}\n}\n";
  }
  out << "  configuration: " << configPath << " (promotional hours opened around the clock for the demo only)\n";
  TOCSIN_ASSIGN_OR_RETURN(auto broadcaster, Helper::start({binDir + "/tocsin-broadcaster", "--config", configPath, "--log",
                                                            "text"},
                                                           dir + "/broadcaster.log"));
  if (!broadcaster->waitFor("broadcaster.start", seconds(15)))
    return Status::unavailable("tocsin-broadcaster did not start: " + slurp(dir + "/broadcaster.log"));
  out << "  tocsin-broadcaster started; its log: " << dir << "/broadcaster.log\n\n";

  // The people at the desks, with the real clock from here on.
  SystemClock wall;
  TOCSIN_ASSIGN_OR_RETURN(const Config config, engine::loadConfiguration(configPath, db));
  TOCSIN_ASSIGN_OR_RETURN(auto env, engine::Environment::open(config, wall));
  // Each change wakes the broadcaster at once, as tocsinctl's do.
  auto store = std::make_unique<engine::NotifyingStore>(std::move(env->store), [db] { engine::notifyStoreChanged(db); });
  const engine::JobService jobs(*env->audit, env->policies, wall, env->bearers, env->shops);
  const engine::ShopService shops(*env->audit, *env->phones, env->policies, env->bearers, env->shops);

  // The town's admin registers the bakery as a customer with 800 SMS parts and an alert under
  // 500; the owner's mobile gets the activation code by SMS and the owner types it.
  engine::ShopRequest bakery;
  bakery.id = kShop;
  bakery.name = "Boulangerie Martin";
  bakery.country = "FR";
  bakery.ownerPhone = "06 12 34 00 99";
  bakery.senders = {"MARTIN"};
  bakery.credits = 800;
  bakery.lowBalance = 500;
  TOCSIN_RETURN_IF_ERROR(shops.create(*store, bakery, "person:admin via cli:root").status());
  std::string code;
  TOCSIN_RETURN_IF_ERROR(store->read([&](StoreTx& tx) {
    for (const Job& j : tx.jobs().recent(JobKind::kTransactional, 0, 5))
      if (j.title == std::string("activation code of shop ") + kShop && !j.texts.empty()) {
        const std::string& text = j.texts.front().second;
        for (size_t i = 0; i + 6 <= text.size() && code.empty(); ++i)
          if (std::all_of(text.begin() + static_cast<std::ptrdiff_t>(i), text.begin() + static_cast<std::ptrdiff_t>(i + 6),
                          [](char c) { return c >= '0' && c <= '9'; }))
            code = text.substr(i, 6);
      }
    return Status::okStatus();
  }));
  TOCSIN_RETURN_IF_ERROR(shops.activate(*store, kShop, code).status());
  out << "  the admin registers Boulangerie Martin (800 SMS parts, low-balance alert under 500); its owner types the\n"
      << "  code the SMS brought (" << code << ") and the shop is active\n";
  // The town's admin approved the bakery's sender ID; it never sends under the town's.
  TOCSIN_RETURN_IF_ERROR(engine::approveSender(*store, *env->audit, "person:admin via cli:root",
                                               engine::reservedSenders(env->bearers, env->policies), kShop, "MARTIN"));
  engine::CampaignRequest promo;
  promo.shop = kShop;
  promo.title = "Galette des rois";
  promo.texts = {{"fr", "Bonjour {name|à tous}, la galette des rois est arrivée chez Martin: -20% ce week-end."},
                 {"en", "Hello {name|there}, king cake has arrived at Martin's: 20% off this weekend."}};
  promo.target.all = true;
  TOCSIN_ASSIGN_OR_RETURN(const JobId campaign, jobs.createCampaign(*store, promo, "shop:boulangerie-martin"));
  int64_t reserved = 0, balance = 0;
  TOCSIN_RETURN_IF_ERROR(store->read([&](StoreTx& tx) {
    if (auto c = tx.shops().findJobCredit(campaign)) reserved = c->reserved;
    if (auto b = tx.shops().findShop(kShop)) balance = b->balance;
    return Status::okStatus();
  }));
  out << "  the bakery starts a promotion (campaign " << campaign
      << "), to everyone with a confirmed consent for its offers, with the STOP footer;\n"
      << "  " << reserved << " parts reserved from its credits, " << balance << " left"
      << (balance < 500 ? ": under 500, so its owner gets a low-balance SMS" : "") << "\n";

  const auto start = Steady::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Steady::now() - start).count(); };
  auto line = [&](const Progress& p, const Progress* a, bool paused) {
    out << "  " << fixed(elapsed()) << " s   promotion " << p.sent << "/" << (p.total - p.refused) << " sent"
        << (paused ? " (paused)" : "") << (p.state == "done" ? " (done)" : "");
    if (a) out << "   |   alert " << a->sent << "/" << (a->total - a->refused) << " sent, " << a->delivered << " delivered"
               << (a->state == "done" ? " (all sent)" : "");
    out << "\n";
    out.flush();
  };
  // Let the promotion run for a moment.
  while (progressOf(*store, campaign).sent < 40) {
    if (elapsed() > 60) return Status::unavailable("the promotion did not start; see " + dir + "/broadcaster.log");
    std::this_thread::sleep_for(milliseconds(500));
    line(progressOf(*store, campaign), nullptr, false);
  }

  // The flood warning arrives from the warning system as CAP 1.2.
  const std::string capPath = dir + "/flood-warning.cap.xml";
  const std::string xml = floodWarning(wall.now());
  std::ofstream(capPath) << xml;
  TOCSIN_ASSIGN_OR_RETURN(const cap::Alert capAlert, cap::parse(xml));
  TOCSIN_ASSIGN_OR_RETURN(const cap::AlertDraft draft, cap::draftFromCap(capAlert, wall.now()));
  engine::AlertRequest request;
  TOCSIN_RETURN_IF_ERROR(store->read([&](StoreTx& tx) {
    request = cap::alertRequest(capAlert, draft, tx);
    return Status::okStatus();
  }));
  TOCSIN_ASSIGN_OR_RETURN(const JobId alert, jobs.draftAlert(*store, request, "person:claire via cli:claire"));
  out << "\n  CAP 1.2 flood warning received (" << capPath << "): " << className(draft.messageClass) << " ("
      << draft.classReason << "), zone RIVERSIDE\n"
      << "  operator Claire drafts alert " << alert << " from it";
  if (Status self = jobs.approve(*store, alert, "person:claire via cli:claire"); !self.ok())
    out << "; she cannot release it herself: " << self.message() << "\n";
  TOCSIN_RETURN_IF_ERROR(jobs.approve(*store, alert, "person:marc via api:marc-tablet"));
  const Timestamp approvedAt = wall.now();
  const auto approved = Steady::now();
  out << "  operator Marc approves it: the broadcaster sends it now\n\n";

  std::optional<double> allSent;
  while (true) {
    std::this_thread::sleep_for(milliseconds(500));
    const Progress a = progressOf(*store, alert), p = progressOf(*store, campaign);
    const auto events = promotionEvents(*store);
    const bool paused = !events.empty() && events.back().second == "promotions.pause";
    line(p, &a, paused);
    if (a.state == "done" && !allSent) allSent = std::chrono::duration<double>(Steady::now() - approved).count();
    const bool receiptsIn = a.delivered + a.failed >= a.total - a.refused;
    if (a.state == "done" && p.state == "done" && receiptsIn) break;
    if (elapsed() > 300) return Status::unavailable("the broadcast did not finish in 5 minutes; see " + dir + "/broadcaster.log");
  }

  // The summary, from the store.
  const Progress a = progressOf(*store, alert), p = progressOf(*store, campaign);
  std::map<std::string, int64_t> byBearer;
  (void)store->read([&](StoreTx& tx) {
    for (auto state : {MessageState::kSent, MessageState::kDelivered})
      for (const auto& m : tx.messages().ofJob(alert, state, 0, 1'000'000)) ++byBearer[m.bearer.value_or("?")];
    return Status::okStatus();
  });
  const auto events = promotionEvents(*store);
  std::optional<Timestamp> pausedAt, resumedAt;
  for (const auto& [t, e] : events) {
    if (e == "promotions.pause" && !pausedAt && t >= approvedAt - seconds(1)) pausedAt = t;
    if (e == "promotions.resume" && pausedAt && !resumedAt) resumedAt = t;
  }
  out << "\nSummary\n"
      << "  alert " << alert << " (" << draft.title << "): sent to " << a.sent << " recipients in zone RIVERSIDE, all of "
      << "them within " << fixed(allSent.value_or(0)) << " s of the approval; " << a.delivered
      << " delivery receipts; " << a.failed << " failed; " << a.refused << " refused (opted out)\n"
      << "    carried by:";
  for (const auto& [bearer, n] : byBearer) out << " " << bearer << " " << n;
  out << "\n  promotion " << campaign << ": ";
  if (pausedAt && resumedAt)
    out << "paused " << (secondsBetween(approvedAt, *pausedAt) < 0.01 ? std::string("at once")
                                                                       : fixed(secondsBetween(approvedAt, *pausedAt), 2) + " s")
        << " on every bearer when the alert was approved, resumed by itself " << fixed(secondsBetween(*pausedAt, *resumedAt))
        << " s later once the alert was out; ";
  else
    out << "(no pause recorded) ";
  out << p.sent << " sent, each with the STOP footer; " << p.refused
      << " not sent (consent pending or withdrawn: each refusal is stored with its reason)\n";
  // The daemon settles a finished campaign's credits within seconds.
  std::optional<JobCredit> credit;
  Shop shopNow;
  for (int i = 0; i < 40; ++i) {
    (void)store->read([&](StoreTx& tx) {
      credit = tx.shops().findJobCredit(campaign);
      if (auto b = tx.shops().findShop(kShop)) shopNow = *b;
      return Status::okStatus();
    });
    if (credit && credit->final) break;
    std::this_thread::sleep_for(milliseconds(250));
  }
  if (credit)
    out << "  credits: " << credit->charged << " parts charged for what was sent, " << credit->refunded
        << " refunded (refused or failed); the bakery's balance is " << shopNow.balance << " parts\n";
  const int status = broadcaster->stop();
  out << "  tocsin-broadcaster stopped on SIGTERM (exit " << status << ") after draining what the bearers held\n";
  for (auto& m : modems) m->stop();
  smsc->stop();
  return Status::okStatus();
}

}  // namespace tocsin::demo
