// tocsin-broadcaster: the daemon that sends what the store holds through the configured bearers.
//
//   tocsin-broadcaster [--db PATH] [--config FILE] [--listen HOST:PORT] [--log json|text]
//                      [--daemon] [--pidfile FILE]
//
// With --listen or an "api" section in the configuration it also serves the operator API
// (broadcaster/api/), HTTPS unless plain HTTP on loopback is configured; the "api.listen" log
// event gives its URL and certificate.
//
// It takes the store's broadcaster lock (one broadcaster per store), recovers what a previous
// run left in flight, connects its bearers and runs the dispatcher (engine/dispatcher.h), the
// webhook sender and the periodic retention sweep until SIGTERM or SIGINT; then stops claiming,
// waits for the bearers to answer what they hold (the "drain" setting), unbinds and exits 0.
// Logs go to stderr, one event per line (with its syslog priority when stderr is systemd's
// journal). Under systemd (Type=notify) it says when it is ready, keeps a status line, pings
// the watchdog while the dispatcher's loop is alive and says when it stops
// (service_manager.h). POCO's ServerApplication runs the process: options, --daemon and
// --pidfile, and the wait for a termination signal.
#include <pthread.h>
#include <unistd.h>

#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/daemon/service_manager.h"
#include "broadcaster/engine/broadcaster_lock.h"
#include "broadcaster/engine/dispatcher.h"
#include "broadcaster/engine/environment.h"
#include "broadcaster/engine/wake_channel.h"
#include "broadcaster/engine/webhooks.h"
#include "common/base/log.h"
#include "common/base/periodic.h"
#include "common/base/time_zones.h"
#include "common/base/version.h"
#include "common/privacy/retention.h"
#include "policies/retention.h"

namespace tocsin {
namespace {

// What main() starts, in the order it stops them backwards.
struct Running {
  std::unique_ptr<engine::BroadcasterLock> lock;
  std::unique_ptr<engine::Environment> env;
  engine::BroadcasterSettings settings;
  std::unique_ptr<TimeZones> zones;
  std::unique_ptr<Store> loopStore, sweepStore, hookStore;
  std::unique_ptr<engine::Dispatcher> dispatcher;
  std::vector<std::unique_ptr<Bearer>> bearers;  // stopped before the dispatcher they report to goes
  std::unique_ptr<RetentionSweeper> sweeper;
  std::unique_ptr<PeriodicTask> retention;
  std::unique_ptr<engine::ShopService> shopService;
  std::unique_ptr<Store> creditStore;
  std::unique_ptr<PeriodicTask> credits;
  std::unique_ptr<engine::HttpPoster> poster;
  std::unique_ptr<engine::WebhookSender> webhooks;
  std::unique_ptr<api::OperatorApi> api;
  std::unique_ptr<engine::WakeListener> wakeListener;
  std::unique_ptr<PeriodicTask> progress;
  std::unique_ptr<PeriodicTask> watchdog;
};

class BroadcasterApp final : public Poco::Util::ServerApplication {
 protected:
  void defineOptions(Poco::Util::OptionSet& options) override;
  void handleOption(const std::string& name, const std::string& value) override;
  int main(const std::vector<std::string>& args) override;

 private:
  // Exit status 2 and the reason, for a configuration or usage mistake; 1 otherwise.
  int fail(const std::string& event, const Status& st);
  Status open(Running& r);
  Status startDispatcher(Running& r);
  void startCompanions(Running& r);
  Status startApi(Running& r);
  void startWatchdog(Running& r);
  void stop(Running& r, std::atomic<bool>& stopping, std::thread& loop);

  std::optional<std::string> dbPath_, configPath_, listen_;
  std::string logFormat_ = ::isatty(STDERR_FILENO) ? "text" : "json";
  bool help_ = false;
  SystemClock clock_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<service::ServiceManager> manager_ = service::systemServiceManager();
};

void BroadcasterApp::defineOptions(Poco::Util::OptionSet& options) {
  ServerApplication::defineOptions(options);
  using Poco::Util::Option;
  options.addOption(Option("help", "h", "show the options and exit"));
  options.addOption(Option("db", "", "the store (default: the configuration's, else var/tocsin.db)").argument("PATH"));
  options.addOption(Option("config", "", "the configuration file").argument("FILE"));
  options.addOption(Option("listen", "", "serve the operator API on HOST:PORT").argument("HOST:PORT"));
  options.addOption(Option("log", "", "json (default when stderr is not a terminal) or text").argument("FORMAT"));
}

void BroadcasterApp::handleOption(const std::string& name, const std::string& value) {
  ServerApplication::handleOption(name, value);
  if (name == "help") {
    help_ = true;
    stopOptionsProcessing();
  } else if (name == "db") {
    dbPath_ = value;
  } else if (name == "config") {
    configPath_ = value;
  } else if (name == "listen") {
    listen_ = value;
  } else if (name == "log") {
    logFormat_ = value;
  }
}

int BroadcasterApp::fail(const std::string& event, const Status& st) {
  log_->error(event, {{"error", st.message()}});
  return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

Status BroadcasterApp::open(Running& r) {
  TOCSIN_ASSIGN_OR_RETURN(Config config, engine::loadConfiguration(configPath_, dbPath_));
  // Every setting is checked before the store is opened: a bad one leaves it untouched.
  TOCSIN_ASSIGN_OR_RETURN(r.settings, engine::parseBroadcasterSettings(config.document));
  TOCSIN_ASSIGN_OR_RETURN(r.lock, engine::BroadcasterLock::acquire(config.store.path, clock_));
  TOCSIN_ASSIGN_OR_RETURN(r.env, engine::Environment::open(config, clock_));
  r.env->audit->onAnchorTrouble([this](const std::string& problem) { log_->error("audit.anchor", {{"problem", problem}}); });
  if (!config.store.postgresql.empty() && r.settings.dispatcher.node.empty()) {
    // Several nodes may share the store: each holds its claims under a lease, in its name.
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0 || !*host)
      return Status::invalid("set \"broadcaster.node\": this machine's name cannot be read");
    r.settings.dispatcher.node = host;
  }
  if (r.env->bearers.empty())
    return Status::invalid("no bearers configured: add a \"bearers\" list to the configuration");
  r.zones = makeSystemTimeZones();
  // The dispatcher writes in a loop, so its connection lets operators' writes go first.
  SqliteOptions loopOptions;
  loopOptions.yieldToWriters = true;
  loopOptions.clock = &clock_;
  TOCSIN_ASSIGN_OR_RETURN(r.loopStore, r.env->connect(loopOptions));
  TOCSIN_ASSIGN_OR_RETURN(r.sweepStore, r.env->connect());
  TOCSIN_ASSIGN_OR_RETURN(r.hookStore, r.env->connect());
  TOCSIN_ASSIGN_OR_RETURN(r.creditStore, r.env->connect());
  return Status::okStatus();
}

Status BroadcasterApp::startDispatcher(Running& r) {
  engine::Environment& env = *r.env;
  r.dispatcher = std::make_unique<engine::Dispatcher>(*r.loopStore, *env.audit, env.policies, *r.zones, *env.suppressor,
                                                      *env.phones, clock_, r.settings.dispatcher);
  r.dispatcher->useShops(env.shops, env.bearers);
  std::string names;
  for (const auto& entry : env.bearers) {
    r.bearers.push_back(engine::makeBearer(entry, clock_));
    r.dispatcher->addBearer(*r.bearers.back(), entry.minRank, entry.outstanding);
    names += (names.empty() ? "" : ",") + entry.name;
  }
  r.dispatcher->setObserver([this](const std::string& event, const std::string& detail) {
    if (event == "store.error") log_->error(event, {{"detail", detail}});
    else log_->info(event, {{"detail", detail}});
  });
  TOCSIN_RETURN_IF_ERROR(r.dispatcher->start());
  log_->info("broadcaster.start", {{"pid", std::to_string(::getpid())}, {"version", tocsinVersion()},
                                   {"store", env.config.store.path},
                                   {"bearers", names}, {"recovered", std::to_string(r.dispatcher->stats().recovered)}});
  // Other processes' writes (tocsinctl) wake the loop at once.
  engine::Dispatcher* dispatcher = r.dispatcher.get();
  TOCSIN_ASSIGN_OR_RETURN(r.wakeListener, engine::WakeListener::open(env.config.store.path, [dispatcher] { dispatcher->wake(); }));
  return Status::okStatus();
}

void BroadcasterApp::startCompanions(Running& r) {
  engine::Environment& env = *r.env;
  // Retention runs on its own connection (a store connection serves one thread at a time).
  r.sweeper = std::make_unique<RetentionSweeper>(*r.sweepStore, *env.audit, *env.suppressor);
  r.retention = std::make_unique<PeriodicTask>(clock_, env.config.retention.sweepInterval, [this, &r] {
    auto report = r.sweeper->sweep(policy::retentionCutoffs(r.env->config.retention, clock_.now()));
    if (!report.ok()) log_->error("retention.sweep", {{"error", report.status().message()}});
  }, [this](const std::string& e) { log_->error("retention.sweep", {{"error", e}}); });
  r.retention->start();
  // Shops' credits: a finished job's unused reservation goes back to its shop within seconds.
  r.shopService = std::make_unique<engine::ShopService>(*env.audit, *env.phones, env.policies, env.bearers, env.shops);
  r.credits = std::make_unique<PeriodicTask>(clock_, std::chrono::seconds(2), [this, &r] {
    auto settled = r.shopService->settleOpen(*r.creditStore);
    if (!settled.ok()) log_->error("credits.settle", {{"error", settled.status().message()}});
    else if (*settled > 0) log_->info("credits.settle", {{"jobs", std::to_string(*settled)}});
  }, [this](const std::string& e) { log_->error("credits.settle", {{"error", e}}); });
  r.credits->start();
  // Webhooks go out from their own connection and thread: a slow receiver never holds up sending.
  r.poster = engine::makeHttpPoster();
  engine::WebhookSenderOptions hookOptions;
  hookOptions.allowedHosts = env.webhookHosts;
  r.webhooks = std::make_unique<engine::WebhookSender>(*r.hookStore, clock_, *r.poster, hookOptions);
  r.webhooks->start([this](const std::string& e) { log_->error("webhooks", {{"error", e}}); });
  engine::WebhookSender* webhooks = r.webhooks.get();
  r.dispatcher->setOutboxListener([webhooks] { webhooks->notify(); });
  // Progress in the log, when something moved.
  auto last = std::make_shared<std::string>();
  r.progress = std::make_unique<PeriodicTask>(clock_, r.settings.progressInterval, [this, &r, last] {
    const auto s = r.dispatcher->stats();
    Log::Fields f{{"submitted", std::to_string(s.submitted)}, {"sent", std::to_string(s.sent)},
                  {"delivered", std::to_string(s.delivered)}, {"failed", std::to_string(s.failed)},
                  {"refused", std::to_string(s.refused)},     {"waiting", std::to_string(s.waiting)},
                  {"incoming", std::to_string(s.incoming)},   {"promotions_paused", s.promotionsPaused ? "yes" : "no"}};
    for (const auto& b : s.bearers)
      f.emplace_back("bearer." + b.name, std::string(bearerStateName(b.health.state)) + " outstanding " + std::to_string(b.outstanding));
    std::string key;
    for (const auto& [k, v] : f) key += k + "=" + v + ";";
    if (key == *last) return;
    *last = key;
    log_->info("progress", f);
    manager_->status("sending: submitted " + std::to_string(s.submitted) + ", delivered " +
                     std::to_string(s.delivered) + ", failed " + std::to_string(s.failed) +
                     (s.promotionsPaused ? "; promotions paused for an alert" : ""));
  });
  r.progress->start();
}

Status BroadcasterApp::startApi(Running& r) {
  TOCSIN_ASSIGN_OR_RETURN(auto settings, api::parseApiSettings(r.env->config.document));
  if (listen_) {
    if (!settings) settings = api::ApiSettings{};
    TOCSIN_RETURN_IF_ERROR(api::parseListen(*listen_, settings->server.host, settings->server.port));
  }
  if (!settings) return Status::okStatus();
  engine::Dispatcher* dispatcher = r.dispatcher.get();
  TOCSIN_ASSIGN_OR_RETURN(r.api, api::OperatorApi::start(*r.env, clock_, *settings, [dispatcher] { dispatcher->wake(); }));
  log_->info("api.listen", {{"url", r.api->url()}, {"port", std::to_string(r.api->port())},
                            {"certificate", r.api->certificateFile()}});
  return Status::okStatus();
}

void BroadcasterApp::startWatchdog(Running& r) {
  const auto timeout = manager_->watchdogTimeout();
  if (!timeout) return;
  // Pinged at a quarter of the timeout, and only while the dispatcher's loop came round within
  // half of it: a loop stuck for longer lets systemd restart the daemon.
  engine::Dispatcher* dispatcher = r.dispatcher.get();
  const auto limit = *timeout / 2;
  r.watchdog = std::make_unique<PeriodicTask>(clock_, *timeout / 4, [this, dispatcher, limit] {
    if (clock_.monotonic() - dispatcher->lastLoop() < limit) manager_->watchdog();
    else log_->error("watchdog", {{"problem", "the dispatcher's loop has not come round; no ping"}});
  });
  manager_->watchdog();
  r.watchdog->start();
}

void BroadcasterApp::stop(Running& r, std::atomic<bool>& stopping, std::thread& loop) {
  manager_->stopping();
  if (r.watchdog) r.watchdog->stop();
  stopping = true;
  r.dispatcher->wake();
  loop.join();
  if (r.api) r.api->stop();
  r.wakeListener.reset();
  r.progress->stop();
  r.retention->stop();
  r.credits->stop();
  r.webhooks->stop();
  const auto s = r.dispatcher->stats();
  log_->info("broadcaster.stop", {{"submitted", std::to_string(s.submitted)}, {"sent", std::to_string(s.sent)},
                                  {"failed", std::to_string(s.failed)}, {"passes", std::to_string(s.passes)}});
}

int BroadcasterApp::main(const std::vector<std::string>& args) {
  if (help_) {
    Poco::Util::HelpFormatter help(options());
    help.setUnixStyle(true);
    help.setCommand("tocsin-broadcaster");
    help.setHeader("Sends what the Tocsin store holds through the configured bearers.");
    help.format(std::cout);
    return EXIT_OK;
  }
  if (logFormat_ != "json" && logFormat_ != "text") {
    std::cerr << "tocsin-broadcaster: --log is json or text\n";
    return 2;
  }
  log_ = std::make_unique<Log>(std::cerr, logFormat_ == "json" ? Log::Format::kJson : Log::Format::kText, clock_,
                               service::stderrIsJournal());
  if (!args.empty()) return fail("usage", Status::invalid("unexpected argument '" + args.front() + "'"));
  // Termination signals are taken by waitForTerminationRequest() alone: every thread started
  // from here on inherits the mask, so none of them is killed by one.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGQUIT}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Running r;
  if (Status st = open(r); !st.ok()) return fail("startup", st);
  if (Status st = startDispatcher(r); !st.ok()) return fail("broadcaster.start", st);
  startCompanions(r);
  if (Status st = startApi(r); !st.ok()) return fail("api.start", st);
  std::atomic<bool> stopping{false};
  std::thread loop([&] { r.dispatcher->run(stopping, r.settings.drain); });
  startWatchdog(r);
  manager_->ready("sending through " + std::to_string(r.bearers.size()) + " bearer(s)" +
                  (r.api ? "; API at " + r.api->url() : std::string()) + "; version " + tocsinVersion());
  waitForTerminationRequest();
  log_->info("broadcaster.stopping", {{"signal", "termination request"}});
  stop(r, stopping, loop);
  return EXIT_OK;
}

}  // namespace
}  // namespace tocsin

POCO_SERVER_MAIN(tocsin::BroadcasterApp)
