// The operator API's HTTP(S) server: POCO's HTTPServer in front of a Router.
//
// HTTPS by default (TLS 1.2 or later). When no certificate is configured, a self-signed one
// is made on first start next to the store's keys and reused afterwards. Plain HTTP is only
// allowed on a loopback address, and only when asked for. Every connection is served by one
// thread of a pool sized for the keep-alive clients expected (maxThreads), so a slow client
// never holds up the others while threads remain.
#pragma once

#include <memory>
#include <string>

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
  int maxThreads = 128;
  int maxQueued = 512;
  int keepAliveSeconds = 15;
  size_t maxBodyBytes = 1 << 20;        // larger bodies get 413
  size_t maxCsvBodyBytes = 64u << 20;   // contact imports
};

class ApiServer {
 public:
  // Binds and starts serving; the Router and Metrics must outlive the server.
  static Result<std::unique_ptr<ApiServer>> start(const ServerOptions& options, const Router& router, Metrics& metrics,
                                                  const Clock& clock);
  ~ApiServer();
  uint16_t port() const;
  const std::string& certificateFile() const;  // "" for plain HTTP
  void stop();

  struct Impl;

 private:
  explicit ApiServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "127.0.0.1:8443" / "[::1]:8443" / ":8443" -> host and port.
Status parseListen(const std::string& text, std::string& host, uint16_t& port);

}  // namespace tocsin::api
