#include "broadcaster/engine/environment.h"

namespace tocsin::engine {

Result<Config> loadConfiguration(const std::optional<std::string>& file, const std::optional<std::string>& storePath) {
  Config c;
  if (file) {
    TOCSIN_ASSIGN_OR_RETURN(c, loadConfig(*file));
  }
  if (storePath) c.store.path = *storePath;
  return c;
}

Result<std::unique_ptr<Environment>> Environment::open(const Config& config, Clock& clock, SqliteOptions options) {
  auto env = std::make_unique<Environment>();
  TOCSIN_ASSIGN_OR_RETURN(env->policies, policy::parsePolicyConfig(config.document));
  TOCSIN_ASSIGN_OR_RETURN(env->bearers, parseBearers(config.document));
  TOCSIN_ASSIGN_OR_RETURN(env->webhookHosts, parseWebhookHosts(config.document));
  TOCSIN_ASSIGN_OR_RETURN(env->shops, parseShopSettings(config.document));
  TOCSIN_RETURN_IF_ERROR(env->StoreEnvironment::open(config, clock, options));
  return env;
}

std::vector<std::string> Environment::bearerNames() const {
  std::vector<std::string> names;
  for (const auto& b : bearers) names.push_back(b.name);
  return names;
}

}  // namespace tocsin::engine
