// The operator API's test harness: a store with four contacts in zones, the API on 127.0.0.1
// over real HTTPS with its own certificate, a token per role, and calls that keep what the tests
// look at (status, JSON body, Content-Type, Content-Security-Policy, a replayed answer).
#pragma once

#include <catch2/catch.hpp>

#include <Poco/JSON/Parser.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

#include "broadcaster/api/operator_api.h"
#include "broadcaster/engine/credentials.h"
#include "common/crypto/key_files.h"
#include "tests/support/environment_fixture.h"
#include "tests/support/raw_sql.h"
#include "tests/support/store_fixture.h"

namespace tocsin::apitest {

using Object = Poco::JSON::Object::Ptr;

inline std::string fixture(const std::string& name) {
  return readWholeFile(std::string(TOCSIN_CAP_FIXTURES) + "/" + name).value();
}

struct Reply {
  int status = 0;
  bool replayed = false;
  std::string body;
  std::string contentType, policy;  // Content-Type, Content-Security-Policy
  std::string retryAfter;           // Retry-After
  Object json;
  std::string error() const { return json && json->has("error") ? json->getObject("error")->getValue<std::string>("message") : ""; }
  std::string errorCode() const { return json && json->has("error") ? json->getObject("error")->getValue<std::string>("code") : ""; }
  std::string str(const std::string& k) const { return json->get(k).convert<std::string>(); }
};

struct Api {
  testing::StoreFixture f;
  policy::PolicyConfig policies = policy::parsePolicyConfig(nullptr).value();
  std::unique_ptr<engine::Environment> env;
  std::unique_ptr<api::OperatorApi> server;
  std::map<std::string, std::string> tokens;

  Api() {
    // Contacts in zones, and with coordinates for the shapes.
    ContactDetails riverside, port, depot;
    riverside.zone = "RIVERSIDE";
    port.zone = "PORT";
    depot.latitude = 45.7650;
    depot.longitude = 4.8360;
    f.addContact("+33612000001", riverside);
    f.addContact("+33612000002", riverside);
    f.addContact("+33612000003", port);
    f.addContact("+33612000004", depot);
    env = testing::environmentFor(f, {"carrier-a"}, R"("webhooks": {"allowed_hosts": ["crm.example"]})");
    api::ApiSettings settings;
    settings.server.host = "127.0.0.1";
    settings.server.port = 0;
    settings.server.maxThreads = 16;
    settings.storeConnections = 4;
    settings.server.maxBodyBytes = 64 * 1024;
    server = api::OperatorApi::start(*env, f.clock, settings).value();
    for (const auto& [name, role, shop] : std::vector<std::tuple<std::string, api::Role, std::optional<std::string>>>{
             {"olivia", api::Role::kOperator, {}},
             {"alice", api::Role::kApprover, {}},
             {"bruno", api::Role::kApprover, {}},
             {"audrey", api::Role::kAuditor, {}},
             {"mark", api::Role::kMarketer, std::string("bakery")},
             {"kiosk-1", api::Role::kKiosk, std::string("bakery")},
             {"root", api::Role::kAdmin, {}}}) {
      // People use the tokens (each their own); the kiosk and the admin's are machines'.
      std::optional<std::string> person;
      if (role != api::Role::kKiosk && role != api::Role::kAdmin) {
        person = name;
        REQUIRE(engine::addPerson(*f.store, *f.audit, "cli:test", Person{name, {}, "", {}, {}}).ok());
      }
      engine::NewToken t{name, role, shop, {}, person};
      tokens[name] = engine::createToken(*f.store, *f.audit, "cli:test", t).value();
    }
    f.approveSender("bakery", "BAKERY");
    f.approveSender("butcher", "BUTCHER");
  }

  Reply call(const std::string& method, const std::string& path, const std::string& who = "",
             const std::string& contentType = "", const std::string& body = "",
             const std::map<std::string, std::string>& headers = {}) {
    Poco::Net::initializeSSL();
    // Trusts exactly the certificate the server made on its first start.
    Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "",
                                                             server->certificateFile(), Poco::Net::Context::VERIFY_RELAXED,
                                                             9, false);
    Poco::Net::HTTPSClientSession session("127.0.0.1", server->port(), context);
    Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!who.empty()) request.set("Authorization", "Bearer " + (tokens.count(who) ? tokens[who] : who));
    if (!contentType.empty()) request.setContentType(contentType);
    for (const auto& [name, value] : headers) request.set(name, value);
    request.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(request) << body;
    Poco::Net::HTTPResponse response;
    Reply r;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
    r.replayed = response.get("Idempotent-Replayed", "") == "true";
    r.contentType = response.getContentType();
    r.policy = response.get("Content-Security-Policy", "");
    r.retryAfter = response.get("Retry-After", "");
    r.status = response.getStatus();
    try {
      auto v = Poco::JSON::Parser().parse(r.body);
      if (v.type() == typeid(Object)) r.json = v.extract<Object>();
    } catch (const Poco::Exception&) {
    }
    return r;
  }
  Reply post(const std::string& path, const std::string& who, const std::string& json) {
    return call("POST", path, who, "application/json", json);
  }

  int64_t jobCount() { return std::stoll(testing::rawQuery(f.dbPath, "SELECT count(*) FROM jobs")); }
  int64_t auditCount() { return std::stoll(testing::rawQuery(f.dbPath, "SELECT count(*) FROM audit_log")); }
};

inline const char* kFloodJson = R"({"title": "River flood", "texts": [{"language": "fr", "text": "Crue : quittez les berges."},
  {"language": "en", "text": "Flood: leave the river banks."}], "area": {"zones": ["RIVERSIDE"]}, "class": "severe"})";


// The code of the last sign-up SMS queued (the store keeps only its hash).
inline std::string lastSignupCode(const Api& a) {
  const std::string body = testing::rawQuery(a.f.dbPath, "SELECT body FROM jobs WHERE title = 'sign-up code' ORDER BY id DESC LIMIT 1");
  const auto at = body.find_first_of("0123456789");
  return at == std::string::npos ? "" : body.substr(at, 6);
}

}  // namespace tocsin::apitest
