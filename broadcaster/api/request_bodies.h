// What the API's JSON request bodies mean, as engine requests: pure functions from a parsed
// body to an AlertRequest, a CampaignRequest or a sign-up's texts. Every mistake throws
// ApiError naming the field (400 for a wrong JSON type, 422 for a wrong value); nothing here
// touches the store.
#pragma once

#include <map>

#include <optional>
#include <string>
#include <vector>

#include "broadcaster/api/api.h"
#include "broadcaster/engine/jobs.h"
#include "common/store/records.h"

namespace tocsin::api {

// {"title", "texts": [{"language", "text"}], "area": {"zones", "circles", "polygons", "all"},
//  "mode", "class", "expires", "bearers", "sender", "type", "references"}
engine::AlertRequest alertRequestFrom(const Json& body);

// {"shop"?, "title", "texts", "area": {"zones", "all"}, "sender", "at", "deadline", "bearers"}.
// `tokenShop`: a marketer's own shop, which the body may repeat but not change.
engine::CampaignRequest campaignRequestFrom(const Json& body, const std::optional<std::string>& tokenShop);

// The "purposes" of a sign-up: [{"purpose", "text_id", "text_version"}], 1 to 4 of them.
std::vector<SignupText> signupTextsFrom(const Json& body);
// Per purpose, the SHA-256 of the text shown, when the client says it.
std::map<std::string, std::string> signupTextHashes(const Json& body);

std::optional<Timestamp> optionalTime(const Json& o, const std::string& field);

}  // namespace tocsin::api
