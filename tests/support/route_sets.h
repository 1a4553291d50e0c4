// The API's routes a kiosk's token may call, and those open to anyone, as "METHOD /path": the
// tests that try a kiosk's token against every route of /openapi.json expect 403 from the rest.
#pragma once

#include <set>
#include <string>

namespace tocsin::testing {

inline const std::set<std::string>& kioskRoutes() {
  static const std::set<std::string> kRoutes = {"GET /v1/consent/texts", "POST /v1/signups", "POST /v1/signups/withdraw",
                                                "POST /v1/signups/{id}/confirm"};
  return kRoutes;
}

inline const std::set<std::string>& openRoutes() {
  static const std::set<std::string> kRoutes = {
      "GET /health", "GET /openapi.json", "POST /v1/kiosks/{id}/pair", "GET /public", "GET /public/cap.atom",
      "GET /public/alerts/{id}", "GET /public/style.css",
      // The console's pages and its sign-in, which read no token.
      "GET /", "GET /console/{file}", "POST /v1/session", "GET /v1/session", "DELETE /v1/session",
      "POST /v1/session/code", "GET /v1/session/enrolment.svg",
      // A shop's owner activating it with the SMS code; a tracked short link.
      "POST /v1/shops/{shop}/activate", "GET /l/{code}"};
  return kRoutes;
}

}  // namespace tocsin::testing
