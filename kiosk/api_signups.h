// The kiosk as a client of the appliance's API: what it shows and records goes through the
// kiosk calls only (GET /v1/consent/texts, POST /v1/signups, .../withdraw, .../confirm), with the
// token it received when it was paired. It opens no store and holds no key.
//
// Every call says how the kiosk is ("X-Tocsin-Kiosk: version=V; waiting=N"), which the appliance
// shows in its status. Threading: one thread uses a KioskApi at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <Poco/JSON/Object.h>

#include "common/base/status.h"
#include "kiosk/signups.h"

namespace Poco::Net {
class HTTPClientSession;
}

namespace tocsin::kiosk {

inline constexpr const char* kKioskVersion = "1.0";

struct ApiReply {
  int status = 0;  // 0: no answer (the appliance could not be reached)
  std::string body;
  Poco::JSON::Object::Ptr json;
  std::string errorMessage() const;  // the API's error message, or what went wrong
};

class KioskApi {
 public:
  // `url` is https://HOST:PORT (http:// only to a loopback address); `caFile` the certificate
  // that vouches for the appliance.
  static Result<std::unique_ptr<KioskApi>> connect(const std::string& url, const std::string& caFile);
  ~KioskApi();

  void setToken(std::string token) { token_ = std::move(token); }
  void setWaiting(int64_t waiting) { waiting_ = waiting; }
  ApiReply call(const std::string& method, const std::string& path, const std::string& body = "",
                const std::string& idempotencyKey = "");

 private:
  KioskApi() = default;
  std::string host_;
  uint16_t port_ = 0;
  bool https_ = true;
  std::string caFile_;
  std::string token_;
  int64_t waiting_ = 0;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

// Exchanges the one-time pairing code for the kiosk's token.
Result<std::string> pairKiosk(KioskApi& api, const std::string& kioskId, const std::string& code);

// A consent text as the appliance serves it; what the person sees is exactly `body`.
struct ServedText {
  std::string purpose, textId, language, sha256, body;
  int64_t version = 0;
};
// (kind, language) -> text, kind "alerts" or "promotions".
using ServedTexts = std::map<std::pair<std::string, std::string>, ServedText>;
Result<ServedTexts> parseTexts(const std::string& json);
// The texts in force, fetched from the appliance and kept as served in `cache` (0600); the ones
// kept last when the appliance cannot give them (the screen then says so on stderr).
Result<ServedTexts> textsInForce(KioskApi& api, const std::string& cache);

class Outbox;

// A sign-up taken while the appliance cannot be reached goes to `outbox` (when given) and
// comes back as PendingSignup{0, ...}: the code will come by SMS, to be answered by reply.
class ApiSignups final : public SignupPort {
 public:
  ApiSignups(KioskApi& api, ServedTexts texts, Outbox* outbox = nullptr)
      : api_(api), texts_(std::move(texts)), outbox_(outbox) {}
  Result<PhoneNumber> checkPhone(const std::string& typed, const std::string& region) const override;
  Result<PendingSignup> signUp(const SignupRequest& request) override;
  Result<CodeOutcome> confirm(int64_t signup, const std::string& code, int& triesLeft) override;
  Result<PendingSignup> withdraw(const std::string& typed, const std::string& region,
                                 const std::string& language) override;

 private:
  Status failure(const ApiReply& r) const;
  KioskApi& api_;
  ServedTexts texts_;
  Outbox* outbox_;
};

}  // namespace tocsin::kiosk
