#include "tests/support/small_filesystem.hpp"

namespace chanmirror::test {
namespace {

constexpr const char* fill_but_free = R"sh(fill_but_free() {
  dd if=/dev/zero of="$FS/filler" bs=4k 2>/dev/null
  size=$(stat -c %s "$FS/filler")
  keep=$((size > $1 * 1024 ? size - $1 * 1024 : 0))
  truncate -s "$keep" "$FS/filler"
}
)sh";

}  // namespace

std::optional<CommandResult> run_on_small_filesystem(
    const std::filesystem::path& mount_point, std::size_t kib, const std::string& script,
    const std::map<std::string, std::string>& env) {
    constexpr int cannot_mount = 97;
    auto fs = shell_quote(mount_point.string());
    std::string inner = "mount -t tmpfs -o size=" + std::to_string(kib) + "k none " + fs +
                        " 2>/dev/null || exit " + std::to_string(cannot_mount) +
                        "\nexport FS=" + fs + "\n";
    for (const auto& [name, value] : env)
        inner += "export " + name + "=" + shell_quote(value) + "\n";
    inner += fill_but_free + script;
    // -r maps the caller to root inside a new user namespace: no privilege is needed.
    auto result = run_command("unshare -rm sh -c " + shell_quote(inner));
    if (result.exit_code == cannot_mount || result.output.starts_with("unshare:"))
        return std::nullopt;
    return result;
}

}  // namespace chanmirror::test
