#!/usr/bin/env python3
"""Fails when a layer reaches outward (docs/architecture.md, "Layers").

services/<s>/domain  the standard library and the platform's core only: no I/O, no library
services/<s>/app     + its own domain and app, and Asio's awaitable type for its ports
services/<s>/infra   anything; main.cpp and tests too
libs/platform/<part> only the parts it is declared to depend on (libs/platform/CMakeLists.txt)
No service includes another service's headers: they share events, never code.
No public platform header (libs/platform/<part>/include) includes a wrapped C library's header:
the part links it privately, so its users neither see nor link it.

Usage: check_layers.py [ROOT]; prints each violation as file:line: what, exits 1 if any.
"""
import os
import re
import sys

STD = set("""
algorithm any array atomic barrier bit bitset cassert cctype cerrno cfloat charconv chrono
cinttypes climits clocale cmath compare complex concepts condition_variable coroutine csignal
cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception
execution expected filesystem format forward_list fstream functional future initializer_list
iomanip ios iosfwd iostream istream iterator latch limits list locale map memory memory_resource
mutex new numbers numeric optional ostream print queue random ranges ratio regex scoped_allocator
semaphore set shared_mutex source_location span spanstream sstream stack stacktrace stdexcept
stop_token streambuf string string_view syncstream system_error thread tuple type_traits
typeindex typeinfo unordered_map unordered_set utility valarray variant vector version
""".split())

# What each platform part may include from the others (its own headers always).
PART_DEPENDS = {
    "core": set(),
    "base": {"core"},
    "http": {"core", "base"},
    "pg": {"core", "base"},
    "redis": {"core", "base"},
    "bus": {"core", "base", "pg"},
    "auth": {"core", "base", "http", "pg", "redis", "bus"},
    "service": {"core", "base", "http", "pg", "redis", "bus", "auth"},
    "testing": {"core", "base"},
}
# Core headers a domain may not use although they are standard-library-only: threads are I/O's kin.
NOT_FOR_DOMAIN = {"platform/background_loop.hpp"}
# The C libraries the parts wrap; only a part's src/ may include them.
PRIVATE_LIBRARY_HEADERS = {"libpq-fe.h", "nats/nats.h", "hiredis/hiredis.h", "hiredis/async.h"}
# Header-only parts for tests, which link their library publicly by design.
PUBLIC_LIBRARY_PARTS = {"testing"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def platform_headers(root):
    """Maps "platform/x.hpp" to the part that holds it."""
    owner = {}
    base = os.path.join(root, "libs", "platform")
    for part in PART_DEPENDS:
        inc = os.path.join(base, part, "include")
        for folder, _, files in os.walk(inc):
            for name in files:
                rel = os.path.relpath(os.path.join(folder, name), inc)
                owner[rel] = part
    return owner


def includes(path):
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield number, m.group(1), m.group(2)


def check_service_file(path, layer, owner, problems):
    for line, kind, header in includes(path):
        where = f"{path}:{line}"
        if kind == "<" and header in STD:
            continue
        if header.startswith("platform/"):
            part = owner.get(header)
            if part is None:
                problems.append(f"{where}: {header} is not a platform header")
            elif part != "core" or (layer == "domain" and header in NOT_FOR_DOMAIN):
                problems.append(f"{where}: the {layer} layer includes {header} (platform/{part})")
            continue
        if kind == '"' and header.startswith("domain/"):
            continue
        if layer == "app" and kind == '"' and header.startswith("app/"):
            continue
        if layer == "app" and header == "boost/asio/awaitable.hpp":
            continue
        problems.append(f"{where}: the {layer} layer includes {header}")


def check_platform_file(path, part, owner, problems, public):
    allowed = PART_DEPENDS[part] | {part}
    for line, kind, header in includes(path):
        if public and header in PRIVATE_LIBRARY_HEADERS and part not in PUBLIC_LIBRARY_PARTS:
            problems.append(f"{path}:{line}: public header of platform/{part} includes {header} "
                            f"(the part links it privately; keep it in {part}/src)")
        if header.startswith("platform/") and header in owner and owner[header] not in allowed:
            problems.append(f"{path}:{line}: platform/{part} includes {header} "
                            f"(platform/{owner[header]}, not among its dependencies)")


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    owner = platform_headers(root)
    problems = []
    services_dir = os.path.join(root, "services")
    services = sorted(d for d in os.listdir(services_dir)
                      if os.path.isdir(os.path.join(services_dir, d)))
    checked = 0
    for service in services:
        for folder, _, files in os.walk(os.path.join(services_dir, service)):
            rel = os.path.relpath(folder, os.path.join(services_dir, service)).split(os.sep)
            for name in files:
                if not name.endswith((".cpp", ".hpp")):
                    continue
                path = os.path.join(folder, name)
                checked += 1
                if rel[0] in ("domain", "app"):
                    check_service_file(path, rel[0], owner, problems)
                for line, kind, header in includes(path):
                    if kind == '"' and header.startswith("services/"):
                        problems.append(f"{path}:{line}: includes another service's {header}")
    for part in PART_DEPENDS:
        part_dir = os.path.join(root, "libs", "platform", part)
        for folder, _, files in os.walk(part_dir):
            public = os.path.relpath(folder, part_dir).split(os.sep)[0] == "include"
            for name in files:
                if name.endswith((".cpp", ".hpp")):
                    checked += 1
                    check_platform_file(os.path.join(folder, name), part, owner, problems, public)
    for p in problems:
        print(p)
    print(f"layers: {checked} files checked, {len(problems)} violations")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
