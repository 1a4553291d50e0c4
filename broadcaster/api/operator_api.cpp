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
          body = static_cast<int64_t>(s.server.maxBodyBytes);
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_threads", threads, 4, 4096));
  TOCSIN_RETURN_IF_ERROR(r->getInt("store_connections", connections, 1, 256));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_body_bytes", body, 1024, 64 << 20));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  s.server.maxThreads = static_cast<int>(threads);
  s.storeConnections = static_cast<size_t>(connections);
  s.server.maxBodyBytes = static_cast<size_t>(body);
  return std::optional<ApiSettings>(s);
}

Result<std::unique_ptr<OperatorApi>> OperatorApi::start(const engine::Environment& env, const Clock& clock,
                                                        const ApiSettings& settings, std::function<void()> onWrite) {
  std::unique_ptr<OperatorApi> api(new OperatorApi());
  api->settings_ = settings;
  if (api->settings_.server.selfSignedDirectory.empty()) api->settings_.server.selfSignedDirectory = env.keys.path();
  TOCSIN_ASSIGN_OR_RETURN(api->stores_, StorePool::open(env, settings.storeConnections, std::move(onWrite)));
  api->jobs_ = std::make_unique<engine::JobService>(*env.audit, env.policies, clock, env.bearers);
  api->services_ = std::make_unique<ApiServices>(env, *api->stores_, *api->jobs_, clock, api->metrics_);
  StorePool* stores = api->stores_.get();
  auto* known = &api->services_->principals;
  api->router_ = std::make_unique<Router>([stores, known](const std::string& authorization, const std::string& peer) {
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
  });
  addAllRoutes(*api->router_, *api->services_);
  TOCSIN_ASSIGN_OR_RETURN(api->server_, ApiServer::start(api->settings_.server, *api->router_, api->metrics_, clock));
  return api;
}

std::string OperatorApi::url() const {
  const std::string& host = settings_.server.host;
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return std::string(settings_.server.plainHttp ? "http" : "https") + "://" + shown + ":" + std::to_string(port());
}

}  // namespace tocsin::api
