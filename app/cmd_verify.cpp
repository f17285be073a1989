#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "core/printable.hpp"
#include "sync/verify.hpp"

namespace chanmirror::app {

void add_verify_command(CLI::App& root, Runner& run) {
    struct Args {
        std::string dest;
        std::string channel;
    };
    auto args = std::make_shared<Args>();
    auto* cmd = root.add_subcommand(
        "verify", "Re-hash a mirror against its repodata.json: missing, corrupt, unlisted files");
    cmd->add_option("DEST", args->dest, "Mirror root")->required();
    cmd->add_option("--channel", args->channel, "Only this channel (its path under DEST)");
    cmd->callback([args, &run] {
        run = [args] {
            auto report = sync::verify_mirror(args->dest, args->channel);
            if (!report) {
                std::cerr << "chanmirror verify: error: " << report.error().message << "\n";
                return exit_fatal;
            }
            std::size_t counts[3] = {0, 0, 0};
            for (const auto& p : report->problems) {
                ++counts[static_cast<int>(p.kind)];
                std::cout << sync::to_string(p.kind) << ": " << core::printable(p.path) << " ("
                          << core::printable(p.detail) << ")\n";
            }
            std::cerr << "chanmirror verify: " << report->checked << " files in " << report->subdirs
                      << " subdirs checked; " << counts[0] << " missing, " << counts[1]
                      << " corrupt, " << counts[2] << " unlisted\n";
            return report->problems.empty() ? exit_ok : exit_partial;
        };
    });
}

}  // namespace chanmirror::app
