// Routes of the operator API: method, path template, who may call it, and the handler. The
// router authenticates, checks the role, matches "{name}" segments and turns ApiError into
// JSON errors. /openapi.json is generated from the same table, so the document and the routes
// cannot drift apart.
//
// Thread safety: routes are added before serving; dispatch() is then called from many threads.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "broadcaster/api/api.h"

namespace tocsin::api {

using Handler = std::function<Response(Request&)>;
// Checks "Authorization: Bearer ..." from `peer`; the Principal or an ApiError (401/403).
using Authenticator = std::function<Principal(const std::string& authorization, const std::string& peer)>;

struct Route {
  std::string method;
  std::string path;         // "/v1/alerts/{id}/approve"
  std::set<Role> roles;     // empty: no token needed
  std::string summary;
  std::string requestType;  // documented request media types, "" for none
  Handler handler;
  bool changesState = false;
};

class Router {
 public:
  explicit Router(Authenticator authenticate) : authenticate_(std::move(authenticate)) {}

  void add(Route route);
  // Fills request.params, request.route and request.principal; never throws.
  Response dispatch(Request& request) const;

  const std::vector<Route>& routes() const { return routes_; }
  // OpenAPI 3.0 description of every route.
  std::string openApi(const std::string& version) const;

 private:
  const Route* match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                     bool& pathExists) const;

  Authenticator authenticate_;
  std::vector<Route> routes_;
};

}  // namespace tocsin::api
