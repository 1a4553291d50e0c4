#include "broadcaster/api/server.h"

#include <sys/stat.h>

#include <istream>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "common/base/text.h"
#include "common/crypto/certificate.h"

namespace tocsin::api {
namespace {

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256";

// A private key anyone else on the machine can read is no longer private: refused, naming it.
Status checkPrivateKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Status::invalid("the TLS key " + path + " cannot be read");
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return Status::invalid("the TLS key " + path + " is readable by other users (mode " +
                           std::to_string((st.st_mode >> 6) & 7) + std::to_string((st.st_mode >> 3) & 7) +
                           std::to_string(st.st_mode & 7) + "); make it 0600 (chmod 600 " + path + ")");
  return Status::okStatus();
}

std::string mediaType(const std::string& header) { return toLower(trim(header.substr(0, header.find(';')))); }

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  Handler(const Router& router, Metrics& metrics, const ServerOptions& options, const Clock& clock)
      : router_(router), metrics_(metrics), options_(options), clock_(clock) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    const MonoTime started = clock_.monotonic();
    Request req;
    Response res;
    try {
      Poco::URI uri(in.getURI());
      req.method = in.getMethod();
      req.path = uri.getPath();
      for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
      req.contentType = mediaType(in.getContentType());
      req.authorization = in.get("Authorization", "");
      if (in.has("Idempotency-Key")) req.idempotencyKey = in.get("Idempotency-Key");
      req.peer = in.clientAddress().host().toString();
      res = readBody(in, req);
      if (res.status == 0) res = router_.dispatch(req);
    } catch (const Poco::Exception& e) {
      res = errorResponse(400, "bad_request", "the request could not be read: " + e.displayText(), "");
    }
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
    out.setContentType(res.contentType);
    out.setContentLength(static_cast<std::streamsize>(res.body.size()));
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : res.headers) out.set(name, value);
    if (!options_.plainHttp) out.set("Strict-Transport-Security", "max-age=31536000");
    out.sendBuffer(res.body.data(), res.body.size());
    const double seconds = std::chrono::duration<double>(clock_.monotonic() - started).count();
    metrics_.observe(req.route, res.status, seconds);
  }

 private:
  // Status 0: read; otherwise the error to send instead of dispatching.
  Response readBody(Poco::Net::HTTPServerRequest& in, Request& req) {
    const size_t limit = req.contentType == "text/csv" ? options_.maxCsvBodyBytes : options_.maxBodyBytes;
    std::istream& body = in.stream();
    char buffer[16384];
    if (in.hasContentLength() && static_cast<uint64_t>(in.getContentLength64()) > limit) {
      // A body a little too large is read and dropped, so the client can read the answer;
      // a huge one is not read at all (the connection closes after the answer).
      if (static_cast<uint64_t>(in.getContentLength64()) <= limit + (4u << 20))
        while (body.read(buffer, sizeof buffer) || body.gcount() > 0) {
        }
      return errorResponse(413, "payload_too_large", "the body is larger than " + std::to_string(limit) + " bytes", "body");
    }
    while (body) {
      body.read(buffer, sizeof buffer);
      req.body.append(buffer, static_cast<size_t>(body.gcount()));
      if (req.body.size() > limit)
        return errorResponse(413, "payload_too_large", "the body is larger than " + std::to_string(limit) + " bytes", "body");
    }
    return Response{0, "", "", {}};
  }

  const Router& router_;
  Metrics& metrics_;
  const ServerOptions& options_;
  const Clock& clock_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(const Router& router, Metrics& metrics, const ServerOptions& options, const Clock& clock)
      : router_(router), metrics_(metrics), options_(options), clock_(clock) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
    return new Handler(router_, metrics_, options_, clock_);
  }

 private:
  const Router& router_;
  Metrics& metrics_;
  const ServerOptions& options_;
  const Clock& clock_;
};

}  // namespace

struct ApiServer::Impl {
  ServerOptions options;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  uint16_t port = 0;
  std::string certificate;
};

Status parseListen(const std::string& text, std::string& host, uint16_t& port) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return Status::invalid("--listen is HOST:PORT, e.g. 127.0.0.1:8443");
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  const std::string p = text.substr(colon + 1);
  if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos || std::stoul(p) > 65535)
    return Status::invalid("the port in '" + text + "' is not a number from 0 to 65535");
  port = static_cast<uint16_t>(std::stoul(p));
  Poco::Net::IPAddress address;
  if (!Poco::Net::IPAddress::tryParse(host, address)) return Status::invalid("'" + host + "' is not an IP address to listen on");
  return Status::okStatus();
}

Result<std::unique_ptr<ApiServer>> ApiServer::start(const ServerOptions& options, const Router& router, Metrics& metrics,
                                                    const Clock& clock) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  try {
    const Poco::Net::SocketAddress address(options.host, options.port);
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    if (options.plainHttp) {
      if (!address.host().isLoopback())
        return Status::invalid("plain HTTP is only allowed on a loopback address, not " + options.host +
                               "; remove api.plain_http or listen on 127.0.0.1");
      socket = std::make_unique<Poco::Net::ServerSocket>(address, 128);
    } else {
      std::string cert = options.certificateFile, key = options.keyFile;
      if (cert.empty() != key.empty()) return Status::invalid("give both api.tls_certificate and api.tls_key, or neither");
      if (cert.empty()) {
        if (options.selfSignedDirectory.empty()) return Status::invalid("no TLS certificate and nowhere to make one");
        cert = options.selfSignedDirectory + "/api-certificate.pem";
        key = options.selfSignedDirectory + "/api-key.pem";
        struct stat st {};
        if (::stat(cert.c_str(), &st) != 0 || ::stat(key.c_str(), &st) != 0) {
          CertificateRequest request;
          request.commonName = "tocsin-api";
          TOCSIN_RETURN_IF_ERROR(createSelfSignedCertificate(request, key, cert));
        }
      }
      TOCSIN_RETURN_IF_ERROR(checkPrivateKeyFile(key));
      Poco::Net::initializeSSL();
      // TLS 1.3, and for 1.2 only forward-secret key exchange with authenticated encryption: no
      // static RSA, no CBC, no SHA-1 MACs.
      Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key, cert, "",
                                                               Poco::Net::Context::VERIFY_NONE, 9, false, kTls12Ciphers);
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      context->enableSessionCache(true, "tocsin-api");
      context->preferServerCiphers();
      socket = std::make_unique<Poco::Net::SecureServerSocket>(address, 128, context);
      impl->certificate = cert;
    }
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options.maxThreads);
    params->setMaxQueued(options.maxQueued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(options.keepAliveSeconds, 0));
    params->setMaxKeepAliveRequests(0);  // unlimited on one connection
    params->setTimeout(Poco::Timespan(30, 0));
    impl->pool = std::make_unique<Poco::ThreadPool>(4, options.maxThreads + 4);
    impl->server = std::make_unique<Poco::Net::HTTPServer>(new Factory(router, metrics, impl->options, clock), *impl->pool,
                                                           *socket, params);
    impl->port = impl->server->port();
    impl->server->start();
  } catch (const Poco::Exception& e) {
    return Status::unavailable("the API cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                               e.displayText());
  }
  return std::unique_ptr<ApiServer>(new ApiServer(std::move(impl)));
}

ApiServer::ApiServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiServer::~ApiServer() { stop(); }
uint16_t ApiServer::port() const { return impl_->port; }
const std::string& ApiServer::certificateFile() const { return impl_->certificate; }

void ApiServer::stop() {
  if (!impl_->server) return;
  impl_->server->stopAll(true);
  impl_->server.reset();
  impl_->pool->joinAll();
}

}  // namespace tocsin::api
