// tocsinctl alert ..., campaign ..., status: putting work into the store for the broadcaster and
// watching it go out.
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <charconv>
#include <cstdlib>
#include <iomanip>
#include <ostream>
#include <set>
#include <sstream>

#include "broadcaster/cap/cap_alert.h"
#include "broadcaster/cli/cli.h"
#include "broadcaster/engine/broadcaster_lock.h"
#include "common/base/text.h"
#include "common/crypto/key_files.h"
#include "policies/targeting.h"

namespace tocsin::cli {
namespace {

// "fr:Crue de la Loire" -> ("fr", "Crue de la Loire").
Texts parseTextOptions(const Args& args) {
  Texts texts;
  for (const auto& v : args.getAll("text")) {
    const auto colon = v.find(':');
    const std::string lang = colon == std::string::npos ? "" : v.substr(0, colon);
    const bool ok = lang.size() >= 2 && lang.size() <= 3 &&
                    std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    if (!ok) throw UsageError("--text is LANGUAGE:TEXT, e.g. --text 'fr:Crue de la Loire, quittez les berges'");
    texts.emplace_back(lang, v.substr(colon + 1));
  }
  if (texts.empty()) throw UsageError("give at least one --text LANGUAGE:TEXT");
  return texts;
}

Target parseTargetOptions(const Args& args) {
  Target t;
  t.all = args.flag("all");
  t.zones = args.getAll("zone");
  for (const auto& c : args.getAll("circle")) {
    auto circle = policy::parseCapCircle(c);
    if (!circle.ok()) throw UsageError("--circle: " + circle.status().message());
    t.circles.push_back(*circle);
  }
  for (const auto& p : args.getAll("polygon")) {
    auto poly = policy::parseCapPolygon(p);
    if (!poly.ok()) throw UsageError("--polygon: " + poly.status().message());
    t.polygons.push_back(*poly);
  }
  if (t.empty()) throw UsageError("give the target: --zone Z (repeatable), --circle 'lat,lon km', --polygon '...' or --all");
  return t;
}

std::optional<Timestamp> timeOption(CliContext& ctx, const Args& args, const std::string& name) {
  auto v = args.get(name);
  if (!v) return std::nullopt;
  if (auto d = parseDuration(*v); d.ok()) return ctx.clock.now() + *d;  // "2h": from now
  auto t = parseTimestamp(*v);
  if (!t.ok()) throw UsageError("--" + name + " is a duration from now (2h) or a time (2026-11-22T18:00:00+01:00)");
  return *t;
}

void printPreview(CliContext& ctx, const engine::JobService& jobs, const Texts& texts, int maxParts, bool footer) {
  auto preview = jobs.previewTexts(texts, maxParts, footer);
  if (!preview.ok()) return;
  for (const auto& p : *preview)
    ctx.out << "  " << p.language << " (" << p.encoding << ", " << p.parts << (p.parts == 1 ? " part" : " parts")
            << "): " << p.text << "\n";
}

Status alertSend(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"title"}, {"text"}, {"zone"}, {"all", false}, {"circle"}, {"polygon"}, {"class"}, {"mode"},
                     {"expires"}, {"bearer"}, {"sender"}});
  args.expectPositionals(0, 0, "alert send --title T --text LANG:TEXT... --zone Z... --class C [--mode test|exercise]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  engine::AlertRequest r;
  r.title = args.require("title");
  r.texts = parseTextOptions(args);
  r.target = parseTargetOptions(args);
  const auto mode = parseMode(args.getOr("mode", "live"));
  if (!mode) throw UsageError("--mode is live, test or exercise");
  r.mode = *mode;
  const auto cls = parseClass(args.getOr("class", r.mode == AlertMode::kLive ? "" : "test"));
  if (!cls) throw UsageError("--class is national, extreme, severe, amber, public_safety or test");
  r.messageClass = *cls;
  r.classReason = "set by the operator";
  r.expiresAt = timeOption(ctx, args, "expires");
  r.bearers = args.getAll("bearer");
  r.sender = args.get("sender");
  TOCSIN_ASSIGN_OR_RETURN(const JobId id, jobs->draftAlert(*e->store, r, ctx.actor()));
  ctx.out << "alert " << id << " drafted: " << className(r.messageClass) << " " << modeName(r.mode) << ", to "
          << policy::describeTarget(r.target) << "\n";
  printPreview(ctx, *jobs, r.texts, e->policies.maxAlertParts, false);
  if (r.mode != AlertMode::kLive) {
    TOCSIN_RETURN_IF_ERROR(jobs->approve(*e->store, id, ctx.actor()));
    ctx.out << "released (a " << modeName(r.mode) << " alert needs no second person)\n";
  } else {
    ctx.out << "a live alert needs a second person: another operator reviews it with  tocsinctl alert show " << id
            << "  and approves the digest it prints\n";
  }
  return Status::okStatus();
}

Status alertCap(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"zone-geocode"}, {"bearer"}});
  args.expectPositionals(1, 1, "alert cap FILE.xml [--zone-geocode NAME]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  TOCSIN_ASSIGN_OR_RETURN(const std::string xml, readWholeFile(args.positionals()[0]));
  TOCSIN_ASSIGN_OR_RETURN(const cap::Alert alert, cap::parse(xml));
  cap::Mapping mapping;
  if (auto g = args.getAll("zone-geocode"); !g.empty()) mapping.zoneGeocodes = g;
  TOCSIN_ASSIGN_OR_RETURN(const cap::AlertDraft d, cap::draftFromCap(alert, ctx.clock.now(), mapping));
  engine::AlertRequest r;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    r = cap::alertRequest(alert, d, tx);
    return Status::okStatus();
  }));
  r.bearers = args.getAll("bearer");
  TOCSIN_ASSIGN_OR_RETURN(const JobId id, jobs->draftAlert(*e->store, r, ctx.actor()));
  ctx.out << "alert " << id << " drafted from CAP " << alert.identifier << ": " << className(d.messageClass) << " "
          << modeName(d.mode) << ", to " << policy::describeTarget(d.target) << "\n  class: " << d.classReason << "\n";
  if (r.reference) ctx.out << "  updates alert " << *r.reference << "\n";
  for (const auto& w : d.warnings) ctx.out << "  warning: " << w << "\n";
  printPreview(ctx, *jobs, d.texts, e->policies.maxAlertParts, false);
  ctx.out << "release it: another operator reviews it with  tocsinctl alert show " << id << "  and approves the digest it prints\n";
  return Status::okStatus();
}

JobId jobIdArgument(const std::string& s) {
  JobId id = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size() || id <= 0) throw UsageError("'" + printable(s) + "' is not a job number");
  return id;
}

// What an approver reviews: the alert as it will leave, and the digest that binds approval to it.
Status alertShow(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, "alert show ID");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  const JobId id = jobIdArgument(args.positionals()[0]);
  std::optional<Job> job;
  TOCSIN_RETURN_IF_ERROR(e->store->read([&](StoreTx& tx) {
    job = tx.jobs().find(id);
    return Status::okStatus();
  }));
  if (!job || job->kind != JobKind::kAlert) return Status::notFound("no alert " + std::to_string(id));
  ctx.out << "alert " << id << "  " << jobStateName(job->state) << "  " << className(job->messageClass) << " "
          << modeName(job->mode) << "  \"" << printable(job->title) << "\"\n  to " << policy::describeTarget(job->target) << "\n";
  printPreview(ctx, *jobs, job->texts, e->policies.maxAlertParts, false);
  ctx.out << "  drafted by " << printable(job->createdBy)
          << (job->approvedBy ? ", approved by " + printable(*job->approvedBy) : "") << "\n";
  ctx.out << "  digest " << engine::alertDigest(*job) << "\n";
  return Status::okStatus();
}

Status alertApprove(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"digest"}});
  args.expectPositionals(1, 1, "alert approve ID --digest DIGEST (from alert show)");
  const std::string digest = args.require("digest");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  const JobId id = jobIdArgument(args.positionals()[0]);
  TOCSIN_RETURN_IF_ERROR(jobs->approve(*e->store, id, ctx.actor(), digest));
  ctx.out << "alert " << id << " approved by " << ctx.actor() << ": the broadcaster sends it now\n";
  return Status::okStatus();
}

Status jobCancel(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"reason"}});
  args.expectPositionals(1, 1, "alert|campaign cancel ID --reason R");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  const JobId id = jobIdArgument(args.positionals()[0]);
  TOCSIN_RETURN_IF_ERROR(jobs->cancel(*e->store, id, ctx.actor(), args.require("reason")));
  ctx.out << "job " << id << " cancelled; messages already sent cannot be recalled\n";
  return Status::okStatus();
}

Status campaignSend(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"shop"}, {"title"}, {"text"}, {"zone"}, {"all", false}, {"circle"}, {"polygon"}, {"sender"},
                     {"at"}, {"deadline"}, {"bearer"}});
  args.expectPositionals(0, 0, "campaign send --shop S --title T --text LANG:TEXT... (--zone Z|--all) [--sender ID] [--at T] [--deadline T]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  engine::CampaignRequest r;
  r.shop = args.require("shop");
  r.title = args.require("title");
  r.texts = parseTextOptions(args);
  r.target = parseTargetOptions(args);
  r.sender = args.get("sender");
  r.notBefore = timeOption(ctx, args, "at");
  r.deadline = timeOption(ctx, args, "deadline");
  r.bearers = args.getAll("bearer");
  TOCSIN_ASSIGN_OR_RETURN(const JobId id, jobs->createCampaign(*e->store, r, ctx.actor()));
  ctx.out << "campaign " << id << " created for promotions:" << r.shop << ", to " << policy::describeTarget(r.target)
          << " (only contacts with confirmed consent; sending hours apply)\n";
  printPreview(ctx, *jobs, r.texts, e->policies.maxPromotionalParts, true);
  return Status::okStatus();
}

Status campaignPause(CliContext& ctx, const std::vector<std::string>& tokens, bool pause) {
  Args args(tokens, {});
  args.expectPositionals(1, 1, pause ? "campaign pause ID" : "campaign resume ID");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  TOCSIN_ASSIGN_OR_RETURN(const engine::JobService* jobs, ctx.jobs());
  const JobId id = jobIdArgument(args.positionals()[0]);
  TOCSIN_RETURN_IF_ERROR(pause ? jobs->pause(*e->store, id, ctx.actor()) : jobs->resume(*e->store, id, ctx.actor()));
  ctx.out << "campaign " << id << (pause ? " paused" : " resumed") << "\n";
  return Status::okStatus();
}

// ---- status ----

std::string field(const std::string& json, const std::string& key) {
  try {
    auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    return o->has(key) ? o->get(key).convert<std::string>() : "";
  } catch (const Poco::Exception&) {
    return "";
  }
}

std::string bar(double fraction, int width) {
  const int filled = static_cast<int>(fraction * width + 0.5);
  return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '-') + "]";
}

// `now`: the store's time (its server's clock on PostgreSQL), in which the nodes stamp their reports.
void printBroadcaster(CliContext& ctx, const std::string& storePath,
                      const std::map<std::string, std::pair<std::string, Timestamp>>& runtime, Timestamp now) {
  const auto presence = engine::broadcasterPresence(storePath);
  auto describe = [&](const std::pair<std::string, Timestamp>& b, bool running) {
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - b.second).count();
    const std::string version = field(b.first, "version");
    ctx.out << " (version " << (version.empty() ? "unknown" : version) << ", pid " << field(b.first, "pid")
            << ", last change " << age << " s ago)"
            << (running && field(b.first, "promotions_paused") == "true" ? ", promotions paused for an alert" : "");
  };
  ctx.out << "broadcaster  " << engine::presenceName(presence);
  const auto node = runtime.lower_bound("broadcaster@");
  const bool nodes = node != runtime.end() && node->first.rfind("broadcaster@", 0) == 0;
  if (auto b = runtime.find("broadcaster"); b != runtime.end()) {
    describe(b->second, presence == engine::BroadcasterPresence::kRunning);
  } else if (nodes) {
    ctx.out << " on this machine";
  } else {
    ctx.out << " (it has never run on this store)";
  }
  // Several nodes on one store (PostgreSQL): what each last said, and how long ago. A node
  // reports every third of its lease; one not heard from for a whole lease is stopped or cut off
  // from the store, and what it held is sent again by the others.
  std::set<std::string> silent;
  for (auto it = node; it != runtime.end() && it->first.rfind("broadcaster@", 0) == 0; ++it) {
    const std::string name = it->first.substr(12);
    ctx.out << "\n  node " << name;
    describe(it->second, true);
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.second).count();
    const std::string every = field(it->second.first, "reports_every_ms");
    int64_t everyMs = 0;
    const bool known = std::from_chars(every.data(), every.data() + every.size(), everyMs).ec == std::errc() && everyMs > 0;
    // A clock that is off does not upset the leases (they use the database's), but it shows in logs.
    const std::string offset = field(it->second.first, "clock_offset_ms");
    int64_t offsetMs = 0;
    if (std::from_chars(offset.data(), offset.data() + offset.size(), offsetMs).ec == std::errc() &&
        (offsetMs >= 1000 || offsetMs <= -1000))
      ctx.out << "\n    its clock is " << std::abs(offsetMs) / 1000 << " s " << (offsetMs > 0 ? "behind" : "ahead of")
              << " the database's (leases use the database's; set up NTP)";
    if (known && age > 3 * everyMs) {
      silent.insert(name);
      ctx.out << "\n    SILENT: not heard from for " << age / 1000
              << " s; it is stopped or cut off from the store (what it held is sent again by the other nodes)";
    }
  }
  ctx.out << "\n";
  for (const auto& [key, value] : runtime) {
    if (key.rfind("bearer:", 0) != 0) continue;
    const std::string& v = value.first;
    const auto at = key.rfind('@');
    const bool stale = at != std::string::npos && silent.count(key.substr(at + 1));
    ctx.out << "  " << std::left << std::setw(13) << key.substr(7) << " " << std::setw(9) << field(v, "state")
            << "outstanding " << field(v, "outstanding") << "/" << field(v, "limit") << "  accepted "
            << field(v, "accepted") << "  failed " << field(v, "failed") << "  " << field(v, "detail")
            << (stale ? "  (as last reported by a silent node)" : "") << "\n";
  }
}

void printJob(CliContext& ctx, const Job& j, const JobProgress& p) {
  const int64_t total = std::max<int64_t>(j.recipients, p.total());
  const int64_t sent = p.count(MessageState::kSent) + p.count(MessageState::kDelivered);
  const int64_t settled = sent + p.count(MessageState::kFailed) + p.count(MessageState::kExpired) +
                          p.count(MessageState::kCancelled) + p.count(MessageState::kRefused);
  ctx.out << "#" << j.id << " " << jobKindName(j.kind) << " " << className(j.messageClass)
          << (j.mode == AlertMode::kLive ? "" : std::string(" [") + modeName(j.mode) + "]") << " \"" << j.title << "\"  "
          << jobStateName(j.state) << "\n";
  ctx.out << "    " << bar(total ? static_cast<double>(settled) / static_cast<double>(total) : (j.state == JobState::kDone ? 1.0 : 0.0), 30)
          << " " << settled << "/" << total << "  queued " << p.count(MessageState::kQueued) << "  waiting "
          << p.count(MessageState::kWaiting) << "  submitted " << p.count(MessageState::kSubmitted) << "  sent " << sent
          << "  delivered " << p.count(MessageState::kDelivered) << "  failed " << p.count(MessageState::kFailed)
          << "  refused " << p.count(MessageState::kRefused) << "  expired " << p.count(MessageState::kExpired)
          << "  cancelled " << p.count(MessageState::kCancelled) << "\n";
}

Status printStatus(CliContext& ctx, Store& store, const std::string& storePath, std::optional<JobId> only, bool& done) {
  std::map<std::string, std::pair<std::string, Timestamp>> runtime;
  std::vector<std::pair<Job, JobProgress>> jobs;
  std::vector<KioskRecord> kiosks;
  Timestamp now = ctx.clock.now();
  TOCSIN_RETURN_IF_ERROR(store.read([&](StoreTx& tx) {
    runtime = tx.runtime().get("");
    if (auto server = tx.runtime().serverClock()) now = *server;
    kiosks = tx.tokens().listKiosks();
    if (only) {
      auto j = tx.jobs().find(*only);
      if (!j) return Status::notFound("no job " + std::to_string(*only));
      jobs.emplace_back(*j, tx.jobs().progress(*only));
      return Status::okStatus();
    }
    // The active jobs, oldest first, and the last few finished ones.
    auto active = tx.jobs().inStates({JobState::kDraft, JobState::kApproved, JobState::kExpanding, JobState::kSending,
                                      JobState::kPaused});
    std::reverse(active.begin(), active.end());
    for (const auto& j : active) jobs.emplace_back(j, tx.jobs().progress(j.id));
    for (const auto& j : tx.jobs().inStates({JobState::kDone, JobState::kCancelled}, 5))
      jobs.emplace_back(j, tx.jobs().progress(j.id));
    return Status::okStatus();
  }));
  printBroadcaster(ctx, storePath, runtime, now);
  for (const auto& k : kiosks) {
    if (k.revokedAt) continue;
    ctx.out << "kiosk " << k.id << " (" << k.shop << "): ";
    if (!k.pairedAt) {
      ctx.out << "waiting for pairing\n";
      continue;
    }
    if (k.lastSeen)
      ctx.out << "last contact " << formatUtc(*k.lastSeen) << ", version " << k.version.value_or("?") << ", "
              << k.waiting << " sign-ups waiting in its outbox\n";
    else
      ctx.out << "paired, no contact yet\n";
  }
  done = true;
  for (const auto& [j, p] : jobs) {
    if (!isFinished(j.state)) done = false;
    printJob(ctx, j, p);
  }
  if (jobs.empty()) ctx.out << "no jobs\n";
  return Status::okStatus();
}

Status status(CliContext& ctx, const std::vector<std::string>& tokens) {
  Args args(tokens, {{"watch", false}, {"job"}, {"until-done", false}, {"interval"}});
  args.expectPositionals(0, 0, "status [--job ID] [--watch [--until-done]]");
  TOCSIN_ASSIGN_OR_RETURN(Environment * e, ctx.env());
  std::optional<JobId> job;
  if (auto j = args.getInt("job", 1, INT64_MAX)) job = *j;
  const bool watch = args.flag("watch");
  const auto interval = std::chrono::milliseconds(args.getInt("interval", 100, 60000).value_or(1000));
  const bool tty = ::isatty(STDOUT_FILENO) && &ctx.out == &std::cout;
  Interrupt never;
  while (true) {
    bool done = false;
    std::ostringstream frame;
    CliContext view({}, frame, ctx.err, ctx.clock);
    TOCSIN_RETURN_IF_ERROR(printStatus(view, *e->store, e->config.store.path, job, done));
    if (tty && watch) ctx.out << "\x1b[H\x1b[2J";  // a fresh screen per frame on a terminal
    ctx.out << frame.str() << std::flush;
    if (!watch || (args.flag("until-done") && done)) break;
    if (!tty) ctx.out << "\n";
    ctx.clock.sleepFor(interval, never);
  }
  return Status::okStatus();
}

}  // namespace

const std::vector<Command>& jobCommands() {
  static const std::vector<Command> kCommands = {
      {"alert send", "alert send --title T --text LANG:TEXT... --zone Z... --class C [--mode test|exercise]",
       "draft an alert (a live one needs another operator's approval)", alertSend},
      {"alert cap", "alert cap FILE.xml", "draft an alert from a CAP 1.2 document", alertCap},
      {"alert show", "alert show ID", "an alert as it will leave, and the digest its approver approves", alertShow},
      {"alert approve", "alert approve ID --digest D", "release another person's alert, as reviewed with alert show", alertApprove},
      {"alert cancel", "alert cancel ID --reason R", "stop an alert's messages not yet sent", jobCancel},
      {"campaign send", "campaign send --shop S --title T --text LANG:TEXT... (--zone Z|--all)",
       "a promotional campaign to consenting contacts", campaignSend},
      {"campaign pause", "campaign pause ID", "hold a campaign's messages",
       [](CliContext& c, const std::vector<std::string>& t) { return campaignPause(c, t, true); }},
      {"campaign resume", "campaign resume ID", "resume a paused campaign",
       [](CliContext& c, const std::vector<std::string>& t) { return campaignPause(c, t, false); }},
      {"campaign cancel", "campaign cancel ID --reason R", "stop a campaign", jobCancel},
      {"status", "status [--job ID] [--watch [--until-done]]", "the broadcaster, its bearers and jobs, live", status},
  };
  return kCommands;
}

}  // namespace tocsin::cli
