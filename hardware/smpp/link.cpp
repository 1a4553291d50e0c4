#include "hardware/smpp/link.h"

#include <poll.h>

#include <algorithm>

namespace tocsin::smpp {

SmppLink::SmppLink(SmppLinkConfig config, Clock& clock) : config_(std::move(config)), clock_(clock) {}

SmppLink::~SmppLink() { stop(std::chrono::seconds(0)); }

void SmppLink::start(BearerListener& listener) {
  listener_ = &listener;
  shared_ = std::make_unique<LinkShared>(config_, listener);
  thread_ = std::thread([this] { run(); });
}

bool SmppLink::submit(OutboundMessage message) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || inbox_.size() + queued_ >= config_.queueLimit) return false;
    inbox_.push_back(std::move(message));
  }
  wakeup_.signal();
  return true;
}

BearerHealth SmppLink::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

BearerCapacity SmppLink::capacity() const {
  std::lock_guard lock(mutex_);
  return {config_.messagesPerSecond, queued_ + inbox_.size(), inFlight_, config_.queueLimit};
}

LinkCounters SmppLink::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool SmppLink::waitUntilBound(Micros timeout) const {
  const MonoTime deadline = clock_.monotonic() + timeout;
  while (health().state != BearerState::kUp)
    if (clock_.sleepUntil(deadline, healthChanged_)) return health().state == BearerState::kUp;
  return true;
}

void SmppLink::stop(Micros drain) {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    drain_ = drain;
  }
  stopRequested_ = true;
  interrupt_.trigger();
  wakeup_.signal();
  if (thread_.joinable()) thread_.join();
}

void SmppLink::setHealth(BearerState state, std::string detail) {
  bool changed = false;
  {
    std::lock_guard lock(mutex_);
    changed = health_.state != state;
    health_ = {state, std::move(detail)};
  }
  healthChanged_.notify();
  if (changed && listener_) listener_->onHealthChanged(config_.name);
}

void SmppLink::publishCounters() {
  std::lock_guard lock(mutex_);
  counters_ = shared_->counters;
  queued_ = shared_->queue.size();
}

void SmppLink::takeInbox() {
  std::deque<OutboundMessage> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(inbox_);
  }
  wakeup_.clear();
  for (auto& m : batch)
    if (auto pm = shared_->prepare(std::move(m))) shared_->enqueue(pm);
}

bool SmppLink::connectAll(std::vector<Channel>& channels) {
  std::vector<BindKind> kinds;
  switch (config_.bindMode) {
    case BindMode::kTransceiver: kinds = {BindKind::kTransceiver}; break;
    case BindMode::kTransmitter: kinds = {BindKind::kTransmitter}; break;
    case BindMode::kReceiver: kinds = {BindKind::kReceiver}; break;
    case BindMode::kTransmitterAndReceiver: kinds = {BindKind::kTransmitter, BindKind::kReceiver}; break;
  }
  for (BindKind kind : kinds) {
    auto conn = config_.tls ? net::Connection::connectTls(config_.host, config_.port, config_.connectTimeout,
                                                          {config_.tlsVerify, config_.tlsCaFile})
                            : net::Connection::connect(config_.host, config_.port, config_.connectTimeout);
    if (!conn.ok()) {
      setHealth(BearerState::kDown, conn.status().message());
      return false;
    }
    Channel c;
    c.connection = std::move(*conn);
    c.session = std::make_unique<SmppSession>(*shared_, kind, clock_.monotonic());
    channels.push_back(std::move(c));
  }
  return true;
}

void SmppLink::serve(std::vector<Channel>& channels) {
  bool unbinding = false;
  while (true) {
    const Instant pass = clock_.instant();
    const MonoTime now = pass.mono;
    takeInbox();
    if (stopRequested_ && !unbinding) {
      unbinding = true;
      for (auto& c : channels) c.session->beginUnbind(now, now + drain_);
    }
    MonoTime wake = now + std::chrono::seconds(1);
    bool allBound = true;
    std::string closing;
    for (auto& c : channels) {
      c.session->onTick(pass);
      c.pendingOut += c.session->outbox();
      c.session->outbox().clear();
      if (!c.pendingOut.empty()) {
        auto n = c.connection->writeSome(c.pendingOut);
        if (!n.ok()) {
          closing = n.status().message();
          break;
        }
        c.pendingOut.erase(0, *n);
      }
      if (c.session->closeReason()) closing = *c.session->closeReason();
      if (c.session->bound()) c.wasBound = true;
      allBound = allBound && c.session->bound();
      wake = std::min(wake, c.session->nextWakeup(now));
    }
    size_t inFlight = 0;
    for (auto& c : channels) inFlight += c.session->inFlight();
    {
      std::lock_guard lock(mutex_);
      inFlight_ = inFlight;
    }
    publishCounters();
    if (!closing.empty()) {
      const bool orderly = std::all_of(channels.begin(), channels.end(), [](const Channel& c) { return c.session->unbound(); });
      setHealth(stopRequested_ ? BearerState::kStopped : BearerState::kDown,
                orderly && stopRequested_ ? "unbound" : closing);
      return;
    }
    if (allBound && health().state != BearerState::kUp && !unbinding)
      setHealth(BearerState::kUp, "bound to " + config_.host + ":" + std::to_string(config_.port) +
                                      (config_.tls ? " (TLS)" : ""));

    std::vector<pollfd> fds;
    for (auto& c : channels)
      fds.push_back({c.connection->fd(), static_cast<short>(POLLIN | (c.pendingOut.empty() ? 0 : POLLOUT)), 0});
    fds.push_back({wakeup_.fd(), POLLIN, 0});
    const bool buffered = std::any_of(channels.begin(), channels.end(), [](const Channel& c) { return c.connection->buffered(); });
    const auto waitMs = buffered ? 0 : std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(wake - clock_.monotonic()).count() + 1);
    ::poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(waitMs, 1000)));
    for (size_t i = 0; i < channels.size(); ++i) {
      Channel& c = channels[i];
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !c.connection->buffered()) continue;
      std::string data;
      auto n = c.connection->readSome(data);
      if (!data.empty()) c.session->onBytes(data, clock_.instant());
      if (!n.ok()) {
        c.session->abandon();
        setHealth(stopRequested_ ? BearerState::kStopped : BearerState::kDown, n.status().message());
        return;
      }
    }
  }
}

void SmppLink::run() {
  setHealth(BearerState::kStarting, "connecting to " + config_.host + ":" + std::to_string(config_.port));
  Micros backoff = config_.reconnectMin;
  while (!stopRequested_) {
    std::vector<Channel> channels;
    if (connectAll(channels)) {
      serve(channels);
      const bool bound = std::any_of(channels.begin(), channels.end(), [](const Channel& c) { return c.wasBound; });
      if (bound) backoff = config_.reconnectMin;
    }
    for (auto& c : channels) {
      if (c.session) c.session->abandon();
      c.connection->close();
    }
    publishCounters();
    if (stopRequested_) break;
    ++shared_->counters.reconnects;
    // Exponential backoff with +/-20% jitter, so that many links do not reconnect in step.
    std::uniform_real_distribution<double> spread(0.8, 1.2);
    const auto wait = std::chrono::duration_cast<Micros>(backoff * spread(jitter_));
    clock_.sleepFor(wait, interrupt_);
    backoff = std::min(config_.reconnectMax, backoff * 2);
  }
  // Whatever never left goes back to the caller, to be sent elsewhere.
  takeInbox();
  while (!shared_->queue.empty()) {
    PartTask t = shared_->queue.pop();
    shared_->fail(*t.message, FailureKind::kRetryable, kBearerStopped);
  }
  publishCounters();
  setHealth(BearerState::kStopped, health().detail);
}

}  // namespace tocsin::smpp
