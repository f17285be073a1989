#include <iostream>
#include <memory>

#include "app/commands.hpp"
#include "server/server.hpp"

namespace chanmirror::app {

void add_serve_command(CLI::App& root, Runner& run) {
    auto* cmd = root.add_subcommand("serve", "Serve a mirror root over HTTP/1.1 (or HTTPS)");
    auto options = std::make_shared<server::ServeOptions>();
    cmd->add_option("ROOT", options->root, "Mirror root: /<channel>/<subdir>/... is served")
        ->required()
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
    cmd->add_option("--port", options->port, "Port (0: any free port, printed on startup)")
        ->capture_default_str();
    cmd->add_option("--threads", options->threads, "Worker threads (default: one per core)");
    auto* cert = cmd->add_option("--tls-cert", options->tls_cert, "PEM certificate chain")
                     ->check(CLI::ExistingFile);
    auto* key =
        cmd->add_option("--tls-key", options->tls_key, "PEM private key")->check(CLI::ExistingFile);
    cert->needs(key);
    key->needs(cert);
    cmd->add_option("--tokens", options->tokens_file,
                    "File of access tokens, one per line (reloaded on change); "
                    "without it no token is required");
    cmd->add_option("--access-log", options->access_log,
                    "Combined-format access log: a file, or - for standard output");
    cmd->add_option("--max-age-index", options->max_age_index,
                    "Cache-Control max-age (seconds) for repodata and other index files")
        ->capture_default_str();
    cmd->callback([&run, options] {
        run = [options] {
            auto server = server::Server::create(*options);
            if (!server) {
                std::cerr << "chanmirror serve: " << server.error().message << "\n";
                return exit_fatal;
            }
            // Scripts and tests read the bound port from this line.
            std::cout << "chanmirror serve: listening on " << (*server)->url() << std::endl;
            (*server)->run(/*handle_signals=*/true);
            std::cout << "chanmirror serve: stopped" << std::endl;
            return exit_ok;
        };
    });
}

}  // namespace chanmirror::app
