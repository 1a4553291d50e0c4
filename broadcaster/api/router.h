// Routes of the operator API: method, path template, who may call it, and the handler. The
// router authenticates, checks the role, matches "{name}" segments and turns ApiError into
// JSON errors. /openapi.json is generated from the same table, so the document and the routes
// cannot drift apart.
//
// Thread safety: routes are added before serving; dispatch() is then called from many threads.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broadcaster/api/api.h"
#include "broadcaster/api/rate_limiter.h"

namespace tocsin::api {

using Handler = std::function<Response(Request&)>;
struct Route;
// Who calls `route`: "Authorization: Bearer ..." or a console session (whose changes must carry
// its CSRF token); the Principal or an ApiError (401/403).
using Authenticator = std::function<Principal(const Request& request, const Route& route)>;

// How large a body a route reads: none (a few bytes tolerated), a JSON document or CAP
// message (the server's max_body_bytes), or a file upload (max_csv_body_bytes, streamed to disk).
enum class BodySize { kNone, kDocument, kUpload };

struct Route {
  std::string method;
  std::string path;         // "/v1/alerts/{id}/approve"
  std::set<Role> roles;     // empty: no token needed
  std::string summary;
  std::string requestType;  // documented request media types, "" for none
  Handler handler;
  bool changesState = false;
  BodySize body = BodySize::kDocument;  // kNone when requestType is empty
};

// Requests per second, each with a burst of twice as many; 0: no limit.
struct RateLimits {
  double perAddress = 200;     // every request from one client address
  double perToken = 100;       // every request with one token
  double failedLogins = 5;     // refused tokens from one address
};

// What the router decided before any body is read: the route, or the answer to send instead.
struct Admission {
  const Route* route = nullptr;
  std::optional<Response> refusal;
};

class Router {
 public:
  explicit Router(Authenticator authenticate, RateLimits limits = {})
      : authenticate_(std::move(authenticate)),
        perAddress_({limits.perAddress, 2 * limits.perAddress}),
        perToken_({limits.perToken, 2 * limits.perToken}),
        failedLogins_({limits.failedLogins, 2 * limits.failedLogins}) {}

  void add(Route route);
  // Matches the route, applies the rate limits and authenticates, all before the body is read:
  // fills request.params, request.route and request.principal. Never throws.
  Admission admit(Request& request, MonoTime now) const;
  // Runs an admitted route's handler; ApiError and the rest become JSON errors. Never throws.
  Response run(const Route& route, Request& request) const;
  // admit() then run(), for a request whose body is already in hand.
  Response dispatch(Request& request, MonoTime now = {}) const;

  const std::vector<Route>& routes() const { return routes_; }
  // OpenAPI 3.0 description of every route.
  std::string openApi(const std::string& version) const;

 private:
  const Route* match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                     bool& pathExists) const;

  Authenticator authenticate_;
  std::vector<Route> routes_;
  mutable RateLimiter perAddress_, perToken_, failedLogins_;
};

}  // namespace tocsin::api
