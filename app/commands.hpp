#pragma once
// Each subcommand registers itself on the root CLI and stores what to run when it is chosen.

#include <functional>

#include <CLI/CLI.hpp>

namespace chanmirror::app {

// Exit codes shared by all subcommands.
constexpr int exit_ok = 0;
constexpr int exit_partial = 1;  // finished, but some items failed (named on stderr)
constexpr int exit_fatal = 2;    // usage or fatal error; nothing published
constexpr int exit_locked = 3;   // sync: another run holds the destination's lock

using Runner = std::function<int()>;

void add_index_command(CLI::App& root, Runner& run);
void add_serve_command(CLI::App& root, Runner& run);
void add_sync_command(CLI::App& root, Runner& run);
void add_verify_command(CLI::App& root, Runner& run);

}  // namespace chanmirror::app
