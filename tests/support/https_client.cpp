#include "tests/support/https_client.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>

namespace tocsin::testing {

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string Reply::error() const {
  return json && json->has("error") ? json->getObject("error")->getValue<std::string>("message") : "";
}

std::string Reply::field() const {
  return json && json->has("error") && !json->getObject("error")->isNull("field")
             ? json->getObject("error")->getValue<std::string>("field")
             : "";
}

Poco::Net::Context::Ptr trusting(const std::string& ca) {
  Poco::Net::initializeSSL();
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", ca, Poco::Net::Context::VERIFY_RELAXED, 9, false);
}

Reply https(const DaemonRig& rig, const std::string& method, const std::string& path, const std::string& token,
            const std::string& body, const std::string& contentType, const std::map<std::string, std::string>& headers) {
  Poco::Net::HTTPSClientSession session("127.0.0.1", static_cast<uint16_t>(rig.port), trusting(rig.ca));
  session.setTimeout(Poco::Timespan(20, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) request.set("Authorization", "Bearer " + token);
  if (!body.empty()) request.setContentType(contentType);
  for (const auto& [k, v] : headers) request.set(k, v);
  request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Poco::Net::HTTPResponse response;
  Reply r;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), r.body);
  r.status = response.getStatus();
  for (const auto& [k, v] : response) r.headers[k] = v;
  try {
    auto v = Poco::JSON::Parser().parse(r.body);
    if (v.type() == typeid(Poco::JSON::Object::Ptr)) r.json = v.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
  }
  return r;
}

}  // namespace tocsin::testing
