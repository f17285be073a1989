#pragma once
// Runs the real chanmirror binary (or any command) and captures what it printed.

#include <string>

namespace chanmirror::test {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr, interleaved
};

// `command` is passed to /bin/sh; quote paths with shell_quote.
CommandResult run_command(const std::string& command);
std::string shell_quote(const std::string& text);

}  // namespace chanmirror::test
