#include "broadcaster/api/operator_api.h"

#include "broadcaster/api/authentication.h"
#include "common/config/json_reader.h"

namespace tocsin::api {

Result<std::optional<ApiSettings>> parseApiSettings(const Poco::JSON::Object::Ptr& document) {
  if (!document || !document->has("api")) return std::optional<ApiSettings>();
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("api"));
  ApiSettings s;
  std::string listen = "127.0.0.1:8443";
  TOCSIN_RETURN_IF_ERROR(r->getString("listen", listen));
  TOCSIN_RETURN_IF_ERROR(parseListen(listen, s.server.host, s.server.port));
  TOCSIN_RETURN_IF_ERROR(r->getString("tls_certificate", s.server.certificateFile));
  TOCSIN_RETURN_IF_ERROR(r->getString("tls_key", s.server.keyFile));
  TOCSIN_RETURN_IF_ERROR(r->getBool("plain_http", s.server.plainHttp));
  int64_t threads = s.server.maxThreads, connections = static_cast<int64_t>(s.storeConnections),
          body = static_cast<int64_t>(s.server.maxBodyBytes), upload = static_cast<int64_t>(s.server.maxCsvBodyBytes),
          open = static_cast<int64_t>(s.server.maxConnections), perAddress = static_cast<int64_t>(s.server.maxConnectionsPerAddress);
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_threads", threads, 4, 8192));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_connections", open, 2, 8000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_connections_per_address", perAddress, 1, 8000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("store_connections", connections, 1, 256));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_body_bytes", body, 1024, 64 << 20));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_upload_bytes", upload, 1024, int64_t(1) << 32));
  Micros header = std::chrono::seconds(s.server.headerSeconds), bodyTime = std::chrono::seconds(s.server.bodySeconds),
         keepAlive = std::chrono::seconds(s.server.keepAliveSeconds);
  TOCSIN_RETURN_IF_ERROR(r->getDuration("header_timeout", header));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("body_timeout", bodyTime));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("keep_alive", keepAlive));
  TOCSIN_RETURN_IF_ERROR(r->getDouble("rate_per_address", s.limits.perAddress));
  TOCSIN_RETURN_IF_ERROR(r->getDouble("rate_per_token", s.limits.perToken));
  TOCSIN_RETURN_IF_ERROR(r->getDouble("failed_logins_per_address", s.limits.failedLogins));
  TOCSIN_RETURN_IF_ERROR(r->getString("public_name", s.publisher.name));
  TOCSIN_RETURN_IF_ERROR(r->getString("cap_sender", s.publisher.sender));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  if (s.publisher.name.empty() || s.publisher.name.size() > 200)
    return Status::invalid("configuration key 'api.public_name' is 1 to 200 characters");
  // CAP: a sender has no spaces, commas or restricted characters.
  if (s.publisher.sender.empty() || s.publisher.sender.size() > 200 ||
      s.publisher.sender.find_first_of(" ,<&\t\n\r") != std::string::npos)
    return Status::invalid("configuration key 'api.cap_sender' is an address without spaces, commas, '<' or '&' "
                           "(such as alerts@town.example)");
  auto wholeSeconds = [&](const char* key, Micros d, int& out) -> Status {
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    if (secs < 1 || secs > 3600) return Status::invalid("configuration key 'api." + std::string(key) + "' is 1s to 1h");
    out = static_cast<int>(secs);
    return Status::okStatus();
  };
  TOCSIN_RETURN_IF_ERROR(wholeSeconds("header_timeout", header, s.server.headerSeconds));
  TOCSIN_RETURN_IF_ERROR(wholeSeconds("body_timeout", bodyTime, s.server.bodySeconds));
  TOCSIN_RETURN_IF_ERROR(wholeSeconds("keep_alive", keepAlive, s.server.keepAliveSeconds));
  for (const auto& [key, v] : {std::pair<const char*, double>{"rate_per_address", s.limits.perAddress},
                               {"rate_per_token", s.limits.perToken}, {"failed_logins_per_address", s.limits.failedLogins}})
    if (v < 0 || v > 1e6) return Status::invalid("configuration key 'api." + std::string(key) + "' is 0 (no limit) to 1000000 per second");
  if (open >= threads)
    return Status::invalid("api.max_connections (" + std::to_string(open) + ") must stay below api.max_threads (" +
                           std::to_string(threads) + "), so every connection admitted has a thread");
  s.server.maxThreads = static_cast<int>(threads);
  s.server.maxQueued = static_cast<int>(threads) * 2;
  s.server.maxConnections = static_cast<size_t>(open);
  s.server.maxConnectionsPerAddress = static_cast<size_t>(perAddress);
  s.storeConnections = static_cast<size_t>(connections);
  s.server.maxBodyBytes = static_cast<size_t>(body);
  s.server.maxCsvBodyBytes = static_cast<size_t>(upload);
  return std::optional<ApiSettings>(s);
}

Result<std::unique_ptr<OperatorApi>> OperatorApi::start(const engine::Environment& env, Clock& clock,
                                                        const ApiSettings& settings, std::function<void()> onWrite) {
  std::unique_ptr<OperatorApi> api(new OperatorApi());
  api->settings_ = settings;
  if (api->settings_.server.selfSignedDirectory.empty()) api->settings_.server.selfSignedDirectory = env.keys.path();
  TOCSIN_ASSIGN_OR_RETURN(api->stores_, StorePool::open(env, settings.storeConnections, std::move(onWrite)));
  api->jobs_ = std::make_unique<engine::JobService>(*env.audit, env.policies, clock, env.bearers, env.shops);
  api->services_ = std::make_unique<ApiServices>(env, *api->stores_, *api->jobs_, clock, api->metrics_);
  api->services_->publisher = settings.publisher;
  StorePool* stores = api->stores_.get();
  ApiServices* services = api->services_.get();
  auto* known = &api->services_->principals;
  api->router_ = std::make_unique<Router>([stores, known, services](const Request& request, const Route& route) {
    // A console session, unless a token is given.
    if (request.authorization.empty() && !request.sessionId.empty()) return sessionPrincipal(*services, request, route);
    const std::string& authorization = request.authorization;
    const std::string& peer = request.peer;
    const auto outcome = known->get({engine::tokenHash(authorization), peer}, [&] {
      auto store = stores->acquire();
      Authentication a;
      try {
        a.principal = authenticate(*store, authorization, peer);
      } catch (const ApiError& e) {
        a.refusal = e;
      }
      return a;
    });
    if (outcome.refusal) throw *outcome.refusal;
    return *outcome.principal;
  }, settings.limits);
  addAllRoutes(*api->router_, *api->services_);
  TOCSIN_ASSIGN_OR_RETURN(api->server_, ApiServer::start(api->settings_.server, *api->router_, api->metrics_, clock));
  api->services_->clicks().start(clock);
  return api;
}

std::string OperatorApi::url() const {
  const std::string& host = settings_.server.host;
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(settings_.server.plainHttp ? "http" : "https") + "://" + shown + ":" + std::to_string(port());
}

}  // namespace tocsin::api
