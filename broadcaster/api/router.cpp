#include "broadcaster/api/router.h"

#include <Poco/Exception.h>

#include <algorithm>
#include <sstream>

#include "broadcaster/api/connection_guard.h"
#include "common/base/text.h"

namespace tocsin::api {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += path[i];
    }
  }
  return out;
}

bool matches(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
  const auto want = segments(pattern);
  const auto have = segments(path);
  if (want.size() != have.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].size() > 2 && want[i].front() == '{' && want[i].back() == '}') {
      if (have[i].empty()) return false;
      found[want[i].substr(1, want[i].size() - 2)] = have[i];
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace

void Router::add(Route route) {
  if (route.requestType.empty()) route.body = BodySize::kNone;
  routes_.push_back(std::move(route));
}

const Route* Router::match(const std::string& method, const std::string& path, std::map<std::string, std::string>& params,
                           bool& pathExists) const {
  pathExists = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> p;
    if (!matches(r.path, path, p)) continue;
    pathExists = true;
    if (r.method == method) {
      params = std::move(p);
      return &r;
    }
  }
  return nullptr;
}

namespace {

Response tooMany(Micros wait, const std::string& what) {
  const int64_t seconds = std::max<int64_t>(1, (wait.count() + 999999) / 1000000);
  Response r = errorResponse(429, "too_many_requests", what + "; try again in " + std::to_string(seconds) + " s", "");
  r.headers["Retry-After"] = std::to_string(seconds);
  return r;
}

}  // namespace

Admission Router::admit(Request& request, MonoTime now) const {
  Admission a;
  try {
    const std::string address = ConnectionGuard::addressKey(request.peer);
    if (auto wait = perAddress_.take(address, now)) {
      a.refusal = tooMany(*wait, "too many requests from this address");
      return a;
    }
    bool exists = false;
    const Route* route = match(request.method, request.path, request.params, exists);
    if (!route) {
      if (exists) throw ApiError(405, "method_not_allowed", request.method + " is not allowed on " + request.path);
      throw ApiError(404, "not_found", "no such resource: " + request.path);
    }
    request.route = route->path;
    if (!route->roles.empty()) {
      try {
        request.principal = authenticate_(request, *route);
      } catch (const ApiError& e) {
        // Guessing tokens is slowed to a few tries a second per address.
        if (e.status() == 401)
          if (auto wait = failedLogins_.take(address, now)) {
            a.refusal = tooMany(*wait, "too many refused tokens from this address");
            return a;
          }
        throw;
      }
      if (auto wait = perToken_.take(request.principal->name, now)) {
        a.refusal = tooMany(*wait, "too many requests with this token");
        return a;
      }
      if (!route->roles.count(request.principal->role)) {
        std::string allowed;
        for (Role r : route->roles) allowed += (allowed.empty() ? "" : ", ") + std::string(roleName(r));
        throw ApiError(403, "forbidden", std::string("the ") + roleName(request.principal->role) + " role may not " +
                                             route->summary + " (allowed: " + allowed + ")");
      }
    }
    a.route = route;
  } catch (const ApiError& e) {
    a.refusal = errorResponse(e);
  } catch (const std::exception&) {
    a.refusal = errorResponse(500, "internal", "internal error", "");
  }
  return a;
}

Response Router::run(const Route& route, Request& request) const {
  try {
    return route.handler(request);
  } catch (const ApiError& e) {
    return errorResponse(e);
  } catch (const Poco::BadCastException&) {
    // A JSON value of an unexpected type reached a handler: the request's fault, not the server's.
    return errorResponse(400, "wrong_type", "a field of the body has the wrong JSON type", "");
  } catch (const std::exception&) {
    // What went wrong inside stays inside: the answer says only that it did.
    return errorResponse(500, "internal", "internal error", "");
  }
}

Response Router::dispatch(Request& request, MonoTime now) const {
  const Admission a = admit(request, now);
  if (a.refusal) return *a.refusal;
  return run(*a.route, request);
}

std::string Router::openApi(const std::string& version) const {
  Json paths = object();
  for (const auto& r : routes_) {
    Json item = paths->has(r.path) ? paths->getObject(r.path) : object();
    Json op = object();
    op->set("summary", r.summary);
    const std::string method = toLower(r.method);
    op->set("operationId", method + r.path);
    JsonArray params = array();
    for (const auto& s : segments(r.path)) {
      if (s.size() < 3 || s.front() != '{') continue;
      Json p = object();
      p->set("name", s.substr(1, s.size() - 2));
      p->set("in", "path");
      p->set("required", true);
      Json schema = object();
      schema->set("type", "string");
      p->set("schema", schema);
      params->add(p);
    }
    if (params->size()) op->set("parameters", params);
    if (!r.requestType.empty()) {
      Json content = object();
      std::istringstream types(r.requestType);
      for (std::string t; types >> t;) content->set(t, object());
      Json body = object();
      body->set("required", true);
      body->set("content", content);
      op->set("requestBody", body);
    }
    if (!r.roles.empty()) {
      JsonArray security = array();
      Json scheme = object();
      scheme->set("bearer", array());
      security->add(scheme);
      op->set("security", security);
      std::string roles;
      for (Role role : r.roles) roles += (roles.empty() ? "" : ", ") + std::string(roleName(role));
      op->set("x-roles", roles);
    }
    Json responses = object();
    Json ok = object();
    ok->set("description", "success");
    responses->set("200", ok);
    Json err = object();
    err->set("description", "an error: {\"error\": {\"code\", \"message\", \"field\"}}");
    responses->set("default", err);
    op->set("responses", responses);
    item->set(method, op);
    paths->set(r.path, item);
  }
  Json info = object();
  info->set("title", "Tocsin operator API");
  info->set("version", version);
  Json bearer = object();
  bearer->set("type", "http");
  bearer->set("scheme", "bearer");
  Json schemes = object();
  schemes->set("bearer", bearer);
  Json components = object();
  components->set("securitySchemes", schemes);
  Json root = object();
  root->set("openapi", "3.0.3");
  root->set("info", info);
  root->set("paths", paths);
  root->set("components", components);
  std::ostringstream out;
  root->stringify(out);
  return out.str();
}

}  // namespace tocsin::api
