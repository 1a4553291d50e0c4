// An engine Environment over a StoreFixture's store, for tests of the engine's front ends. The
// configuration names the fixture's store and SMPP bearers (never connected) named as asked,
// sending as TOWNHALL by default.
// Header-only: tests that include it link tocsin_engine.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "broadcaster/engine/environment.h"
#include "tests/support/store_fixture.h"

namespace tocsin::testing {

inline std::unique_ptr<engine::Environment> environmentFor(StoreFixture& f, const std::vector<std::string>& bearers = {},
                                                           const std::string& extraSections = "") {
  std::string json = "{\"store\": {\"path\": \"" + f.dbPath + "\"" +
                     (f.onPostgres() ? ", \"postgresql\": \"" + f.postgresql + "\"" : std::string()) + "}, \"bearers\": [";
  for (size_t i = 0; i < bearers.size(); ++i)
    json += std::string(i ? "," : "") + "{\"type\": \"smpp\", \"name\": \"" + bearers[i] +
            "\", \"host\": \"127.0.0.1\", \"port\": 1, \"system_id\": \"test\", \"password\": \"pw\", \"default_sender\": \"TOWNHALL\"}";
  json += "]" + std::string(extraSections.empty() ? "" : ", " + extraSections) + "}";
  auto config = parseConfig(json, "test configuration");
  if (!config.ok()) throw std::runtime_error(config.status().toString());
  auto env = engine::Environment::open(*config, f.clock);
  if (!env.ok()) throw std::runtime_error(env.status().toString());
  return std::move(*env);
}

}  // namespace tocsin::testing
