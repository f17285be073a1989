#include <exception>
#include <iostream>

#include "app/commands.hpp"

int main(int argc, char** argv) {
    using namespace chanmirror::app;
    CLI::App root{
        "chanmirror: a static conda channel mirror, repodata indexer and HTTP server.\n"
        "  chanmirror sync pytorch conda-forge   mirror channels (selected subdirs/packages)\n"
        "  chanmirror index ./channel            packages -> repodata.json(.zst) + CEP-16 shards\n"
        "  chanmirror serve ./channel            serve a mirror root to conda, mamba and pixi"};
    root.require_subcommand(1);
    root.set_version_flag("--version", "chanmirror 0.1.0");

    Runner run;
    add_index_command(root, run);
    add_serve_command(root, run);
    add_sync_command(root, run);
    add_verify_command(root, run);

    try {
        root.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = root.exit(e);
        return code == 0 ? exit_ok : exit_fatal;
    }
    try {
        return run ? run() : exit_fatal;
    } catch (const std::exception& e) {
        std::cerr << "chanmirror: fatal: " << e.what() << "\n";
        return exit_fatal;
    }
}
