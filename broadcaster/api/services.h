// What the API's handlers work with, wired in main (or a test): store connections, the audit
// log, policies, clock, phone numbers, keys and metrics. Handlers hold no other state.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broadcaster/api/metrics.h"
#include "broadcaster/api/micro_cache.h"
#include "broadcaster/api/router.h"
#include "broadcaster/api/store_pool.h"
#include "common/audit/audit_log.h"
#include "common/contacts/contacts.h"
#include "common/crypto/key_files.h"
#include "common/phone/phone.h"
#include "common/privacy/suppression.h"
#include "policies/policy_config.h"

namespace tocsin::api {

// A job's per-bearer and per-reason tally reads every message of the job, so it is kept for a
// second: many people watching one alert cost one scan per second.
using TallyCache = MicroCache<JobId, std::vector<MessageTally>>;

struct ApiServices {
  StorePool& stores;
  AuditLog& audit;
  const policy::PolicyConfig& policies;
  const Clock& clock;
  const PhoneNormalizer& phones;
  const Suppressor& suppressor;
  const ContactBook& book;
  const KeyDirectory& keys;
  Metrics& metrics;
  std::vector<std::string> alertBearers;  // the bearers an alert uses when it names none
  std::string version = "0.1.0";
  TallyCache tallies{std::chrono::seconds(1)};
  // Who a (token hash, address) is, read from the store at most once a second; revoking a
  // token through the API clears it at once (another process's revocation: within a second).
  struct Authentication {
    std::optional<Principal> principal;
    std::optional<ApiError> refusal;
  };
  MicroCache<std::pair<std::string, std::string>, Authentication> principals{std::chrono::seconds(1)};
};

// Every route of the API, in the order /openapi.json lists them.
void addSystemRoutes(Router& router, ApiServices& services);
void addAlertRoutes(Router& router, ApiServices& services);
void addCampaignRoutes(Router& router, ApiServices& services);
void addPeopleRoutes(Router& router, ApiServices& services);  // contacts, consent, audit, tokens

inline void addAllRoutes(Router& router, ApiServices& services) {
  addSystemRoutes(router, services);
  addAlertRoutes(router, services);
  addCampaignRoutes(router, services);
  addPeopleRoutes(router, services);
}

// Shared by the route files.
// Visits every contact in `zones` (everyone when empty) with its standing on `purpose`, in
// steps, so a large store is read in bounded pieces.
void forEachInAudience(StoreTx& tx, const std::vector<std::string>& zones, std::string_view purpose,
                       const std::function<void(const AudienceMember&)>& visit);
JsonArray textsPreviewJson(const std::vector<std::pair<std::string, std::string>>& texts, const policy::PolicyConfig& policies,
                      int maxParts, bool footer);
Json progressJson(StoreTx& tx, const Job& job, TallyCache& tallies);

}  // namespace tocsin::api
