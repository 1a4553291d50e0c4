#include "hardware/bearer/concat_assembler.h"

namespace tocsin {

ConcatAssembler::Complete ConcatAssembler::join(const std::string& from, const Pending& p, bool incomplete) {
  Complete c{from, p.to, {}, incomplete};
  for (const auto& part : p.parts) c.text += part.value_or(incomplete ? "[...]" : "");
  return c;
}

std::optional<ConcatAssembler::Complete> ConcatAssembler::add(const std::string& from, const std::string& to,
                                                              uint16_t reference, uint8_t total, uint8_t sequence,
                                                              std::string text, MonoTime now) {
  if (total <= 1 || sequence == 0 || sequence > total) return Complete{from, to, std::move(text), false};
  auto key = std::make_tuple(from, reference, total);
  Pending& p = pending_[key];
  if (p.parts.empty()) {
    p.parts.resize(total);
    p.to = to;
    p.deadline = now + wait_;
  }
  p.parts[sequence - 1] = std::move(text);
  for (const auto& part : p.parts)
    if (!part) return std::nullopt;
  Complete c = join(from, p, false);
  pending_.erase(key);
  return c;
}

std::vector<ConcatAssembler::Complete> ConcatAssembler::expire(MonoTime now) {
  std::vector<Complete> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.deadline <= now) {
      out.push_back(join(std::get<0>(it->first), it->second, true));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace tocsin
