#include <iostream>

#include "app/commands.hpp"

namespace chanmirror::app {

void add_index_command(CLI::App& root, Runner& run) {
    auto* cmd = root.add_subcommand("index", "Index a channel directory (not yet built)");
    cmd->callback([&run] {
        run = [] {
            std::cerr << "chanmirror index: not implemented yet\n";
            return exit_fatal;
        };
    });
}

}  // namespace chanmirror::app
