#include "kiosk/api_signups.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <iostream>
#include <sstream>

#include "common/base/files.h"
#include "common/base/json_text.h"
#include "common/phone/phone.h"
#include "kiosk/outbox.h"
#include "kiosk/texts.h"

namespace tocsin::kiosk {
namespace {

bool loopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(host, address) && address.isLoopback();
}

std::string kindOf(const std::string& purpose) { return purpose == "alerts" ? "alerts" : "promotions"; }

}  // namespace

std::string ApiReply::errorMessage() const {
  if (status == 0) return "the appliance cannot be reached: " + body;
  if (json && json->has("error")) return json->getObject("error")->optValue<std::string>("message", body);
  return "HTTP " + std::to_string(status);
}

Result<std::unique_ptr<KioskApi>> KioskApi::connect(const std::string& url, const std::string& caFile) {
  std::unique_ptr<KioskApi> api(new KioskApi());
  try {
    const Poco::URI uri(url);
    if (uri.getScheme() != "https" && uri.getScheme() != "http")
      return Status::invalid("--url is https://HOST:PORT, not " + url);
    api->https_ = uri.getScheme() == "https";
    if (!api->https_ && !loopbackHost(uri.getHost()))
      return Status::invalid("--url http:// would send the kiosk's token in clear; use https:// (http only to loopback)");
    api->host_ = uri.getHost();
    api->port_ = uri.getPort();
  } catch (const Poco::Exception& e) {
    return Status::invalid("--url " + url + ": " + e.displayText());
  }
  api->caFile_ = caFile;
  return api;
}

KioskApi::~KioskApi() = default;

ApiReply KioskApi::call(const std::string& method, const std::string& path, const std::string& body,
                        const std::string& idempotencyKey) {
  ApiReply reply;
  try {
    if (!session_) {
      if (https_) {
        Poco::Net::initializeSSL();
        // Only the appliance's own certificate (or what --ca vouches for) is trusted.
        Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", caFile_,
                                                                 Poco::Net::Context::VERIFY_RELAXED, 9, caFile_.empty());
        context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
        session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, context);
      } else {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
      }
      session_->setKeepAlive(true);
      // Idle longer than this, a connection is opened afresh rather than found closed by the
      // appliance (which keeps idle ones for 5 s).
      session_->setKeepAliveTimeout(Poco::Timespan(2, 0));
      session_->setTimeout(Poco::Timespan(10, 0));
    }
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token_.empty()) request.set("Authorization", "Bearer " + token_);
    request.set("X-Tocsin-Kiosk", std::string("version=") + kKioskVersion + "; waiting=" + std::to_string(waiting_));
    if (!idempotencyKey.empty()) request.set("Idempotency-Key", idempotencyKey);
    if (!body.empty()) request.setContentType("application/json");
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session_->sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    Poco::StreamCopier::copyToString(session_->receiveResponse(response), reply.body);
    reply.status = response.getStatus();
  } catch (const Poco::Exception& e) {
    session_.reset();  // a fresh connection next time
    reply.status = 0;
    reply.body = e.displayText();
    return reply;
  }
  try {
    auto v = Poco::JSON::Parser().parse(reply.body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) reply.json = v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  return reply;
}

Result<std::string> pairKiosk(KioskApi& api, const std::string& kioskId, const std::string& code) {
  const ApiReply r = api.call("POST", "/v1/kiosks/" + kioskId + "/pair", "{\"code\":" + jsonString(code) + "}");
  if (r.status != 201 || !r.json || !r.json->has("token")) return Status::permissionDenied(r.errorMessage());
  return r.json->getValue<std::string>("token");
}

Result<ServedTexts> parseTexts(const std::string& json) {
  ServedTexts out;
  try {
    auto o = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    auto list = o->getArray("texts");
    if (!list) return Status::invalid("the appliance's answer holds no texts");
    for (size_t i = 0; i < list->size(); ++i) {
      auto t = list->getObject(static_cast<unsigned>(i));
      ServedText s;
      s.purpose = t->getValue<std::string>("purpose");
      s.textId = t->getValue<std::string>("text_id");
      s.language = t->getValue<std::string>("language");
      s.version = t->getValue<int64_t>("version");
      s.sha256 = t->getValue<std::string>("sha256");
      s.body = t->getValue<std::string>("body");
      out[{kindOf(s.purpose), s.language}] = s;
    }
  } catch (const Poco::Exception& e) {
    return Status::invalid("the consent texts are not readable: " + e.displayText());
  }
  return out;
}

Result<ServedTexts> textsInForce(KioskApi& api, const std::string& cache) {
  const ApiReply r = api.call("GET", "/v1/consent/texts");
  if (r.status == 200) {
    TOCSIN_ASSIGN_OR_RETURN(ServedTexts texts, parseTexts(r.body));
    TOCSIN_RETURN_IF_ERROR(writeFileAtomically(cache, r.body, 0600));
    return texts;
  }
  std::cerr << "tocsin-kiosk: cannot fetch the consent texts: " << r.errorMessage() << "; using the texts fetched last\n";
  auto kept = readWholeFile(cache);
  if (!kept.ok()) return Status::unavailable("cannot fetch the consent texts (" + r.errorMessage() + ") and none were kept");
  return parseTexts(*kept);
}

Status ApiSignups::failure(const ApiReply& r) const {
  if (r.status == 0) return Status::unavailable(r.errorMessage());
  if (r.status == 429) return Status(StatusCode::kTooMany, r.errorMessage());
  return Status(StatusCode::kRefused, "HTTP " + std::to_string(r.status) + ": " + r.errorMessage());
}

Result<PhoneNumber> ApiSignups::checkPhone(const std::string& typed, const std::string& region) const {
  TOCSIN_ASSIGN_OR_RETURN(PhoneNumber number, PhoneNormalizer(region).normalize(typed));
  TOCSIN_RETURN_IF_ERROR(checkSmsCapable(number));
  return number;
}

Result<PendingSignup> ApiSignups::signUp(const SignupRequest& r) {
  if (!r.alerts && !r.promotions) return Status::invalid("nothing was chosen");
  if (r.promotions && r.ageConfirmed == 0) return Status::invalid("promotions need the age confirmation");
  TOCSIN_ASSIGN_OR_RETURN(const PhoneNumber number, checkPhone(r.phone, r.region));
  std::string purposes;
  for (const char* kind : {"alerts", "promotions"}) {
    if ((std::string(kind) == "alerts" && !r.alerts) || (std::string(kind) == "promotions" && !r.promotions)) continue;
    auto t = texts_.find({kind, r.language});
    if (t == texts_.end()) return Status::notFound(std::string("no ") + kind + " text in " + r.language);
    // Exactly what was shown: its id, version and hash.
    purposes += (purposes.empty() ? "" : ",") + std::string("{\"purpose\":") + jsonString(t->second.purpose) +
                ",\"text_id\":" + jsonString(t->second.textId) + ",\"text_version\":" + std::to_string(t->second.version) +
                ",\"text_sha256\":" + jsonString(t->second.sha256) + "}";
  }
  std::string body = "{\"phone\":" + jsonString(number.e164) + ",\"language\":" + jsonString(r.language);
  if (r.name) body += ",\"name\":" + jsonString(*r.name);
  if (r.ageConfirmed) body += ",\"age_confirmed\":" + std::to_string(r.ageConfirmed);
  body += ",\"purposes\":[" + purposes + "]}";
  const ApiReply reply = api_.call("POST", "/v1/signups", body);
  if (reply.status == 0 && outbox_) {
    // The appliance is away: the sign-up waits on the tablet and goes when the link returns.
    TOCSIN_RETURN_IF_ERROR(outbox_->add(body));
    api_.setWaiting(outbox_->size());
    return PendingSignup{0, maskPhone(number.e164, callingCode(number.region))};
  }
  if (reply.status != 202 || !reply.json) return failure(reply);
  return PendingSignup{reply.json->getValue<int64_t>("signup"), maskPhone(number.e164, callingCode(number.region))};
}

Result<CodeOutcome> ApiSignups::confirm(int64_t signup, const std::string& code, int& triesLeft) {
  const ApiReply r =
      api_.call("POST", "/v1/signups/" + std::to_string(signup) + "/confirm", "{\"code\":" + jsonString(code) + "}");
  if (r.status == 200) return CodeOutcome::kConfirmed;
  if (r.status == 409) return CodeOutcome::kBlocked;
  if (r.status == 422 && r.json && r.json->has("error")) {
    triesLeft = r.json->getObject("error")->optValue<int>("tries_left", 0);
    return CodeOutcome::kWrong;
  }
  return failure(r);
}

Result<PendingSignup> ApiSignups::withdraw(const std::string& typed, const std::string& region,
                                           const std::string& language) {
  TOCSIN_ASSIGN_OR_RETURN(const PhoneNumber number, checkPhone(typed, region));
  const ApiReply r = api_.call("POST", "/v1/signups/withdraw",
                               "{\"phone\":" + jsonString(number.e164) + ",\"language\":" + jsonString(language) + "}");
  if (r.status != 202 || !r.json) return failure(r);
  return PendingSignup{r.json->getValue<int64_t>("signup"), maskPhone(number.e164, callingCode(number.region))};
}

}  // namespace tocsin::kiosk
