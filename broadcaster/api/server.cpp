#include "broadcaster/api/server.h"

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <istream>

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerConnection.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include "broadcaster/api/sessions.h"
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

// An upload kept in an unnamed file and mapped read-only: its pages belong to the file, not the heap.
class MappedFile final : public BodyFile {
 public:
  MappedFile(int fd, size_t size) : fd_(fd), size_(size) {
    if (size_) data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
  }
  ~MappedFile() override {
    if (data_ && data_ != MAP_FAILED) ::munmap(data_, size_);
    ::close(fd_);
  }
  bool ok() const { return !size_ || (data_ && data_ != MAP_FAILED); }
  std::string_view text() const override { return size_ ? std::string_view(static_cast<const char*>(data_), size_) : ""; }

 private:
  int fd_;
  size_t size_;
  void* data_ = nullptr;
};

// What every handler shares: set up once per server.
struct Shared {
  const Router& router;
  Metrics& metrics;
  const ServerOptions& options;
  Clock& clock;
  ConnectionGuard& guard;
};

bool bodyFollows(const Poco::Net::HTTPServerRequest& in) {
  return in.hasContentLength() ? in.getContentLength64() > 0 : in.getChunkedTransferEncoding();
}

class Handler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit Handler(Shared& shared) : s_(shared) {}

  void handleRequest(Poco::Net::HTTPServerRequest& in, Poco::Net::HTTPServerResponse& out) override {
    const MonoTime started = s_.clock.monotonic();
    uint64_t connection = 0;
    if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&in)) connection = s_.guard.idOf(impl->socket().impl()->sockfd());
    s_.guard.headersRead(connection);
    Request req;
    Response res;
    bool bodyLeft = false;  // unread: the connection cannot carry another request
    try {
      Poco::URI uri(in.getURI());
      req.method = in.getMethod();
      req.path = uri.getPath();
      for (const auto& [k, v] : uri.getQueryParameters()) req.query[k] = v;
      req.contentType = mediaType(in.getContentType());
      req.authorization = in.get("Authorization", "");
      req.csrfToken = in.get("X-CSRF-Token", "");
      req.background = in.get("X-Tocsin-Poll", "") == "1";
      if (in.has("Cookie")) {
        Poco::Net::NameValueCollection cookies;
        in.getCookies(cookies);
        req.sessionId = cookies.get(kSessionCookie, "");
      }
      if (in.has("Idempotency-Key")) req.idempotencyKey = in.get("Idempotency-Key");
      if (in.has("X-Tocsin-Kiosk")) req.kioskReport = in.get("X-Tocsin-Kiosk").substr(0, 200);
      req.peer = in.clientAddress().host().toString();
      // Nothing of the body is read before the route, the rate limits and the token allow it.
      const Admission admitted = s_.router.admit(req, started);
      if (admitted.refusal) {
        res = *admitted.refusal;
        // A small body is read and dropped, so the client reads the answer; a larger one is
        // never read (the connection closes after the answer).
        bodyLeft = bodyFollows(in) && !drain(in, 64 * 1024);
      } else {
        res = readBody(in, req, *admitted.route, bodyLeft);
        if (res.status == 0) res = s_.router.run(*admitted.route, req);
      }
    } catch (const Poco::Exception& e) {
      res = errorResponse(400, "bad_request", "the request could not be read: " + e.displayText(), "");
      bodyLeft = true;
    }
    out.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(res.status));
    out.setContentType(res.contentType);
    out.setContentLength(static_cast<std::streamsize>(res.body.size()));
    out.set("Cache-Control", "no-store");
    out.set("X-Content-Type-Options", "nosniff");
    for (const auto& [name, value] : res.headers) out.set(name, value);
    if (!s_.options.plainHttp) out.set("Strict-Transport-Security", "max-age=31536000");
    if (bodyLeft) out.setKeepAlive(false);
    out.sendBuffer(res.body.data(), res.body.size());
    s_.guard.answered(connection);
    const double seconds = std::chrono::duration<double>(s_.clock.monotonic() - started).count();
    s_.metrics.observe(req.route, res.status, seconds);
  }

 private:
  // Status 0: read; otherwise the error to send instead of running the route.
  Response readBody(Poco::Net::HTTPServerRequest& in, Request& req, const Route& route, bool& bodyLeft) {
    const bool upload = route.body == BodySize::kUpload;
    const size_t limit = route.body == BodySize::kNone ? 4096 : upload ? s_.options.maxCsvBodyBytes : s_.options.maxBodyBytes;
    const MonoTime deadline = s_.clock.monotonic() + std::chrono::seconds(s_.options.bodySeconds * (upload ? 10 : 1));
    auto tooLarge = [&] {
      bodyLeft = true;
      return errorResponse(413, "payload_too_large", "the body is larger than " + std::to_string(limit) + " bytes", "body");
    };
    if (in.hasContentLength() && static_cast<uint64_t>(in.getContentLength64()) > limit) {
      // A body a little too large (an authorised caller's mistake) is read and dropped, so the
      // client can read the answer.
      Response r = tooLarge();
      bodyLeft = !drain(in, limit + (4u << 20));
      return r;
    }
    int file = -1;
    if (upload) {
      std::string path = s_.options.uploadDirectory + "/tocsin-upload-XXXXXX";
      file = ::mkstemp(path.data());
      if (file < 0) return errorResponse(507, "insufficient_storage", "the upload cannot be stored for handling", "body");
      ::unlink(path.c_str());  // nameless: it goes when closed
    }
    std::istream& body = in.stream();
    char buffer[16384];
    size_t total = 0;
    while (body) {
      body.read(buffer, sizeof buffer);
      const auto n = static_cast<size_t>(body.gcount());
      total += n;
      if (total > limit) {
        if (file >= 0) ::close(file);
        return tooLarge();
      }
      if (s_.clock.monotonic() > deadline) {
        if (file >= 0) ::close(file);
        bodyLeft = true;
        return errorResponse(408, "request_timeout", "the body came too slowly", "body");
      }
      if (file < 0) {
        req.body.append(buffer, n);
      } else if (n && ::write(file, buffer, n) != static_cast<ssize_t>(n)) {
        ::close(file);
        return errorResponse(507, "insufficient_storage", "the upload cannot be stored for handling", "body");
      }
    }
    if (file >= 0) {
      auto mapped = std::make_shared<MappedFile>(file, total);
      if (!mapped->ok()) return errorResponse(507, "insufficient_storage", "the upload cannot be mapped for handling", "body");
      req.upload = std::move(mapped);
    }
    return Response{0, "", "", {}};
  }

  // Reads and drops a body of at most `most` bytes (by its declared length) within the body
  // deadline; false when it is larger, slower or broken.
  bool drain(Poco::Net::HTTPServerRequest& in, size_t most) {
    if (!in.hasContentLength() || static_cast<uint64_t>(in.getContentLength64()) > most) return false;
    const MonoTime deadline = s_.clock.monotonic() + std::chrono::seconds(s_.options.bodySeconds);
    std::istream& body = in.stream();
    char buffer[16384];
    try {
      while (body.read(buffer, sizeof buffer) || body.gcount() > 0)
        if (s_.clock.monotonic() > deadline) return false;
    } catch (const Poco::Exception&) {
      return false;
    }
    return body.eof();
  }

  Shared& s_;
};

class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(Shared& shared) : s_(shared) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override { return new Handler(s_); }

 private:
  Shared& s_;
};

// An HTTP connection that tells the guard when it ends.
class GuardedConnection final : public Poco::Net::HTTPServerConnection {
 public:
  GuardedConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                    Poco::Net::HTTPRequestHandlerFactory::Ptr factory, ConnectionGuard& guard)
      : HTTPServerConnection(socket, params, factory), guard_(guard), id_(guard.idOf(socket.impl()->sockfd())) {}
  ~GuardedConnection() override { guard_.closed(id_); }
  void run() override {
    HTTPServerConnection::run();
    guard_.closed(id_);
  }

 private:
  ConnectionGuard& guard_;
  uint64_t id_;
};

class ConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ConnectionFactory(Poco::Net::HTTPServerParams::Ptr params, Poco::Net::HTTPRequestHandlerFactory::Ptr factory,
                    ConnectionGuard& guard)
      : params_(params), factory_(factory), guard_(guard) {}
  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override {
    return new GuardedConnection(socket, params_, factory_, guard_);
  }

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory::Ptr factory_;
  ConnectionGuard& guard_;
};

// The caps, at accept: a refused connection is closed before a thread is spent on it.
class AcceptFilter final : public Poco::Net::TCPServerConnectionFilter {
 public:
  explicit AcceptFilter(ConnectionGuard& guard) : guard_(guard) {}
  bool accept(const Poco::Net::StreamSocket& socket) override {
    try {
      return guard_.admit(socket.impl()->sockfd(), socket.peerAddress().host().toString());
    } catch (const Poco::Exception&) {
      return false;  // gone already
    }
  }

 private:
  ConnectionGuard& guard_;
};

// Room for every connection the caps allow, and the guard's copy of each.
void raiseDescriptorLimit(size_t connections) {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t want = std::min<rlim_t>(lim.rlim_max, static_cast<rlim_t>(connections * 2 + 512));
  if (lim.rlim_cur < want) {
    lim.rlim_cur = want;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

struct ApiServer::Impl {
  ServerOptions options;
  std::unique_ptr<ConnectionGuard> guard;
  std::unique_ptr<Shared> shared;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
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
                                                    Clock& clock) {
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
    params->setTimeout(Poco::Timespan(options.headerSeconds, 0));  // any one read
    Poco::Net::HTTPServerParams::Ptr shared(params);
    GuardLimits limits;
    limits.maxConnections = options.maxConnections;
    limits.maxPerAddress = options.maxConnectionsPerAddress;
    limits.headerDeadline = std::chrono::seconds(options.headerSeconds);
    raiseDescriptorLimit(options.maxConnections);
    impl->guard = std::make_unique<ConnectionGuard>(clock, limits);
    impl->shared = std::make_unique<Shared>(Shared{router, metrics, impl->options, clock, *impl->guard});
    // Small stacks: a thread mostly waits on its socket.
    impl->pool = std::make_unique<Poco::ThreadPool>(4, options.maxThreads + 4, 60, 256 * 1024);
    impl->server = std::make_unique<Poco::Net::TCPServer>(
        new ConnectionFactory(shared, new Factory(*impl->shared), *impl->guard), *impl->pool, *socket, shared);
    impl->server->setConnectionFilter(new AcceptFilter(*impl->guard));
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
GuardCounts ApiServer::connections() const { return impl_->guard ? impl_->guard->counts() : GuardCounts{}; }

void ApiServer::stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  // Unblock the workers still reading (idle keep-alive connections) and wait for them; the
  // guard goes last, as every connection tells it when it ends.
  impl_->guard->shutdownAll();
  impl_->pool->joinAll();
  impl_->server.reset();
  impl_->guard.reset();
}

}  // namespace tocsin::api
