#include "tests/support/small_filesystem.hpp"

#include "tests/support/temp_dir.hpp"

namespace chanmirror::test {
namespace {

// Shell functions every script gets (see the header).
constexpr const char* prelude = R"sh(fill_but_free() {
  dd if=/dev/zero of="$FS/filler" bs=4k 2>/dev/null
  size=$(stat -c %s "$FS/filler")
  keep=$((size > $1 * 1024 ? size - $1 * 1024 : 0))
  truncate -s "$keep" "$FS/filler"
}
until_it_fits() {
  step_kib=$1
  shift
  free=0
  n=0
  while :; do
    fill_but_free "$free"
    "$@" > "$OUT/$n.log" 2>&1
    echo $? > "$OUT/$n.rc"
    after_try "$n"
    find "$FS" -name '*.chanmirror-tmp-*' > "$OUT/$n.temps"
    rm -f "$FS/filler"
    [ "$(cat "$OUT/$n.rc")" = 0 ] && break
    n=$((n + 1))
    free=$((free + step_kib))
    [ "$free" -gt 4096 ] && break
  done
  echo "$n" > "$OUT/tries"
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
    inner += prelude + script;
    // -r maps the caller to root inside a new user namespace: no privilege is needed.
    auto result = run_command("unshare -rm sh -c " + shell_quote(inner));
    if (result.exit_code == cannot_mount || result.output.starts_with("unshare:"))
        return std::nullopt;
    return result;
}

std::vector<SpaceTry> read_tries(const std::filesystem::path& out) {
    std::vector<SpaceTry> tries;
    int last = std::stoi(read_bytes(out / "tries"));
    for (int n = 0; n <= last; ++n) {
        auto file = [&](const char* ext) { return read_bytes(out / (std::to_string(n) + ext)); };
        tries.push_back({file(".log"), std::stoi(file(".rc")), file(".temps")});
    }
    return tries;
}

}  // namespace chanmirror::test
