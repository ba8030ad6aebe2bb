// `centinela lists ...`: sanctions and PEP list screening for compliance
// officers and operators (docs/screening.md).
//
//   lists info [NAME]                       lists loaded by the engine (API)
//   lists info --file F --format ofac|un|csv [--mapping M]   check a file, offline
//   lists load NAME [FILE] [--format F] [--category C]       reload on the engine
//   lists screen NAME [--dob D] [--country C] [--document N] [--kind K] [--list L,..]
//   lists screen --batch FILE [--out F]     one JSON result per input line
//   lists compare NAME1 NAME2               pairwise score and its explanation
//   lists evaluate                          recall / false positives / cross-script
//
// screen, info and evaluate run offline against the lists of an engine
// config with --config FILE; otherwise they ask the engine's API
// (--api, --token or $CENTINELA_API, $CENTINELA_TOKEN).
#ifndef CENTINELA_CLI_LISTS_CMD_H_
#define CENTINELA_CLI_LISTS_CMD_H_

#include <string>
#include <vector>

namespace centinela::cli {

int Lists(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_LISTS_CMD_H_
