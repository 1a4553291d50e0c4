// What the API's handlers work with, wired by OperatorApi::start: the engine's Environment and
// JobService, store connections, the clock and metrics. Handlers hold no other state.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broadcaster/api/click_recorder.h"
#include "broadcaster/api/metrics.h"
#include "broadcaster/api/micro_cache.h"
#include "broadcaster/api/router.h"
#include "broadcaster/api/sessions.h"
#include "broadcaster/engine/console_accounts.h"
#include "common/base/version.h"
#include "broadcaster/api/store_pool.h"
#include "broadcaster/cap/cap_publish.h"
#include "broadcaster/engine/environment.h"
#include "broadcaster/engine/jobs.h"

namespace tocsin::api {

// A job's per-bearer and per-reason tally reads every message of the job, so it is kept for a
// second: many people watching one alert cost one scan per second.
using TallyCache = MicroCache<JobId, std::vector<MessageTally>>;
using ZoneTallyCache = MicroCache<JobId, std::vector<ZoneTally>>;

// Who a (token hash, address) is, read from the store at most once a second; revoking a token
// through the API clears it at once (another process's revocation: within a second).
struct Authentication {
  std::optional<Principal> principal;
  std::optional<ApiError> refusal;
};

// The engine's services (one Environment, one JobService) and what the API adds: its store
// connections, metrics and short-lived caches.
struct ApiServices {
  ApiServices(const engine::Environment& environment, StorePool& storePool, const engine::JobService& jobService,
              const Clock& wallClock, Metrics& apiMetrics)
      : env(environment), stores(storePool), jobs(jobService), clock(wallClock), metrics(apiMetrics) {}

  const engine::Environment& env;
  StorePool& stores;
  const engine::JobService& jobs;
  const Clock& clock;
  Metrics& metrics;
  std::string version = tocsinVersion();
  cap::Publisher publisher;  // who the public CAP documents say issues them
  TallyCache tallies{clock, std::chrono::seconds(1)};
  ZoneTallyCache zoneTallies{clock, std::chrono::seconds(1)};
  MicroCache<std::pair<std::string, std::string>, Authentication> principals{clock, std::chrono::seconds(1)};
  engine::ConsoleAccounts accounts{*env.audit, clock};
  SessionTable sessions{clock};
  std::unique_ptr<ClickRecorder> clickRecorder = std::make_unique<ClickRecorder>(stores, clock);

  AuditLog& audit() const { return *env.audit; }
  ClickRecorder& clicks() { return *clickRecorder; }
  const policy::PolicyConfig& policies() const { return env.policies; }
};

// Every route of the API, in the order /openapi.json lists them.
void addSystemRoutes(Router& router, ApiServices& services);
void addAlertRoutes(Router& router, ApiServices& services);
void addCampaignRoutes(Router& router, ApiServices& services);
void addPeopleRoutes(Router& router, ApiServices& services);  // contacts, consent, audit, tokens
void addSignupRoutes(Router& router, ApiServices& services);  // kiosks' and shops' sign-ups
void addKioskRoutes(Router& router, ApiServices& services);   // kiosks' enrolment and pairing
void addPublicRoutes(Router& router, ApiServices& services);  // the public alerts page and CAP feed
void addConsoleRoutes(Router& router, ApiServices& services); // the console, signing in, its own routes
void addShopRoutes(Router& router, ApiServices& services);    // shops' accounts, credits, lists; short links
// Who a console session is, for `route`: refuses an ended session and a change without the
// session's CSRF token.
Principal sessionPrincipal(ApiServices& services, const Request& request, const Route& route);
// Keeps what a kiosk's call says of it (version, waiting sign-ups) for status; throttled.
void noteKioskContact(ApiServices& services, const Request& request);

inline void addAllRoutes(Router& router, ApiServices& services) {
  addSystemRoutes(router, services);
  addAlertRoutes(router, services);
  addCampaignRoutes(router, services);
  addShopRoutes(router, services);
  addPeopleRoutes(router, services);
  addSignupRoutes(router, services);
  addKioskRoutes(router, services);
  addPublicRoutes(router, services);
  addConsoleRoutes(router, services);
}

// Shared by the route files.
// Visits every contact in `zones` (everyone when empty) with its standing on `purpose`, in
// steps, so a large store is read in bounded pieces.
void forEachInAudience(StoreTx& tx, const std::vector<std::string>& zones, std::string_view purpose,
                       const std::function<void(const AudienceMember&)>& visit);
JsonArray textsPreviewJson(const Texts& texts, const policy::PolicyConfig& policies, int maxParts, bool footer);
// An area as the API shows it: {"all": true} or {"zones", "circles", "polygons"}.
Json targetJson(const Target& target);
Json progressJson(StoreTx& tx, const Job& job, TallyCache& tallies);

}  // namespace tocsin::api
