// A decoded PDU-mode message as a JSON object (field order kept), for tocsinctl pdu decode
// and the modem simulator's logs.
#pragma once

#include <Poco/JSON/Object.h>

#include "hardware/tpdu/tpdu.h"

namespace tocsin::tpdu {

Poco::JSON::Object::Ptr describe(const PduModeMessage& message);

}  // namespace tocsin::tpdu
