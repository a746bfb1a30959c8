#!/usr/bin/env bash
# Reformats every tracked C++ file with the repository's .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z '*.cpp' '*.hpp' | xargs -0 clang-format -i
