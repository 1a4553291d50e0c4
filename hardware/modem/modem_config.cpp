#include "hardware/modem/modem_config.h"

namespace tocsin::modem {

Result<BankConfig> parseBankConfig(JsonReader& r) {
  BankConfig bank;
  std::string type;
  int64_t attempts = bank.maxAttempts, limit = static_cast<int64_t>(bank.queueLimit);
  TOCSIN_RETURN_IF_ERROR(r.getString("type", type));
  TOCSIN_RETURN_IF_ERROR(r.getString("name", bank.name));
  TOCSIN_RETURN_IF_ERROR(r.getInt("max_attempts", attempts, 1, 100));
  TOCSIN_RETURN_IF_ERROR(r.getInt("queue_limit", limit, 1, 100'000'000));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("receipt_memory", bank.receiptMemory));
  TOCSIN_RETURN_IF_ERROR(r.getDuration("problem_cooldown", bank.problemCooldown));
  TOCSIN_ASSIGN_OR_RETURN(auto modems, r.objectArray("modems"));
  TOCSIN_RETURN_IF_ERROR(r.checkNoUnknownKeys());
  bank.maxAttempts = static_cast<int>(attempts);
  bank.queueLimit = static_cast<size_t>(limit);
  if (modems.empty()) return Status::invalid("configuration key '" + r.pathOf("modems") + "' needs at least one modem");
  for (auto& m : modems) {
    ModemConfig c;
    int64_t baud = c.baud, hang = c.timeoutsBeforeHang;
    TOCSIN_RETURN_IF_ERROR(m.getString("name", c.name));
    TOCSIN_RETURN_IF_ERROR(m.getString("device", c.device));
    TOCSIN_RETURN_IF_ERROR(m.getInt("baud", baud, 300, 4'000'000));
    TOCSIN_RETURN_IF_ERROR(m.getBool("rtscts", c.hardwareFlowControl));
    TOCSIN_RETURN_IF_ERROR(m.getString("pin", c.pin));
    TOCSIN_RETURN_IF_ERROR(m.getString("smsc", c.smsc));
    TOCSIN_RETURN_IF_ERROR(m.getString("number", c.number));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("command_timeout", c.commandTimeout));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("send_timeout", c.sendTimeout));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("poll_interval", c.pollInterval));
    TOCSIN_RETURN_IF_ERROR(m.getInt("timeouts_before_hang", hang, 1, 100));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("min_send_interval", c.minSendInterval));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("reopen_interval", c.reopenInterval));
    TOCSIN_RETURN_IF_ERROR(m.getDuration("settle_time", c.settleTime));
    TOCSIN_RETURN_IF_ERROR(m.getBool("status_reports", c.statusReports));
    TOCSIN_RETURN_IF_ERROR(m.checkNoUnknownKeys());
    if (c.device.empty()) return Status::invalid("configuration key '" + m.pathOf("device") + "' is required");
    c.baud = static_cast<int>(baud);
    c.timeoutsBeforeHang = static_cast<int>(hang);
    bank.modems.push_back(std::move(c));
  }
  return bank;
}

}  // namespace tocsin::modem
