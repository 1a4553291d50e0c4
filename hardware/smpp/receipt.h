// Delivery receipts and message ids.
//
// parseReceipt() reads the text every SMSC puts in a receipt ("id:... sub:... dlvrd:... submit
// date:... done date:... stat:... err:... text:...") and tolerates the variants carriers
// send: labels in any case, missing fields, 10- or 12-digit dates, 3- or 4-digit error codes,
// opaque bytes after "text:". messageIdKeys() lets a receipt's id (often decimal) find the
// submission whose submit_sm_resp gave the same id in hexadecimal, or the other way round.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/status.h"
#include "hardware/smpp/pdu.h"

namespace tocsin::smpp {

struct DeliveryReceipt {
  std::string id;
  std::optional<int> submitted;  // sub:
  std::optional<int> delivered;  // dlvrd:
  std::optional<std::string> submitDate;  // as sent: YYMMDDhhmm or YYMMDDhhmmss
  std::optional<std::string> doneDate;
  std::string stat;  // "DELIVRD", ...
  std::optional<std::string> err;
  std::string text;  // the first characters of the message, opaque
  MessageState state = MessageState::kUnknown;
  bool final() const { return state != MessageState::kEnroute && state != MessageState::kAccepted; }
};

Result<DeliveryReceipt> parseReceipt(std::string_view text);
// The receipt carried by a deliver_sm/data_sm: its text (short_message or message_payload),
// with receipted_message_id and message_state TLVs preferred over the text when present.
Result<DeliveryReceipt> receiptFromPdu(const Pdu& pdu);

// "DELIVRD" -> kDelivered ...; also the long forms some SMSCs write ("DELIVERED").
MessageState stateFromStat(std::string_view stat);

// The keys under which a message id may be found again: the id itself case-folded without
// leading zeros, plus its hexadecimal reading written in decimal and its decimal reading
// written in hexadecimal when the digits allow. "0059113978" -> {"59113978", "38601fa"}.
std::vector<std::string> messageIdKeys(std::string_view id);
// The primary key alone (case-folded, leading zeros stripped).
std::string normalizeMessageId(std::string_view id);

}  // namespace tocsin::smpp
