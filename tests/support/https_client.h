// One HTTPS request to a DaemonRig's API, trusting only the rig's certificate; the reply with its
// headers and, when the body is a JSON object, that object.
#pragma once

#include <map>
#include <string>

#include <Poco/JSON/Object.h>
#include <Poco/Net/Context.h>

#include "tests/support/daemon_rig.h"

namespace tocsin::testing {

struct Reply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  Poco::JSON::Object::Ptr json;
  std::string header(const std::string& name) const;
  std::string error() const;  // error.message, or ""
  std::string field() const;  // error.field, or ""
};

Poco::Net::Context::Ptr trusting(const std::string& ca);

Reply https(const DaemonRig& rig, const std::string& method, const std::string& path, const std::string& token = "",
            const std::string& body = "", const std::string& contentType = "application/json",
            const std::map<std::string, std::string>& headers = {});

}  // namespace tocsin::testing
