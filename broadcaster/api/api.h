// The operator API's vocabulary, free of any HTTP library: who is calling (Principal and Role),
// what they asked (Request), what they get (Response), and ApiError, the one exception of this
// layer, which the server turns into {"error": {"code", "message", "field"}} with its status.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "broadcaster/engine/credentials.h"
#include "broadcaster/engine/jobs.h"
#include "common/base/status.h"

namespace tocsin::api {

using engine::Role;
using engine::roleName;

struct Principal {
  std::string name;  // the token's name
  Role role = Role::kAuditor;
  std::optional<std::string> shop;    // marketers only
  std::optional<std::string> person;  // the person the token acts for; nullopt: a machine
  std::string channel = "api";        // "console" for a signed-in person's session
  // How the audit log and the jobs name the caller: "person:P via api:T", "person:P via
  // console:P", or "api:T".
  std::string actor() const { return engine::actorName(person, channel + ":" + name); }
};

// A large body (an upload) the server kept in a file rather than in memory.
class BodyFile {
 public:
  virtual ~BodyFile() = default;
  virtual std::string_view text() const = 0;
};

struct Request {
  std::string method;
  std::string path;                            // without the query
  std::map<std::string, std::string> query;    // decoded
  std::map<std::string, std::string> params;   // from the route's {placeholders}
  std::string contentType;                     // media type only, lower case
  std::string authorization;
  std::string sessionId;                       // the console's session cookie, if sent
  std::string csrfToken;                       // the X-CSRF-Token header, if sent
  bool background = false;                     // "X-Tocsin-Poll: 1": a page refreshing itself
  std::optional<std::string> idempotencyKey;  // the Idempotency-Key header
  std::optional<std::string> kioskReport;     // the X-Tocsin-Kiosk header: "version=1.2; waiting=3"
  std::string body;
  std::shared_ptr<const BodyFile> upload;      // instead of `body`, for upload routes
  std::string peer;                            // the client's address
  std::optional<Principal> principal;          // set once authenticated
  std::string route;                           // the matched route's template ("" when none)

  std::string_view bodyText() const { return upload ? upload->text() : std::string_view(body); }
  const Principal& who() const;  // REQUIRES: an authenticated route
  int64_t idParam(const std::string& name) const;
  // The request's Idempotency-Key with a hash of everything it asked, or nullopt without one.
  // Throws ApiError 422 for a malformed key.
  std::optional<engine::IdempotencyKey> idempotency() const;
};

struct Response {
  int status = 200;
  std::string contentType = "application/json";
  std::string body;
  std::map<std::string, std::string> headers;  // extra ones (Retry-After, Idempotent-Replayed)
};

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string code, const std::string& message, std::string field = "")
      : std::runtime_error(message), status_(status), code_(std::move(code)), field_(std::move(field)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& field() const { return field_; }
  // A refusal for now (429, 503) tells the client when to come back: sent as Retry-After.
  ApiError& retryAfter(int64_t seconds) {
    retryAfter_ = seconds;
    return *this;
  }
  std::optional<int64_t> retryAfterSeconds() const { return retryAfter_; }

 private:
  int status_;
  std::string code_;
  std::string field_;
  std::optional<int64_t> retryAfter_;
};

// The HTTP status and error code for a domain Status.
std::pair<int, std::string> httpStatusFor(StatusCode code);
// Throws the ApiError for a failed Status; returns when OK.
void check(const Status& status, const std::string& field = "");
template <typename T>
T value(Result<T> result, const std::string& field = "") {
  check(result.status(), field);
  return std::move(result).value();
}
Response errorResponse(int status, const std::string& code, const std::string& message, const std::string& field);
// The response for a refusal, with its Retry-After when it has one.
Response errorResponse(const ApiError& e);
// A creation's response when the job already existed under the request's Idempotency-Key:
// 200 instead of 201, marked "Idempotent-Replayed: true".
Response replayAware(Response created, const std::optional<engine::IdempotencyKey>& idempotency);

// JSON helpers. Objects keep their keys in insertion order, so responses read as documented.
using Json = Poco::JSON::Object::Ptr;
using JsonArray = Poco::JSON::Array::Ptr;
Json object();
JsonArray array();
Response json(const Json& body, int status = 200);
// The request body as a JSON object: 415 unless application/json, 400 when it does not parse.
Json parseBody(const Request& request);
// Typed field access: a field of the wrong JSON type is a 400 naming it; a missing required one
// is a 422 naming it.
std::string requireString(const Json& o, const std::string& field);
std::optional<std::string> optionalString(const Json& o, const std::string& field);
std::vector<std::string> stringList(const Json& o, const std::string& field);
std::optional<int64_t> optionalInt(const Json& o, const std::string& field);
std::optional<double> optionalNumber(const Json& o, const std::string& field);
bool optionalBool(const Json& o, const std::string& field);  // absent: false
Json optionalObject(const Json& o, const std::string& field);  // absent: null

}  // namespace tocsin::api
