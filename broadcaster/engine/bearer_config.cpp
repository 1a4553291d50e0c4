#include "broadcaster/engine/bearer_config.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/config/json_reader.h"
#include "hardware/modem/modem_bank.h"
#include "hardware/smpp/link.h"

namespace tocsin::engine {

Result<std::vector<BearerEntry>> parseBearers(const Poco::JSON::Object::Ptr& document) {
  std::vector<BearerEntry> out;
  if (!document || !document->has("bearers")) return out;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto entries, root.objectArray("bearers"));
  std::set<std::string> names;
  for (auto& r : entries) {
    std::string carries = "everything";
    int64_t outstanding = 0;
    BearerEntry b;
    TOCSIN_RETURN_IF_ERROR(r.getString("type", b.type));
    TOCSIN_RETURN_IF_ERROR(r.getString("carries", carries));
    TOCSIN_RETURN_IF_ERROR(r.getInt("outstanding", outstanding, 1, 1'000'000));
    TOCSIN_ASSIGN_OR_RETURN(auto replies, r.object("reply_numbers"));
    if (replies) {
      for (const auto& country : replies->keys()) {
        std::string number;
        TOCSIN_RETURN_IF_ERROR(replies->getString(country, number));
        const bool countryOk = country.size() == 2 && std::isupper(static_cast<unsigned char>(country[0])) &&
                               std::isupper(static_cast<unsigned char>(country[1]));
        size_t digits = 0;
        bool numberOk = !number.empty();
        for (size_t i = 0; i < number.size(); ++i) {
          if (i == 0 && number[i] == '+') continue;
          if (number[i] < '0' || number[i] > '9') numberOk = false;
          ++digits;
        }
        if (!countryOk || !numberOk || digits < 3 || digits > 15)
          return Status::invalid("configuration key '" + replies->pathOf(country) +
                                 "': a country code (FR) and a short code or number of 3 to 15 digits, not '" + number + "'");
        b.replyNumbers[country] = number;
      }
      TOCSIN_RETURN_IF_ERROR(replies->checkNoUnknownKeys());
    }
    if (carries == "everything") b.minRank = 0;
    else if (carries == "alerts_and_transactional") b.minRank = 1;
    else if (carries == "alerts") b.minRank = kAlertRank;
    else
      return Status::invalid("configuration key '" + r.pathOf("carries") +
                             "' is everything, alerts_and_transactional or alerts; not '" + carries + "'");
    if (b.type == "smpp") {
      TOCSIN_ASSIGN_OR_RETURN(auto c, smpp::parseSmppLinkConfig(r));
      b.name = c.name;
      b.outstanding = outstanding ? static_cast<size_t>(outstanding) : c.window;
      b.settings = std::move(c);
    } else if (b.type == "modem_bank") {
      TOCSIN_ASSIGN_OR_RETURN(auto c, modem::parseBankConfig(r));
      b.name = c.name;
      b.outstanding = outstanding ? static_cast<size_t>(outstanding) : 2 * c.modems.size();
      b.settings = std::move(c);
    } else {
      return Status::invalid("configuration key '" + r.pathOf("type") + "' is smpp or modem_bank; not '" + b.type + "'");
    }
    if (!names.insert(b.name).second) return Status::invalid("two bearers are named '" + b.name + "'; names must differ");
    out.push_back(std::move(b));
  }
  return out;
}

std::optional<std::string> replyNumberFor(const std::vector<BearerEntry>& configured, const std::vector<std::string>& chosen,
                                          const std::string& country) {
  for (const BearerEntry& b : configured) {
    if (!b.carries(MessageClass::kPromotional)) continue;
    if (!chosen.empty() && std::find(chosen.begin(), chosen.end(), b.name) == chosen.end()) continue;
    if (auto it = b.replyNumbers.find(country); it != b.replyNumbers.end()) return it->second;
  }
  return std::nullopt;
}

std::unique_ptr<Bearer> makeBearer(const BearerEntry& entry, Clock& clock) {
  if (const auto* smpp = std::get_if<smpp::SmppLinkConfig>(&entry.settings))
    return std::make_unique<smpp::SmppLink>(*smpp, clock);
  return std::make_unique<modem::ModemBank>(std::get<modem::BankConfig>(entry.settings), clock);
}

Status checkBearerChoice(const std::vector<BearerEntry>& configured, const std::vector<std::string>& chosen, MessageClass c) {
  std::set<std::string> seen;
  for (const auto& name : chosen) {
    if (!seen.insert(name).second) return Status::invalid("bearer '" + name + "' is named twice");
    const auto it = std::find_if(configured.begin(), configured.end(), [&](const BearerEntry& b) { return b.name == name; });
    if (it == configured.end()) {
      std::string known;
      for (const auto& b : configured) known += (known.empty() ? "" : ", ") + b.name;
      return Status::invalid("no bearer is named '" + name + "' (configured: " + (known.empty() ? "none" : known) + ")");
    }
    if (!it->carries(c))
      return Status::invalid("bearer '" + name + "' does not carry " + className(c) + " messages (see its \"carries\")");
  }
  return Status::okStatus();
}

Result<BroadcasterSettings> parseBroadcasterSettings(const Poco::JSON::Object::Ptr& document) {
  BroadcasterSettings s;
  if (!document || !document->has("broadcaster")) return s;
  JsonReader root(document, "");
  TOCSIN_ASSIGN_OR_RETURN(auto r, root.object("broadcaster"));
  int64_t batch = s.dispatcher.expansionBatch, campaignBatch = s.dispatcher.campaignBatch, attempts = s.dispatcher.maxAttempts;
  TOCSIN_RETURN_IF_ERROR(r->getDuration("poll_interval", s.dispatcher.pollInterval));
  TOCSIN_RETURN_IF_ERROR(r->getInt("expansion_batch", batch, 100, 10'000'000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("campaign_expansion_batch", campaignBatch, 10, 1'000'000));
  TOCSIN_RETURN_IF_ERROR(r->getInt("max_attempts", attempts, 1, 100));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("retry_min", s.dispatcher.retryMin));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("retry_max", s.dispatcher.retryMax));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("status_interval", s.dispatcher.statusInterval));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("drain", s.drain));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("progress_interval", s.progressInterval));
  TOCSIN_RETURN_IF_ERROR(r->getString("node", s.dispatcher.node));
  TOCSIN_RETURN_IF_ERROR(r->getDuration("lease", s.dispatcher.lease));
  TOCSIN_RETURN_IF_ERROR(r->checkNoUnknownKeys());
  if (s.dispatcher.node.size() > 64 ||
      s.dispatcher.node.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos)
    return Status::invalid("configuration key 'broadcaster.node' must be at most 64 letters, digits, '.', '_' or '-'");
  if (s.dispatcher.lease < std::chrono::seconds(3) || s.dispatcher.lease > std::chrono::minutes(5))
    return Status::invalid("configuration key 'broadcaster.lease' must be between 3s and 5m");
  s.dispatcher.expansionBatch = batch;
  s.dispatcher.campaignBatch = campaignBatch;
  s.dispatcher.maxAttempts = static_cast<int>(attempts);
  if (s.dispatcher.pollInterval < std::chrono::seconds(1) || s.dispatcher.pollInterval > std::chrono::minutes(10))
    return Status::invalid("configuration key 'broadcaster.poll_interval' must be between 1s and 10m");
  return s;
}

}  // namespace tocsin::engine
