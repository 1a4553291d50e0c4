#include "hardware/net/connection.h"

#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Exception.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace tocsin::net {
namespace {

using Poco::Net::Context;

void initializeTls() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Net::initializeSSL();
    // Certificates that fail verification are refused, never accepted after a prompt.
    Poco::SharedPtr<Poco::Net::InvalidCertificateHandler> reject = new Poco::Net::RejectCertificateHandler(false);
    Poco::Net::SSLManager::instance().initializeClient(nullptr, reject, nullptr);
  });
}

// Writes may be retried from a buffer that has since moved (our outbox grows), and partial
// writes keep a non-blocking loop moving.
void relaxWrites(Context& context) {
  SSL_CTX_set_mode(context.sslContext(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
}

Poco::Timespan span(Micros d) { return Poco::Timespan(d.count()); }

// POCO's TLS socket keeps its own idea of blocking: with the descriptor non-blocking but POCO
// believing it blocks, an SSL read or write that would wait polls for the socket's timeout and
// throws TimeoutException. A zero timeout makes that an immediate "would block".
void makeNonBlocking(Poco::Net::StreamSocket& s) {
  s.setNoDelay(true);
  s.setReceiveTimeout(Poco::Timespan(0));
  s.setSendTimeout(Poco::Timespan(0));
  s.setBlocking(false);
}

Status netError(const std::string& what, const Poco::Exception& e) {
  return Status::unavailable(what + ": " + e.displayText());
}

std::string describePeer(const Poco::Net::StreamSocket& s) {
  try {
    return s.peerAddress().toString();
  } catch (const Poco::Exception&) {
    return "unknown peer";
  }
}

}  // namespace

Connection::Connection(std::unique_ptr<Poco::Net::StreamSocket> socket, bool tls)
    : socket_(std::move(socket)), tls_(tls), peer_(describePeer(*socket_)) {}

Connection::~Connection() { close(); }

Result<std::unique_ptr<Connection>> Connection::connect(const std::string& host, int port, Micros timeout) {
  try {
    auto s = std::make_unique<Poco::Net::StreamSocket>();
    s->connect(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), span(timeout));
    s->setNoDelay(true);
    s->setBlocking(false);
    return std::unique_ptr<Connection>(new Connection(std::move(s), false));
  } catch (const Poco::Exception& e) {
    return netError("cannot connect to " + host + ":" + std::to_string(port), e);
  }
}

Result<std::unique_ptr<Connection>> Connection::connectTls(const std::string& host, int port, Micros timeout,
                                                           const TlsClientOptions& tls) {
  initializeTls();
  try {
    Context::Params params;
    params.caLocation = tls.caFile;
    params.loadDefaultCAs = tls.caFile.empty();
    params.verificationMode = tls.verify ? Context::VERIFY_RELAXED : Context::VERIFY_NONE;
    Context::Ptr context = new Context(Context::TLS_CLIENT_USE, params);
    context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    relaxWrites(*context);
    auto s = std::make_unique<Poco::Net::SecureStreamSocket>(context);
    s->setPeerHostName(host);
    s->connect(Poco::Net::SocketAddress(host, static_cast<Poco::UInt16>(port)), span(timeout));
    s->setReceiveTimeout(span(timeout));
    s->setSendTimeout(span(timeout));
    s->completeHandshake();
    makeNonBlocking(*s);
    return std::unique_ptr<Connection>(new Connection(std::move(s), true));
  } catch (const Poco::Exception& e) {
    return netError("TLS connection to " + host + ":" + std::to_string(port) + " failed", e);
  }
}

Result<std::unique_ptr<Connection>> Connection::adopt(Poco::Net::StreamSocket socket, Micros handshakeTimeout) {
  try {
    const bool tls = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl()) != nullptr;
    std::unique_ptr<Poco::Net::StreamSocket> s;
    if (tls) {
      auto secure = std::make_unique<Poco::Net::SecureStreamSocket>(socket);
      secure->setReceiveTimeout(span(handshakeTimeout));
      secure->setSendTimeout(span(handshakeTimeout));
      secure->completeHandshake();
      s = std::move(secure);
    } else {
      s = std::make_unique<Poco::Net::StreamSocket>(socket);
    }
    makeNonBlocking(*s);
    return std::unique_ptr<Connection>(new Connection(std::move(s), tls));
  } catch (const Poco::Exception& e) {
    return netError("handshake with " + describePeer(socket) + " failed", e);
  }
}

int Connection::fd() const { return socket_ ? static_cast<int>(socket_->impl()->sockfd()) : -1; }

Result<size_t> Connection::readSome(std::string& into) {
  if (!socket_) return Status::unavailable("connection closed");
  char buf[65536];
  size_t total = 0;
  try {
    while (true) {
      const int n = socket_->receiveBytes(buf, sizeof buf);
      if (n > 0) {
        into.append(buf, static_cast<size_t>(n));
        total += static_cast<size_t>(n);
        if (total >= (1u << 20)) return total;  // let the caller work; more will come
        continue;
      }
      if (n == 0) {
        if (total > 0) return total;  // report the close on the next call
        return Status::unavailable("the peer closed the connection");
      }
      return total;  // would block (or TLS wants more bytes)
    }
  } catch (const Poco::TimeoutException&) {
    return total;  // TLS: nothing more to read now
  } catch (const Poco::Exception& e) {
    if (total > 0) return total;
    return netError("read from " + peer_ + " failed", e);
  }
}

Result<size_t> Connection::writeSome(std::string_view data) {
  if (!socket_) return Status::unavailable("connection closed");
  size_t total = 0;
  try {
    while (total < data.size()) {
      const int chunk = static_cast<int>(std::min<size_t>(data.size() - total, 1u << 20));
      const int n = socket_->sendBytes(data.data() + total, chunk);
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    return total;
  } catch (const Poco::TimeoutException&) {
    return total;  // TLS: the socket is full for now
  } catch (const Poco::Exception& e) {
    return netError("write to " + peer_ + " failed", e);
  }
}

bool Connection::buffered() const {
  if (!tls_ || !socket_) return false;
  try {
    return socket_->available() > 0;
  } catch (const Poco::Exception&) {
    return false;
  }
}

void Connection::close() {
  if (!socket_) return;
  try {
    socket_->close();
  } catch (const Poco::Exception&) {
  }
  socket_.reset();
}

struct Listener::Impl {
  std::unique_ptr<Poco::Net::ServerSocket> socket;
  bool tls = false;
};

Listener::Listener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Listener::~Listener() { close(); }

Result<std::unique_ptr<Listener>> Listener::open(const std::string& host, int port, const TlsServerOptions* tls) {
  try {
    auto impl = std::make_unique<Impl>();
    const Poco::Net::SocketAddress address(host, static_cast<Poco::UInt16>(port));
    if (tls) {
      initializeTls();
      Context::Params params;
      params.privateKeyFile = tls->privateKeyFile;
      params.certificateFile = tls->certificateFile;
      params.verificationMode = Context::VERIFY_NONE;
      params.loadDefaultCAs = false;
      Context::Ptr context = new Context(Context::TLS_SERVER_USE, params);
      context->requireMinimumProtocol(Context::PROTO_TLSV1_2);
      relaxWrites(*context);
      impl->socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 256, context);
      impl->tls = true;
    } else {
      impl->socket = std::make_unique<Poco::Net::ServerSocket>(address, 256);
    }
    return std::unique_ptr<Listener>(new Listener(std::move(impl)));
  } catch (const Poco::Exception& e) {
    return netError("cannot listen on " + host + ":" + std::to_string(port), e);
  }
}

int Listener::port() const { return impl_->socket ? impl_->socket->address().port() : 0; }
int Listener::fd() const { return impl_->socket ? static_cast<int>(impl_->socket->impl()->sockfd()) : -1; }

Result<std::unique_ptr<Connection>> Listener::accept(Micros wait) {
  if (!impl_->socket) return Status::unavailable("listener closed");
  pollfd p{fd(), POLLIN, 0};
  const int rc = ::poll(&p, 1, static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
  if (rc <= 0) return std::unique_ptr<Connection>();
  try {
    Poco::Net::StreamSocket s = impl_->socket->acceptConnection();
    return Connection::adopt(s, std::chrono::seconds(10));
  } catch (const Poco::Exception& e) {
    return netError("accept failed", e);
  }
}

void Listener::close() {
  if (impl_ && impl_->socket) {
    try {
      impl_->socket->close();
    } catch (const Poco::Exception&) {
    }
    impl_->socket.reset();
  }
}

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
Wakeup::~Wakeup() { ::close(fd_); }

void Wakeup::signal() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);
}

void Wakeup::clear() {
  uint64_t v;
  [[maybe_unused]] ssize_t n = ::read(fd_, &v, sizeof v);
}

}  // namespace tocsin::net
