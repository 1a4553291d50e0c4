#include "hardware/modem/modem_bank.h"

#include <poll.h>

#include <algorithm>

namespace tocsin::modem {

ModemBank::ModemBank(BankConfig config, Clock& clock, std::unique_ptr<SerialPortOpener> opener)
    : config_(std::move(config)),
      clock_(clock),
      opener_(opener ? std::move(opener) : std::make_unique<PosixSerialPortOpener>()) {
  health_ = {BearerState::kStarting, "not started"};
  capacity_.queueLimit = config_.queueLimit;
}

ModemBank::~ModemBank() { stop(std::chrono::seconds(0)); }

void ModemBank::start(BearerListener& listener) {
  listener_ = &listener;
  core_ = std::make_unique<BankCore>(config_, listener, clock_, clock_.monotonic());
  ports_.resize(core_->modemCount());
  thread_ = std::thread([this] { run(); });
}

bool ModemBank::submit(OutboundMessage message) {
  {
    std::lock_guard lock(mutex_);
    if (!accepting_ || inbox_.size() + capacity_.queued + capacity_.inFlight >= config_.queueLimit) return false;
    inbox_.push_back(std::move(message));
    ++capacity_.queued;  // counted at once, so that a burst of submits respects the limit
  }
  wakeup_.signal();
  return true;
}

BearerHealth ModemBank::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

BearerCapacity ModemBank::capacity() const {
  std::lock_guard lock(mutex_);
  BearerCapacity c = capacity_;
  return c;
}

std::vector<ModemView> ModemBank::modems() const {
  std::lock_guard lock(mutex_);
  return modems_;
}

BankCounters ModemBank::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

bool ModemBank::waitFor(const std::function<bool(const std::vector<ModemView>&)>& done, Micros timeout) const {
  const MonoTime deadline = clock_.monotonic() + timeout;
  while (!done(modems()))
    if (clock_.sleepUntil(deadline, changed_)) return done(modems());
  return true;
}

void ModemBank::stop(Micros drain) {
  {
    std::lock_guard lock(mutex_);
    accepting_ = false;
    drain_ = drain;
  }
  stopRequested_ = true;
  wakeup_.signal();
  if (thread_.joinable()) thread_.join();
}

void ModemBank::takeInbox() {
  std::deque<OutboundMessage> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(inbox_);
  }
  wakeup_.clear();
  for (auto& m : batch) core_->add(std::move(m));
}

void ModemBank::publish(MonoTime now) {
  bool healthChanged = false;
  {
    std::lock_guard lock(mutex_);
    const BearerHealth h = core_->health(now);
    healthChanged = h.state != health_.state;
    health_ = h;
    capacity_ = core_->capacity();
    capacity_.queued += inbox_.size();
    modems_ = core_->modems(now);
    counters_ = core_->counters();
  }
  changed_.notify();
  if (healthChanged && listener_) listener_->onHealthChanged(config_.name);
}

void ModemBank::closePort(size_t i, const std::string& reason, MonoTime now) {
  ports_[i].port.reset();
  ports_[i].pendingOut.clear();
  core_->portClosed(i, reason, now);
}

void ModemBank::run() {
  bool draining = false;
  MonoTime drainDeadline{};
  while (true) {
    MonoTime now = clock_.monotonic();
    takeInbox();
    if (stopRequested_ && !draining) {
      draining = true;
      core_->stopSending();
      drainDeadline = now + drain_;
    }
    if (draining && (core_->inFlight() == 0 || now >= drainDeadline)) break;
    for (size_t i = 0; i < ports_.size(); ++i) {
      if (ports_[i].port || draining || !core_->wantsPort(i, now)) continue;
      auto port = opener_->open(core_->modemConfig(i));
      if (port.ok()) {
        ports_[i].port = std::move(*port);
        core_->portOpened(i, now);
      } else {
        core_->portOpenFailed(i, port.status().message(), now);
      }
    }
    core_->onTick(now);
    for (size_t i = 0; i < ports_.size(); ++i) {
      if (!ports_[i].port) continue;
      if (auto why = core_->hung(i)) {
        closePort(i, *why, now);
        continue;
      }
      Port& p = ports_[i];
      p.pendingOut += core_->outbox(i);
      core_->outbox(i).clear();
      if (p.pendingOut.empty()) continue;
      auto n = p.port->write(p.pendingOut);
      if (!n.ok()) {
        closePort(i, n.status().message(), now);
        continue;
      }
      p.pendingOut.erase(0, *n);
    }
    publish(now);

    std::vector<pollfd> fds;
    std::vector<size_t> owners;
    for (size_t i = 0; i < ports_.size(); ++i) {
      if (!ports_[i].port || ports_[i].port->fd() < 0) continue;
      fds.push_back({ports_[i].port->fd(), static_cast<short>(POLLIN | (ports_[i].pendingOut.empty() ? 0 : POLLOUT)), 0});
      owners.push_back(i);
    }
    fds.push_back({wakeup_.fd(), POLLIN, 0});
    const MonoTime wake = core_->nextWakeup(clock_.monotonic());
    const auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(wake - clock_.monotonic()).count() + 1;
    ::poll(fds.data(), fds.size(), static_cast<int>(std::clamp<int64_t>(waitMs, 0, 1000)));
    now = clock_.monotonic();
    for (size_t k = 0; k < owners.size(); ++k) {
      const size_t i = owners[k];
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)) || !ports_[i].port) continue;
      std::string data;
      const Status st = ports_[i].port->read(data);
      if (!data.empty()) core_->onBytes(i, data, now);
      if (!st.ok()) closePort(i, st.message(), now);
    }
  }
  // Whatever never left goes back to the caller, to be sent elsewhere.
  takeInbox();
  core_->failQueued(kBearerStopped);
  const MonoTime now = clock_.monotonic();
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i].port) ports_[i].port.reset();
  publish(now);
  {
    std::lock_guard lock(mutex_);
    health_ = {BearerState::kStopped, "stopped"};
  }
  changed_.notify();
  if (listener_) listener_->onHealthChanged(config_.name);
}

}  // namespace tocsin::modem
