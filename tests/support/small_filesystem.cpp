#include "tests/support/small_filesystem.hpp"

namespace chanmirror::test {

std::optional<CommandResult> run_on_small_filesystem(const std::filesystem::path& mount_point,
                                                     std::size_t kib, const std::string& script) {
    constexpr int cannot_mount = 97;
    auto mp = shell_quote(mount_point.string());
    auto inner = "mount -t tmpfs -o size=" + std::to_string(kib) + "k none " + mp +
                 " 2>/dev/null || exit " + std::to_string(cannot_mount) + "\nFS=" + mp + "\n" +
                 script;
    // -r maps the caller to root inside a new user namespace: no privilege is needed.
    auto result = run_command("unshare -rm sh -c " + shell_quote(inner));
    if (result.exit_code == cannot_mount || result.output.starts_with("unshare:"))
        return std::nullopt;
    return result;
}

}  // namespace chanmirror::test
