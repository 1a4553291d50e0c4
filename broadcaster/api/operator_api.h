// The operator API as the daemon runs it: store connections, routes, metrics and the server,
// started together and stopped together.
#pragma once

#include <memory>
#include <optional>

#include <Poco/JSON/Object.h>

#include "broadcaster/api/server.h"
#include "broadcaster/api/services.h"

namespace tocsin::api {

struct ApiSettings {
  ServerOptions server;
  RateLimits limits;
  size_t storeConnections = 8;
  cap::Publisher publisher;  // public_name, cap_sender
};

// The "api" section of the configuration; nullopt when there is none.
//   "api": {"listen": "127.0.0.1:8443", "tls_certificate": "...", "tls_key": "...", "plain_http": false,
//           "max_threads": 2048, "max_connections": 1800, "max_connections_per_address": 64,
//           "header_timeout": "10s", "body_timeout": "30s", "keep_alive": "5s",
//           "store_connections": 8, "max_body_bytes": 1048576, "max_upload_bytes": 67108864,
//           "rate_per_address": 200, "rate_per_token": 100, "failed_logins_per_address": 5,
//           "public_name": "Mairie de Saint-Tocsin", "cap_sender": "alerts@saint-tocsin.example"}
Result<std::optional<ApiSettings>> parseApiSettings(const Poco::JSON::Object::Ptr& document);

class OperatorApi {
 public:
  // `onWrite` is called after every committed write (the broadcaster's wake()).
  static Result<std::unique_ptr<OperatorApi>> start(const engine::Environment& env, Clock& clock,
                                                    const ApiSettings& settings, std::function<void()> onWrite = {});
  uint16_t port() const { return server_->port(); }
  std::string url() const;
  const std::string& certificateFile() const { return server_->certificateFile(); }
  GuardCounts connections() const { return server_->connections(); }
  void stop() {
    server_->stop();
    services_->clicks().stop();
  }

 private:
  OperatorApi() = default;
  ApiSettings settings_;
  std::unique_ptr<StorePool> stores_;
  std::unique_ptr<engine::JobService> jobs_;
  Metrics metrics_;
  std::unique_ptr<ApiServices> services_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<ApiServer> server_;
};

}  // namespace tocsin::api
