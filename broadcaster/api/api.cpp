#include "broadcaster/api/api.h"

#include <algorithm>
#include <cstdint>
#include <sstream>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "common/crypto/hash.h"

namespace tocsin::api {
const Principal& Request::who() const {
  if (!principal) throw ApiError(401, "unauthenticated", "this call needs a bearer token");
  return *principal;
}

int64_t Request::idParam(const std::string& name) const {
  auto it = params.find(name);
  const std::string v = it == params.end() ? "" : it->second;
  if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
    throw ApiError(404, "not_found", "'" + v + "' is not an id", name);
  return std::stoll(v);
}

std::optional<engine::IdempotencyKey> Request::idempotency() const {
  if (!idempotencyKey) return std::nullopt;
  check(engine::validateIdempotencyKey(*idempotencyKey), "Idempotency-Key");
  Sha256 h;
  for (const std::string& piece : {method, path, contentType}) {
    h.update(piece);
    h.update("\n");
  }
  for (const auto& [k, v] : query) {
    h.update(k);
    h.update("=");
    h.update(v);
    h.update("&");
  }
  h.update("\n");
  h.update(body);
  return engine::IdempotencyKey{*idempotencyKey, toHex(h.finish()), false};
}

Response replayAware(Response created, const std::optional<engine::IdempotencyKey>& idempotency) {
  if (idempotency && idempotency->replayed) {
    created.status = 200;
    created.headers["Idempotent-Replayed"] = "true";
  }
  return created;
}

std::pair<int, std::string> httpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return {200, "ok"};
    case StatusCode::kInvalidArgument: return {422, "invalid"};
    case StatusCode::kNotFound: return {404, "not_found"};
    case StatusCode::kAlreadyExists: return {409, "already_exists"};
    case StatusCode::kFailedPrecondition: return {409, "conflict"};
    case StatusCode::kRefused: return {422, "refused"};
    case StatusCode::kPermissionDenied: return {403, "forbidden"};
    case StatusCode::kUnavailable: return {503, "unavailable"};
    case StatusCode::kResourceExhausted: return {507, "insufficient_storage"};
    case StatusCode::kTooMany: return {429, "too_many_requests"};
    case StatusCode::kNoCredits: return {402, "insufficient_credits"};
    case StatusCode::kDataLoss: return {500, "data_loss"};
    case StatusCode::kIoError: return {500, "io_error"};
    case StatusCode::kInternal: return {500, "internal"};
  }
  return {500, "internal"};
}

void check(const Status& status, const std::string& field) {
  if (status.ok()) return;
  const auto [http, code] = httpStatusFor(status.code());
  throw ApiError(http, code, status.message(), field);
}

Json object() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }
JsonArray array() { return new Poco::JSON::Array(Poco::JSON_PRESERVE_KEY_ORDER); }

Response json(const Json& body, int status) {
  std::ostringstream out;
  body->stringify(out);
  return Response{status, "application/json", out.str(), {}};
}

Response errorResponse(int status, const std::string& code, const std::string& message, const std::string& field) {
  Json e = object();
  e->set("code", code);
  e->set("message", message);
  if (field.empty()) e->set("field", Poco::Dynamic::Var());
  else e->set("field", field);
  Json root = object();
  root->set("error", e);
  return json(root, status);
}

Response errorResponse(const ApiError& e) {
  Response r = errorResponse(e.status(), e.code(), e.what(), e.field());
  if (auto seconds = e.retryAfterSeconds()) r.headers["Retry-After"] = std::to_string(std::max<int64_t>(1, *seconds));
  return r;
}

Json parseBody(const Request& request) {
  if (request.contentType != "application/json")
    throw ApiError(415, "unsupported_media_type", "send application/json (got '" + request.contentType + "')");
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(request.body);
    if (v.type() != typeid(Poco::JSON::Object::Ptr)) throw ApiError(400, "bad_json", "the body must be a JSON object");
    return v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    throw ApiError(400, "bad_json", "the body is not valid JSON: " + e.message());
  }
}

std::optional<std::string> optionalString(const Json& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return std::nullopt;
  const auto v = o->get(field);
  if (!v.isString()) throw ApiError(400, "wrong_type", "'" + field + "' must be a string", field);
  return v.extract<std::string>();
}

std::optional<double> optionalNumber(const Json& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return std::nullopt;
  const auto v = o->get(field);
  if (!v.isNumeric() || v.isBoolean()) throw ApiError(400, "wrong_type", "'" + field + "' must be a number", field);
  return v.convert<double>();
}

bool optionalBool(const Json& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return false;
  const auto v = o->get(field);
  if (!v.isBoolean()) throw ApiError(400, "wrong_type", "'" + field + "' must be true or false", field);
  return v.convert<bool>();
}

Json optionalObject(const Json& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return nullptr;
  auto v = o->getObject(field);
  if (!v) throw ApiError(400, "wrong_type", "'" + field + "' must be an object", field);
  return v;
}

std::string requireString(const Json& o, const std::string& field) {
  auto v = optionalString(o, field);
  if (!v || v->empty()) throw ApiError(422, "invalid", "'" + field + "' is required", field);
  return *v;
}

std::vector<std::string> stringList(const Json& o, const std::string& field) {
  std::vector<std::string> out;
  if (!o->has(field) || o->isNull(field)) return out;
  auto a = o->getArray(field);
  if (!a) throw ApiError(400, "wrong_type", "'" + field + "' must be a list of strings", field);
  for (size_t i = 0; i < a->size(); ++i) {
    const auto v = a->get(static_cast<unsigned>(i));
    if (!v.isString()) throw ApiError(400, "wrong_type", "'" + field + "' must be a list of strings", field);
    out.push_back(v.extract<std::string>());
  }
  return out;
}

std::optional<int64_t> optionalInt(const Json& o, const std::string& field) {
  if (!o->has(field) || o->isNull(field)) return std::nullopt;
  const auto v = o->get(field);
  if (!v.isInteger() || v.isBoolean()) throw ApiError(400, "wrong_type", "'" + field + "' must be an integer", field);
  return v.convert<int64_t>();
}

}  // namespace tocsin::api
