// Who is calling: the Principal for an "Authorization: Bearer <token>" header from a peer.
#pragma once

#include <string>

#include "broadcaster/api/api.h"
#include "common/store/store.h"

namespace tocsin::api {

// The Principal, or an ApiError (401 for a missing, unknown or revoked token; 403 for a token
// used from an address it is not allowed from).
Principal authenticate(Store& store, const std::string& authorization, const std::string& peer);

}  // namespace tocsin::api
