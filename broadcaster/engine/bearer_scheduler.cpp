#include "broadcaster/engine/bearer_scheduler.h"

#include <algorithm>

namespace tocsin::engine {
namespace {

bool allowedBy(const std::vector<std::string>* chosen, const std::string& name) {
  return !chosen || chosen->empty() || std::find(chosen->begin(), chosen->end(), name) != chosen->end();
}

}  // namespace

void BearerScheduler::add(Bearer& bearer, int minRank, size_t limit) {
  Slot s;
  s.bearer = &bearer;
  s.minRank = minRank;
  s.limit = std::max<size_t>(1, limit);
  slots_.push_back(s);
}

std::optional<size_t> BearerScheduler::slotNamed(const std::string& name) const {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i].bearer->name() == name) return i;
  return std::nullopt;
}

std::vector<std::pair<std::string, BearerHealth>> BearerScheduler::refreshHealth() {
  std::vector<std::pair<std::string, BearerHealth>> changed;
  for (auto& s : slots_) {
    BearerHealth h = s.bearer->health();
    if (h.state != s.health.state) changed.emplace_back(s.bearer->name(), h);
    s.health = std::move(h);
  }
  return changed;
}

BearerScheduler::Plan BearerScheduler::plan() const {
  Plan p;
  p.owner_ = this;
  p.nextSlot_ = nextSlot_;
  p.room_.assign(slots_.size(), 0);
  p.promoRoom_.assign(slots_.size(), 0);
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (!s.usable() || s.outstanding >= 2 * s.limit) continue;
    p.room_[i] = 2 * s.limit - s.outstanding;
    p.urgentRoom_ += p.room_[i];
    if (s.minRank == 0 && s.promotional < s.limit) p.promoRoom_[i] = std::min(p.room_[i], s.limit - s.promotional);
  }
  return p;
}

size_t BearerScheduler::Plan::promotionalRoom(size_t urgentTaken) const {
  size_t total = 0;
  for (size_t r : promoRoom_) total += r;
  return std::min(total, urgentRoom_ > urgentTaken ? urgentRoom_ - urgentTaken : 0);
}

bool BearerScheduler::Plan::fits(size_t i, const Candidate& m) const {
  const Slot& s = owner_->slots_[i];
  return room_[i] > 0 && s.minRank <= m.rank && (m.rank > 0 || promoRoom_[i] > 0) && allowedBy(m.chosen, s.bearer->name());
}

bool BearerScheduler::Plan::canServe(const std::vector<std::string>& chosen, int rank) const {
  Candidate probe;
  probe.rank = rank;
  probe.chosen = &chosen;
  for (size_t i = 0; i < room_.size(); ++i)
    if (fits(i, probe)) return true;
  return false;
}

std::optional<size_t> BearerScheduler::Plan::place(const Candidate& m) {
  const auto& slots = owner_->slots_;
  const size_t n = slots.size();
  std::optional<size_t> pick;
  // A reply leaves by the bearer it answers (a modem's SIM answers from its own number).
  if (m.lastBearer && m.attempts == 0)
    if (auto named = owner_->slotNamed(*m.lastBearer); named && fits(*named, m)) pick = named;
  // Otherwise in turn, a retry trying another bearer than the one that failed first.
  for (size_t k = 0; !pick && k < n; ++k) {
    const size_t i = (nextSlot_ + k) % n;
    if (!fits(i, m)) continue;
    if (m.attempts > 0 && m.lastBearer && slots[i].bearer->name() == *m.lastBearer) continue;
    pick = i;
  }
  for (size_t i = 0; !pick && i < n; ++i)
    if (fits(i, m)) pick = i;
  if (!pick) return std::nullopt;
  nextSlot_ = (*pick + 1) % n;
  --room_[*pick];
  if (m.rank == 0) --promoRoom_[*pick];
  placed_.emplace_back(m.id, Flight{*pick, m.attempts + 1, m.rank, m.job});
  return pick;
}

void BearerScheduler::apply(const Plan& plan) {
  nextSlot_ = plan.nextSlot_;
  for (const auto& [id, flight] : plan.placed_) {
    Slot& s = slots_[flight.slot];
    ++s.outstanding;
    ++s.submitted;
    if (flight.rank == 0) ++s.promotional;
    if (flight.rank >= kAlertRank) ++alertsInFlight_;
    flights_[id] = flight;
  }
}

std::vector<MessageId> BearerScheduler::inFlightIds() const {
  std::vector<MessageId> ids;
  ids.reserve(flights_.size());
  for (const auto& [id, flight] : flights_) ids.push_back(id);
  return ids;
}

void BearerScheduler::finish(MessageId id, bool accepted, bool failed) {
  auto it = flights_.find(id);
  if (it == flights_.end()) return;
  Slot& s = slots_[it->second.slot];
  if (s.outstanding) --s.outstanding;
  if (it->second.rank == 0 && s.promotional) --s.promotional;
  if (it->second.rank >= kAlertRank && alertsInFlight_) --alertsInFlight_;
  if (accepted) ++s.accepted;
  if (failed) ++s.failed;
  flights_.erase(it);
}

const Flight* BearerScheduler::flight(MessageId id) const {
  auto it = flights_.find(id);
  return it == flights_.end() ? nullptr : &it->second;
}

std::vector<SlotView> BearerScheduler::view() const {
  std::vector<SlotView> out;
  for (const Slot& s : slots_)
    out.push_back({s.bearer->name(), s.health, s.minRank, s.limit, s.outstanding, s.submitted, s.accepted, s.failed});
  return out;
}

}  // namespace tocsin::engine
