// libFuzzer target: the operator API's JSON request bodies, as the routes read them (alert,
// campaign, sign-up). A wrong body must end as an ApiError naming the problem (or a JSON type
// error, which the router answers 400); any other exception would be a 500: a defect.
#include <Poco/Exception.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "broadcaster/api/request_bodies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tocsin::api;
  Request req;
  req.contentType = "application/json";
  req.body.assign(reinterpret_cast<const char*>(data), size);
  Json body;
  try {
    body = parseBody(req);
  } catch (const ApiError&) {
    return 0;
  }
  for (int which = 0; which < 4; ++which) {
    try {
      switch (which) {
        case 0: (void)alertRequestFrom(body); break;
        case 1: (void)campaignRequestFrom(body, std::nullopt); break;
        case 2: (void)campaignRequestFrom(body, std::string("bakery")); break;
        default: (void)signupTextsFrom(body); break;
      }
    } catch (const ApiError&) {
    } catch (const Poco::BadCastException&) {
    }
  }
  return 0;
}
