// placeholder so the server target has a translation unit until it grows real sources
namespace chanmirror::server {}
