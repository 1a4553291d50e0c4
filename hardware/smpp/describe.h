// A PDU as a JSON object (field order kept), for tocsinctl smpp decode and the simulator's logs.
#pragma once

#include <Poco/JSON/Object.h>

#include "hardware/smpp/pdu.h"

namespace tocsin::smpp {

Poco::JSON::Object::Ptr describe(const Pdu& pdu, size_t encodedLength = 0);
// Text of a short_message for people: UDH skipped, GSM/UCS-2/Latin-1 decoded (receipts as
// ASCII); nullopt when the data coding is binary.
std::optional<std::string> readableText(const ShortMessage& sm);
// The same for any user data (short_message or message_payload) with its esm_class and
// data_coding: the user data header skipped, the text decoded; nullopt for binary data.
std::optional<std::string> readableText(std::string_view userData, uint8_t esmClass, uint8_t dataCoding);

}  // namespace tocsin::smpp
