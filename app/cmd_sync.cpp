#include <iostream>

#include "app/commands.hpp"

namespace chanmirror::app {

void add_sync_command(CLI::App& root, Runner& run) {
    auto* cmd = root.add_subcommand("sync", "Mirror upstream channels (not yet built)");
    cmd->callback([&run] {
        run = [] {
            std::cerr << "chanmirror sync: not implemented yet\n";
            return exit_fatal;
        };
    });
}

}  // namespace chanmirror::app
