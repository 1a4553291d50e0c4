// SMPP 3.4 PDU encoding and decoding: pure functions over bytes.
//
// decode() takes exactly one PDU (as the framer cut it) and returns either the Pdu or a
// DecodeError carrying what the session needs to answer: the command id and sequence number
// it could read, and the SMPP status to send back (generic_nack with ESME_RINVCMDID for an
// unknown command, ESME_RINVCMDLEN for bad lengths, ESME_RINVSRCADR for an over-long source
// address, ...). Field size limits are those of SMPP 3.4, terminating NUL included.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "common/base/status.h"
#include "hardware/smpp/pdu.h"

namespace tocsin::smpp {

inline constexpr size_t kHeaderSize = 16;
// message_payload may carry up to 64 KB; anything bigger is not an SMPP PDU.
inline constexpr size_t kDefaultMaxPduSize = 70000;

struct DecodeError {
  uint32_t commandId = 0;
  uint32_t sequence = 0;
  uint32_t status = status::kUnknownError;  // what to answer with
  std::string reason;
};

using Decoded = std::variant<Pdu, DecodeError>;

Decoded decode(std::string_view bytes);

// Appends the encoded PDU to `out`; command_length is computed. Refuses fields over their
// SMPP size limits (nothing is appended then).
Status encodeInto(const Pdu& pdu, std::string& out);
Result<std::string> encode(const Pdu& pdu);

}  // namespace tocsin::smpp
