// The one place the engine's front ends (the daemon, the API, tocsinctl, the demo) get their
// services from: the store with its companions (common/setup/store_environment.h), the sending
// policies and the configured bearers, all read from one configuration.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broadcaster/engine/bearer_config.h"
#include "broadcaster/engine/shops.h"
#include "broadcaster/engine/webhooks.h"
#include "common/setup/store_environment.h"
#include "policies/policy_config.h"

namespace tocsin::engine {

// The configuration: embedded defaults, then the file if one is given, then the store path if
// one is given.
Result<Config> loadConfiguration(const std::optional<std::string>& file, const std::optional<std::string>& storePath);

struct Environment : StoreEnvironment {
  policy::PolicyConfig policies;
  std::vector<BearerEntry> bearers;  // as configured; nothing is connected
  std::vector<std::string> webhookHosts;  // hosts outside loopback webhooks may post to
  ShopSettings shops;                     // the "shops" section: public address for links

  // Validates the "policies" and "bearers" sections, then opens the store and its companions.
  static Result<std::unique_ptr<Environment>> open(const Config& config, Clock& clock, SqliteOptions options = {});
  std::vector<std::string> bearerNames() const;
};

}  // namespace tocsin::engine
