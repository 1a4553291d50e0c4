// What keeps one client from taking the API away from the others, below HTTP: a cap on open
// connections, in all and per client address, and a deadline for every request's TLS
// handshake and headers. A connection refused by a cap is closed at accept, before a thread
// is spent on it; one that has not delivered a request's headers by its deadline (from accept,
// or from the end of the previous answer on a kept-alive connection) is shut down, which frees
// the thread reading it. While a request is being served there is no deadline here: the body
// has its own (server.cpp) and the handler runs to its end.
//
// Connections are known by an id; the guard keeps a duplicate of each socket's descriptor, so
// shutting one down can never reach a descriptor number the system has since given to another.
//
// Thread safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/base/clock.h"

namespace tocsin::api {

struct GuardLimits {
  size_t maxConnections = 1800;     // in all; keep below the server's threads
  size_t maxPerAddress = 64;        // from one client address (an IPv6 /64 counts as one)
  Micros headerDeadline = std::chrono::seconds(10);
  Micros reapInterval = std::chrono::milliseconds(200);
};

struct GuardCounts {
  size_t open = 0;
  uint64_t refusedTotal = 0, refusedPerAddress = 0, reaped = 0;
};

class ConnectionGuard {
 public:
  ConnectionGuard(Clock& clock, GuardLimits limits);
  ~ConnectionGuard();
  ConnectionGuard(const ConnectionGuard&) = delete;
  ConnectionGuard& operator=(const ConnectionGuard&) = delete;

  // At accept: false refuses the connection (the caller closes it).
  bool admit(int fd, const std::string& address);
  // The connection's id, from the worker that serves it (0 if unknown).
  uint64_t idOf(int fd) const;
  // A request's headers are in: no deadline while it is served.
  void headersRead(uint64_t id);
  // The answer is sent: the next request's headers are due by the deadline.
  void answered(uint64_t id);
  // The connection ends.
  void closed(uint64_t id);

  // Shuts every connection down (the server is stopping).
  void shutdownAll();

  GuardCounts counts() const;
  static std::string addressKey(const std::string& address);  // the address, or its /64 for IPv6

 private:
  struct Entry {
    int ownFd = -1;         // our duplicate of the socket
    int fd = -1;            // the server's descriptor, while the connection lives
    std::string address;
    std::optional<MonoTime> deadline;
    bool shut = false;
  };
  void drop(std::unordered_map<uint64_t, Entry>::iterator it);
  void reap();

  Clock& clock_;
  const GuardLimits limits_;
  mutable std::mutex mutex_;
  std::unordered_map<uint64_t, Entry> entries_;
  std::unordered_map<int, uint64_t> byFd_;
  std::map<std::string, size_t> perAddress_;
  uint64_t nextId_ = 1;
  GuardCounts counts_;
  Interrupt stop_;
  std::thread reaper_;
};

}  // namespace tocsin::api
