// The operator API's HTTP(S) server: POCO's TCPServer and HTTP connections in front of a Router.
//
// HTTPS by default (TLS 1.3, or 1.2 with ECDHE and AEAD only). When no certificate is
// configured, a self-signed one is made on first start next to the store's keys and reused
// afterwards. Plain HTTP is only allowed on a loopback address, and only when asked for.
//
// Each connection is served by one thread of a pool (POCO's model). What keeps a hostile
// client from using them all up (connection_guard.h): caps on open connections, in all and per
// address, checked at accept; a deadline for each request's TLS handshake and headers; and a
// bounded accept queue. The router matches the route, applies rate limits and authenticates
// before any body is read; bodies are then read within a size limit per route and a deadline.
// An upload (the CSV import) goes to a file, not to memory.
#pragma once

#include <memory>
#include <string>

#include "broadcaster/api/connection_guard.h"
#include "broadcaster/api/metrics.h"
#include "broadcaster/api/router.h"
#include "common/base/clock.h"
#include "common/base/status.h"

namespace tocsin::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8443;         // 0: any free port (tests)
  bool plainHttp = false;       // loopback only
  std::string certificateFile;  // PEM; with keyFile. Empty: the self-signed pair below
  std::string keyFile;
  std::string selfSignedDirectory;  // where the self-signed pair is made on first start
  int maxThreads = 2048;                // threads serving connections (small stacks)
  int maxQueued = 4096;                 // accepted connections waiting for a thread
  size_t maxConnections = 1800;         // open at once; more are refused at accept
  size_t maxConnectionsPerAddress = 64;
  int headerSeconds = 10;               // accept (or previous answer) to a request's complete headers
  int bodySeconds = 30;                 // a request's body; an upload gets ten times as long
  int keepAliveSeconds = 5;             // idle time between requests on one connection
  size_t maxBodyBytes = 1 << 20;        // larger bodies get 413
  size_t maxCsvBodyBytes = 64u << 20;   // uploads (contact imports)
  std::string uploadDirectory = "/tmp"; // where uploads are kept while they are handled
};

class ApiServer {
 public:
  // Binds and starts serving; the Router and Metrics must outlive the server.
  static Result<std::unique_ptr<ApiServer>> start(const ServerOptions& options, const Router& router, Metrics& metrics,
                                                  Clock& clock);
  ~ApiServer();
  uint16_t port() const;
  const std::string& certificateFile() const;  // "" for plain HTTP
  // Connections open, refused at accept, and shut down for missing their deadline.
  GuardCounts connections() const;
  void stop();

  struct Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:8443" / "[::1]:8443" / ":8443" -> host and port.
Status parseListen(const std::string& text, std::string& host, uint16_t& port);

}  // namespace tocsin::api
