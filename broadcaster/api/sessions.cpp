#include "broadcaster/api/sessions.h"

#include "common/crypto/hash.h"

namespace tocsin::api {
namespace {

std::string secret() { return toHex(randomBytes(32).value()); }
std::string keyOf(const std::string& id) { return toHex(sha256(id)); }

}  // namespace

bool SessionTable::expired(const Session& s, MonoTime now) const {
  if (!s.complete) return now - s.started > limits_.halfWay;
  return now - s.lastUse > limits_.idle || now - s.started > limits_.absolute;
}

void SessionTable::makeRoom(MonoTime now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) it = expired(it->second, now) ? sessions_.erase(it) : std::next(it);
  // Still full: the longest unused goes.
  while (sessions_.size() >= limits_.maxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.lastUse < oldest->second.lastUse) oldest = it;
    sessions_.erase(oldest);
  }
}

IssuedSession SessionTable::startHalfWay(const engine::SignedIn& who, std::string enrolmentUri) {
  const MonoTime now = clock_.monotonic();
  IssuedSession issued{secret(), secret()};
  Session s;
  s.who = who;
  s.csrf = issued.csrf;
  s.enrolmentUri = std::move(enrolmentUri);
  s.started = s.lastUse = now;
  std::lock_guard<std::mutex> lock(mutex_);
  makeRoom(now);
  sessions_[keyOf(issued.id)] = std::move(s);
  return issued;
}

std::optional<IssuedSession> SessionTable::complete(const std::string& halfWayId, const engine::SignedIn& who) {
  const MonoTime now = clock_.monotonic();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(keyOf(halfWayId));
  if (it == sessions_.end() || it->second.complete || expired(it->second, now) || it->second.who.person != who.person)
    return std::nullopt;
  sessions_.erase(it);
  IssuedSession issued{secret(), secret()};
  Session s;
  s.who = who;
  s.complete = true;
  s.csrf = issued.csrf;
  s.started = s.lastUse = now;
  makeRoom(now);
  sessions_[keyOf(issued.id)] = std::move(s);
  return issued;
}

std::optional<Session> SessionTable::find(const std::string& id, bool touch) {
  if (id.empty()) return std::nullopt;
  const MonoTime now = clock_.monotonic();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = sessions_.find(keyOf(id));
  if (it == sessions_.end()) return std::nullopt;
  if (expired(it->second, now)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  if (it->second.complete && touch) it->second.lastUse = now;
  return it->second;
}

void SessionTable::end(const std::string& id) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(keyOf(id));
}

void SessionTable::endPerson(const std::string& person) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) it = it->second.who.person == person ? sessions_.erase(it) : std::next(it);
}

size_t SessionTable::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return sessions_.size();
}

std::string sessionCookie(const std::string& id) {
  return std::string(kSessionCookie) + "=" + id + "; Path=/; HttpOnly; Secure; SameSite=Strict";
}

std::string clearedSessionCookie() {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict";
}

}  // namespace tocsin::api
