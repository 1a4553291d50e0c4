// tocsin-broadcaster: the daemon that sends what the store holds through the configured bearers.
//
//   tocsin-broadcaster [--db PATH] [--config FILE] [--listen HOST:PORT] [--log json|text]
//
// With --listen or an "api" section in the configuration it also serves the operator API
// (broadcaster/api/), HTTPS unless plain HTTP on loopback is configured; the "api.listen" log
// event gives its URL and certificate.
//
// It recovers what a previous run left in flight, connects its bearers and runs the dispatcher
// (broadcaster/engine/dispatcher.h) and the periodic retention sweep until SIGTERM or SIGINT,
// then stops claiming, waits for the bearers to answer what they hold (the "drain" setting),
// unbinds and exits. Logs go to stderr, one event per line.
#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/cli/cli.h"
#include "broadcaster/daemon/setup.h"
#include "broadcaster/engine/dispatcher.h"
#include "broadcaster/engine/webhooks.h"
#include "common/base/log.h"
#include "common/base/periodic.h"
#include "common/base/time_zones.h"
#include "common/privacy/retention.h"
#include "common/store/sqlite_store.h"
#include "policies/policy_config.h"
#include "policies/retention.h"

namespace {

int usage(const std::string& problem) {
  std::cerr << "tocsin-broadcaster: " << problem << "\n"
            << "usage: tocsin-broadcaster [--db PATH] [--config FILE] [--listen HOST:PORT] [--log json|text]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tocsin;
  cli::GlobalOptions options;
  std::string logFormat = ::isatty(STDERR_FILENO) ? "text" : "json";
  std::optional<std::string> listen;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return usage(a + " needs a value");
    if (a == "--db") options.dbPath = argv[++i];
    else if (a == "--config") options.configPath = argv[++i];
    else if (a == "--log") logFormat = argv[++i];
    else if (a == "--listen") listen = argv[++i];
    else return usage("unknown option " + a);
  }
  if (logFormat != "json" && logFormat != "text") return usage("--log is json or text");

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  Log log(std::cerr, logFormat == "json" ? Log::Format::kJson : Log::Format::kText, clock);
  auto fail = [&](const std::string& event, const Status& st) {
    log.error(event, {{"error", st.message()}});
    return st.code() == StatusCode::kInvalidArgument ? 2 : 1;
  };
  cli::CliContext ctx(options, std::cout, std::cerr, clock);
  auto env = ctx.env();
  if (!env.ok()) return fail("store.open", env.status());
  const Config& config = (*env)->config;
  auto policies = policy::parsePolicyConfig(config.document);
  if (!policies.ok()) return fail("configuration", policies.status());
  auto settings = daemon::parseBroadcasterSettings(config.document);
  if (!settings.ok()) return fail("configuration", settings.status());
  auto bearers = daemon::makeBearers(config.document, clock);
  if (!bearers.ok()) return fail("configuration", bearers.status());
  if (bearers->empty())
    return fail("configuration", Status::invalid("no bearers configured: add a \"bearers\" list to the configuration"));
  const auto zones = makeSystemTimeZones();

  // The dispatcher writes in a loop, so its connection lets operators' writes go first.
  SqliteOptions loopOptions;
  loopOptions.busyTimeoutMs = config.store.busyTimeoutMs;
  loopOptions.yieldToWriters = true;
  auto loopStore = SqliteStore::open(config.store.path, loopOptions);
  if (!loopStore.ok()) return fail("store.open", loopStore.status());
  engine::Dispatcher dispatcher(**loopStore, *(*env)->audit, *policies, *zones, *(*env)->suppressor,
                                *(*env)->phones, clock, settings->dispatcher);
  std::string names;
  for (auto& b : *bearers) {
    dispatcher.addBearer(*b.bearer, b.minRank, b.outstanding);
    names += (names.empty() ? "" : ",") + b.bearer->name();
  }
  dispatcher.setObserver([&](const std::string& event, const std::string& detail) {
    if (event == "store.error") log.error(event, {{"detail", detail}});
    else log.info(event, {{"detail", detail}});
  });
  if (Status st = dispatcher.start(); !st.ok()) return fail("broadcaster.start", st);
  log.info("broadcaster.start", {{"pid", std::to_string(::getpid())}, {"store", config.store.path},
                                 {"bearers", names}, {"recovered", std::to_string(dispatcher.stats().recovered)}});

  // Retention runs on its own connection (a store instance serves one thread at a time).
  SqliteOptions storeOptions;
  storeOptions.busyTimeoutMs = config.store.busyTimeoutMs;
  auto sweepStore = SqliteStore::open(config.store.path, storeOptions);
  if (!sweepStore.ok()) return fail("store.open", sweepStore.status());
  RetentionSweeper sweeper(**sweepStore, *(*env)->audit, *(*env)->suppressor);
  PeriodicTask retention(clock, config.retention.sweepInterval, [&] {
    auto report = sweeper.sweep(policy::retentionCutoffs(config.retention, clock.now()));
    if (!report.ok()) log.error("retention.sweep", {{"error", report.status().message()}});
  }, [&](const std::string& e) { log.error("retention.sweep", {{"error", e}}); });
  retention.start();

  // Webhooks go out from their own connection and thread: a slow receiver never holds up sending.
  auto hookStore = SqliteStore::open(config.store.path, storeOptions);
  if (!hookStore.ok()) return fail("store.open", hookStore.status());
  auto poster = engine::makeHttpPoster();
  engine::WebhookSender webhooks(**hookStore, clock, *poster);
  PeriodicTask webhookTask(clock, std::chrono::milliseconds(500), [&] {
    auto posted = webhooks.runOnce();
    if (!posted.ok()) log.error("webhooks", {{"error", posted.status().message()}});
  }, [&](const std::string& e) { log.error("webhooks", {{"error", e}}); });
  webhookTask.start();

  // The operator API, when configured or asked for.
  auto apiSettings = api::parseApiSettings(config.document);
  if (!apiSettings.ok()) return fail("configuration", apiSettings.status());
  if (listen) {
    if (!*apiSettings) *apiSettings = api::ApiSettings{};
    if (Status st = api::parseListen(*listen, (*apiSettings)->server.host, (*apiSettings)->server.port); !st.ok())
      return usage(st.message());
  }
  std::unique_ptr<api::OperatorApi> operatorApi;
  if (*apiSettings) {
    std::vector<std::string> alertBearers;
    for (auto& b : *bearers) alertBearers.push_back(b.bearer->name());
    api::ApiDependencies deps{config.store.path, config.store.busyTimeoutMs, *(*env)->audit, *policies, clock,
                              *(*env)->phones, *(*env)->suppressor, *(*env)->book, (*env)->keys, alertBearers};
    auto started = api::OperatorApi::start(deps, **apiSettings);
    if (!started.ok()) return fail("api.start", started.status());
    operatorApi = std::move(*started);
    log.info("api.listen", {{"url", operatorApi->url()}, {"port", std::to_string(operatorApi->port())},
                            {"certificate", operatorApi->certificateFile()}});
  }

  std::atomic<bool> stopping{false};
  std::thread signalThread([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    log.info("broadcaster.stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    stopping = true;
    dispatcher.wake();
  });
  Interrupt progressStop;
  std::thread progress([&] {
    while (clock.sleepFor(settings->progressInterval, progressStop)) {
      const auto s = dispatcher.stats();
      Log::Fields f{{"submitted", std::to_string(s.submitted)}, {"sent", std::to_string(s.sent)},
                    {"delivered", std::to_string(s.delivered)}, {"failed", std::to_string(s.failed)},
                    {"refused", std::to_string(s.refused)}, {"waiting", std::to_string(s.waiting)},
                    {"incoming", std::to_string(s.incoming)},
                    {"promotions_paused", s.promotionsPaused ? "yes" : "no"}};
      for (const auto& b : s.bearers)
        f.emplace_back("bearer." + b.name, std::string(bearerStateName(b.health.state)) + " outstanding " +
                                               std::to_string(b.outstanding));
      log.info("progress", f);
    }
  });

  dispatcher.run(stopping, settings->drain);

  if (operatorApi) operatorApi->stop();
  progressStop.trigger();
  progress.join();
  retention.stop();
  webhookTask.stop();
  if (!stopping) pthread_kill(signalThread.native_handle(), SIGTERM);
  signalThread.join();
  const auto s = dispatcher.stats();
  log.info("broadcaster.stop", {{"submitted", std::to_string(s.submitted)}, {"sent", std::to_string(s.sent)},
                                {"failed", std::to_string(s.failed)}, {"passes", std::to_string(s.passes)}});
  return 0;
}
