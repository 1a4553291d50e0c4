#include "broadcaster/api/authentication.h"

#include "broadcaster/engine/credentials.h"

namespace tocsin::api {

Principal authenticate(Store& store, const std::string& authorization, const std::string& peer) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.empty()) throw ApiError(401, "unauthenticated", "send 'Authorization: Bearer <token>'");
  if (authorization.size() <= kScheme.size() || authorization.compare(0, kScheme.size(), kScheme) != 0)
    throw ApiError(401, "unauthenticated", "the Authorization header must use the Bearer scheme");
  const std::string hash = engine::tokenHash(authorization.substr(kScheme.size()));
  std::optional<ApiToken> token;
  bool personDisabled = false;
  check(store.read([&](StoreTx& tx) {
    token = tx.tokens().findByHash(hash);
    if (token && token->person) {
      const auto p = tx.people().find(*token->person);
      personDisabled = !p || p->disabledAt;
    }
    return Status::okStatus();
  }));
  // The answers never name a token: an unknown, a revoked one and one whose person was disabled
  // look alike to the caller.
  if (!token || token->revokedAt || personDisabled) throw ApiError(401, "unauthenticated", "this token is not valid");
  if (!engine::addressAllowed(token->allowFrom, peer))
    throw ApiError(403, "forbidden", "this token may not be used from this address");
  const auto role = engine::parseRole(token->role);
  if (!role) throw ApiError(401, "unauthenticated", "this token is not valid");
  return Principal{token->name, *role, token->shop, token->person};
}

}  // namespace tocsin::api
