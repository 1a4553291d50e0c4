// libFuzzer target: the configuration file and every section's reader (store, phone, policies,
// bearers, webhooks, broadcaster, api). A bad file must be refused with a Status; a crash or an
// exception is a defect.
#include <cstddef>
#include <cstdint>
#include <string>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/engine/bearer_config.h"
#include "broadcaster/engine/webhooks.h"
#include "common/config/config.h"
#include "policies/policy_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin;
  auto config = parseConfig(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
  if (!config.ok()) return 0;
  (void)policy::parsePolicyConfig(config->document);
  (void)engine::parseBearers(config->document);
  (void)engine::parseWebhookHosts(config->document);
  (void)engine::parseBroadcasterSettings(config->document);
  (void)api::parseApiSettings(config->document);
  return 0;
}
