#include "broadcaster/api/connection_guard.h"

#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace tocsin::api {

ConnectionGuard::ConnectionGuard(Clock& clock, GuardLimits limits) : clock_(clock), limits_(limits) {
  reaper_ = std::thread([this] { reap(); });
}

ConnectionGuard::~ConnectionGuard() {
  stop_.trigger();
  reaper_.join();
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : entries_) ::close(e.ownFd);
}

std::string ConnectionGuard::addressKey(const std::string& address) {
  if (address.find(':') == std::string::npos) return address;
  // IPv6: the first four groups, as one client holds a whole /64.
  std::string key;
  int groups = 0;
  for (char c : address) {
    if (c == ':' && ++groups == 4) break;
    key += c;
  }
  return key + "::/64";
}

bool ConnectionGuard::admit(int fd, const std::string& address) {
  const std::string key = addressKey(address);
  std::lock_guard lock(mutex_);
  // The system reused a descriptor whose connection ended a moment ago: that entry is over.
  if (auto old = byFd_.find(fd); old != byFd_.end()) drop(entries_.find(old->second));
  if (entries_.size() >= limits_.maxConnections) {
    ++counts_.refusedTotal;
    return false;
  }
  size_t& fromThere = perAddress_[key];
  if (fromThere >= limits_.maxPerAddress) {
    ++counts_.refusedPerAddress;
    return false;
  }
  const int own = ::dup(fd);
  if (own < 0) {
    ++counts_.refusedTotal;  // out of descriptors: refusing is the only safe answer
    return false;
  }
  ++fromThere;
  const uint64_t id = nextId_++;
  entries_[id] = Entry{own, fd, key, clock_.monotonic() + limits_.headerDeadline, false};
  byFd_[fd] = id;
  return true;
}

uint64_t ConnectionGuard::idOf(int fd) const {
  std::lock_guard lock(mutex_);
  auto it = byFd_.find(fd);
  return it == byFd_.end() ? 0 : it->second;
}

void ConnectionGuard::headersRead(uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second.deadline.reset();
}

void ConnectionGuard::answered(uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end() && !it->second.shut)
    it->second.deadline = clock_.monotonic() + limits_.headerDeadline;
}

void ConnectionGuard::closed(uint64_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) drop(it);
}

void ConnectionGuard::drop(std::unordered_map<uint64_t, Entry>::iterator it) {
  if (it == entries_.end()) return;
  Entry& e = it->second;
  ::close(e.ownFd);
  if (auto f = byFd_.find(e.fd); f != byFd_.end() && f->second == it->first) byFd_.erase(f);
  if (auto a = perAddress_.find(e.address); a != perAddress_.end() && --a->second == 0) perAddress_.erase(a);
  entries_.erase(it);
}

void ConnectionGuard::shutdownAll() {
  std::lock_guard lock(mutex_);
  for (auto& [id, e] : entries_) {
    ::shutdown(e.ownFd, SHUT_RDWR);
    e.shut = true;
  }
}

GuardCounts ConnectionGuard::counts() const {
  std::lock_guard lock(mutex_);
  GuardCounts c = counts_;
  c.open = entries_.size();
  return c;
}

void ConnectionGuard::reap() {
  while (clock_.sleepFor(limits_.reapInterval, stop_)) {
    const MonoTime now = clock_.monotonic();
    std::lock_guard lock(mutex_);
    for (auto& [id, e] : entries_) {
      if (e.shut || !e.deadline || now < *e.deadline) continue;
      // Shutting the socket down (not closing our descriptor) ends the worker's blocked read at
      // once; the worker then closes the connection as usual.
      ::shutdown(e.ownFd, SHUT_RDWR);
      e.shut = true;
      ++counts_.reaped;
    }
  }
}

}  // namespace tocsin::api
