// Test/exercise marking of alert texts, and what a reply from a phone asks for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/jobs/job.h"

namespace tocsin::policy {

// "TEST: <text> No action is needed." in the text's language (en, fr, de, it, pl, es; English
// otherwise). Marking twice changes nothing. Live texts are returned as given.
std::string markAlertText(const std::string& text, AlertMode mode, const std::string& language);

struct ReplyIntent {
  enum class Kind { kStop, kStart, kHelp, kConfirmationCode, kOther };
  Kind kind = Kind::kOther;
  std::string code;     // for kConfirmationCode
  std::string keyword;  // the word recognised, upper-case
};

// Recognises STOP and its equivalents (STOP, STOPP, ARRET, ARRÊT, BASTA, END, QUIT, CANCEL,
// REVOKE, OPT OUT, UNSUBSCRIBE, STOPALL, DESINSCRIRE...), START, HELP (and AIDE, HILFE, AIUTO,
// POMOC, AYUDA, INFO), and a confirmation code (4 to 8 digits, alone or after a word such as
// "YES" or "OUI"). Case, accents, surrounding spaces and punctuation do not matter; a keyword
// followed by other words ("STOP please") still counts, as regulators expect.
ReplyIntent classifyReply(const std::string& text, const std::vector<std::string>& extraStopWords = {});

}  // namespace tocsin::policy
