// placeholder so the config target has a translation unit until it grows real sources
namespace chanmirror::config {}
