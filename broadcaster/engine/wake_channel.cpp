#include "broadcaster/engine/wake_channel.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tocsin::engine {
namespace {

bool fillAddress(const std::string& path, sockaddr_un& address) {
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return false;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return true;
}

}  // namespace

std::string wakeSocketPath(const std::string& storePath) { return storePath + "-wake"; }

void notifyStoreChanged(const std::string& storePath) {
  sockaddr_un address;
  if (!fillAddress(wakeSocketPath(storePath), address)) return;
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return;
  const char byte = 1;
  // Refused, missing or full: the broadcaster is not there, or already has one to read.
  (void)::sendto(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  ::close(fd);
}

Result<std::unique_ptr<WakeListener>> WakeListener::open(const std::string& storePath, std::function<void()> onWake) {
  const std::string path = wakeSocketPath(storePath);
  sockaddr_un address;
  if (!fillAddress(path, address))
    return Status::invalid("the store's path is too long for its wake socket " + path + "; use a shorter path");
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::ioError(std::string("cannot create the wake socket: ") + std::strerror(errno));
  ::unlink(path.c_str());  // one left by a broadcaster that was killed (the caller holds the store's broadcaster lock)
  const mode_t before = ::umask(0177);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bindErrno = errno;
  ::umask(before);
  if (bound != 0) {
    ::close(fd);
    return Status::ioError("cannot bind the wake socket " + path + ": " + std::strerror(bindErrno));
  }
  const int stopFd = ::eventfd(0, EFD_CLOEXEC);
  if (stopFd < 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return Status::ioError(std::string("cannot create an eventfd: ") + std::strerror(errno));
  }
  return std::unique_ptr<WakeListener>(new WakeListener(fd, stopFd, path, std::move(onWake)));
}

WakeListener::WakeListener(int fd, int stopFd, std::string path, std::function<void()> onWake)
    : fd_(fd), stopFd_(stopFd), path_(std::move(path)), onWake_(std::move(onWake)) {
  thread_ = std::thread([this] { run(); });
}

WakeListener::~WakeListener() {
  const uint64_t one = 1;
  (void)::write(stopFd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
  ::close(stopFd_);
  ::unlink(path_.c_str());
}

void WakeListener::run() {
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stopFd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    // Several notifications make one wake-up.
    char buffer[64];
    while (::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT) > 0) {
    }
    onWake_();
  }
}

Status NotifyingStore::write(const Body& body) {
  Status st = inner_->write(body);
  if (st.ok()) changed_();
  return st;
}

}  // namespace tocsin::engine
