// Console sessions, kept in the daemon's memory: a session id (the cookie) and a CSRF token,
// each 256 random bits, and who signed in. A session half-way (password checked, code not yet)
// lasts 5 minutes and opens nothing but the second step; a complete one ends after 15 minutes
// without use or 12 hours in all. The table keeps SHA-256 hashes of the ids, never the ids.
// A restart signs everyone out.
//
// Thread safety: every method may be called from many threads.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "broadcaster/engine/console_accounts.h"
#include "common/base/clock.h"

namespace tocsin::api {

struct SessionLimits {
  Micros idle = std::chrono::minutes(15);
  Micros absolute = std::chrono::hours(12);
  Micros halfWay = std::chrono::minutes(5);
  size_t maxSessions = 10000;
};

struct Session {
  engine::SignedIn who;
  bool complete = false;
  std::string csrf;
  std::string enrolmentUri;  // half-way sessions that enrol a TOTP secret
  MonoTime started{};
  MonoTime lastUse{};
};

struct IssuedSession {
  std::string id;  // the cookie's value
  std::string csrf;
};

class SessionTable {
 public:
  explicit SessionTable(const Clock& clock, SessionLimits limits = {}) : clock_(clock), limits_(limits) {}

  IssuedSession startHalfWay(const engine::SignedIn& who, std::string enrolmentUri);
  // Replaces a half-way session by a complete one under a new id (the id seen before the
  // second step is never the one that acts).
  std::optional<IssuedSession> complete(const std::string& halfWayId, const engine::SignedIn& who);
  // The live session under `id`, nullopt when unknown or expired. `touch`: the person did
  // something, so its idle time starts again (a page polling by itself does not).
  std::optional<Session> find(const std::string& id, bool touch = true);
  void end(const std::string& id);
  void endPerson(const std::string& person);
  size_t size() const;

 private:
  bool expired(const Session& s, MonoTime now) const;
  void makeRoom(MonoTime now);  // REQUIRES: mutex_ held

  const Clock& clock_;
  SessionLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, Session> sessions_;  // by SHA-256 of the id, hex
};

// "tocsin_session=<id>; Path=/; HttpOnly; Secure; SameSite=Strict", or the one that clears it.
std::string sessionCookie(const std::string& id);
std::string clearedSessionCookie();
inline constexpr const char* kSessionCookie = "tocsin_session";

}  // namespace tocsin::api
