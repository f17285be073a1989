#include <iostream>

#include "app/commands.hpp"

namespace chanmirror::app {

void add_serve_command(CLI::App& root, Runner& run) {
    auto* cmd = root.add_subcommand("serve", "Serve a mirror root over HTTP/1.1 (not yet built)");
    cmd->callback([&run] {
        run = [] {
            std::cerr << "chanmirror serve: not implemented yet\n";
            return exit_fatal;
        };
    });
}

}  // namespace chanmirror::app
