// `centinela backtest`: a rule pack over recorded input, offline (eval/backtest.h).
//   backtest --pack FILE (--input FILE | --topic T [--bootstrap B] [--from OFFSETS] [--to OFFSETS]
//            | --stored FROM TO [--data-dir DIR]) [--labels FILE] [--fx FILE] [--config FILE]
//            [--alerts-out FILE] [--json]
// OFFSETS: "beginning" / "end" or PARTITION:OFFSET,... ("0:0,1:250").
#ifndef CENTINELA_CLI_BACKTEST_CMD_H_
#define CENTINELA_CLI_BACKTEST_CMD_H_

#include <string>
#include <vector>

namespace centinela::cli {

int Backtest(const std::vector<std::string>& args);

}  // namespace centinela::cli

#endif  // CENTINELA_CLI_BACKTEST_CMD_H_
