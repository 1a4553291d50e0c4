// A TCP connection, plain or TLS (POCO Net / NetSSL), used non-blocking under poll().
//
// Connecting and the TLS handshake are blocking, bounded by a timeout; afterwards reads and
// writes never block: they move what they can and say how much. TLS may hold decrypted bytes
// that poll() cannot see, so callers drain readSome() until it returns 0 and check buffered().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/base/status.h"
#include "common/base/time.h"

namespace Poco::Net {
class StreamSocket;
}

namespace tocsin::net {

struct TlsClientOptions {
  bool verify = true;  // certificate chain and host name
  std::string caFile;  // trust these CAs instead of the system's
};

struct TlsServerOptions {
  std::string certificateFile;  // PEM
  std::string privateKeyFile;   // PEM
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> connect(const std::string& host, int port, Micros timeout);
  static Result<std::unique_ptr<Connection>> connectTls(const std::string& host, int port, Micros timeout,
                                                        const TlsClientOptions& tls);
  // Takes an accepted socket (plain, or TLS from a TlsServer) and finishes its handshake.
  static Result<std::unique_ptr<Connection>> adopt(Poco::Net::StreamSocket socket, Micros handshakeTimeout);
  ~Connection();

  int fd() const;
  // Appends what can be read now. 0: nothing to read now. kUnavailable: the peer closed.
  Result<size_t> readSome(std::string& into);
  // Writes what can be written now of `data`; 0 when the socket is full.
  Result<size_t> writeSome(std::string_view data);
  // TLS: decrypted bytes waiting (poll() would not report them).
  bool buffered() const;
  void close();
  const std::string& peer() const { return peer_; }

 private:
  explicit Connection(std::unique_ptr<Poco::Net::StreamSocket> socket, bool tls);
  std::unique_ptr<Poco::Net::StreamSocket> socket_;
  bool tls_;
  std::string peer_;
};

// Listening socket for servers (the SMSC simulator, later the API): plain or TLS.
class Listener {
 public:
  static Result<std::unique_ptr<Listener>> open(const std::string& host, int port,
                                                const TlsServerOptions* tls = nullptr);
  ~Listener();
  int port() const;
  int fd() const;
  // Accepts one connection, waiting at most `wait`; nullptr when none came.
  Result<std::unique_ptr<Connection>> accept(Micros wait);
  void close();

 private:
  struct Impl;
  explicit Listener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// An eventfd another thread can poke to wake a poll() loop.
class Wakeup {
 public:
  Wakeup();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;
  int fd() const { return fd_; }
  void signal();
  void clear();

 private:
  int fd_;
};

}  // namespace tocsin::net
