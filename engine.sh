#!/usr/bin/env bash
# The project's one entry point.
#   ./engine.sh test                 install what is missing, build, run every test, print "N passed, N failed"
#   ./engine.sh demo [ARGS...]       install what is missing, build (converting the default model), run the demo
#   ./engine.sh weight-converter ... build if needed, run the weight converter
#   ./engine.sh ARGS...              build if needed, run the engine CLI (devices, bench, run-model, live...)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)
CONFIG=Release
BIN="$ROOT/artifacts/bin"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

APT_PACKAGES=(
  mesa-vulkan-drivers libvulkan1 vulkan-validationlayers glslc libshaderc1 libglfw3 ffmpeg xvfb
  python3-torch python3-torchvision python3-numpy python3-yaml python3-yapf libopenblas0-pthread imagemagick mosquitto chromium
)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_missing() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  if ! command -v dotnet >/dev/null 2>&1; then
    say "installing the .NET SDK"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dotnet-sdk-10.0 >/dev/null || {
      echo "error: the .NET 10 SDK is not installed and no package for it was found; install dotnet-sdk-10.0." >&2
      exit 2
    }
  fi
}

build() {
  say "building ($CONFIG)"
  mkdir -p "$ROOT/artifacts"
  local log="$ROOT/artifacts/build.log"
  if ! dotnet build "$ROOT/Engine.sln" -c "$CONFIG" -nologo -v quiet >"$log" 2>&1; then
    grep -E ": error " "$log" | sort -u >&2 || cat "$log" >&2
    echo "error: the build failed (full log: $log)" >&2
    exit 1
  fi
}

# Test fixtures come from scripts in tests/fixtures run with Debian's torch, each cached by its hash
# under ~/.cache/nonlocal-engine/fixtures (outside the clone, so CI on the same machine reuses them).
fixtures() {
  if [ -f "$ROOT/tests/fixtures/generate.py" ]; then
    say "generating test fixtures (cached by generator hash)"
    /usr/bin/python3 "$ROOT/tests/fixtures/generate.py" >&2
  fi
}

run_tests() {
  say "checking formatting"
  dotnet format "$ROOT/Engine.sln" --verify-no-changes --no-restore -v quiet || {
    echo "error: dotnet format found changes to make; run: dotnet format Engine.sln" >&2
    exit 1
  }
  fixtures
  say "running tests (Vulkan validation layer on)"
  local log="$ROOT/artifacts/test.log" status=0
  mkdir -p "$ROOT/artifacts"
  # --blame: if the test host dies (a native crash prints nothing), VSTest names the tests that were running.
  dotnet test "$ROOT/Engine.sln" -c "$CONFIG" --no-build -nologo --blame 2>&1 | tee "$log" || status=$?
  # VSTest prints one summary per test assembly: "Passed!  - Failed: 0, Passed: 38, Skipped: 0, Total: 38".
  local totals
  totals=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\1 \2 \3/' |
    awk '{f+=$1; p+=$2; s+=$3; n++} END {printf "%d %d %d %d", p, f, s, n}')
  local passed failed skipped assemblies
  read -r passed failed skipped assemblies <<<"$totals"
  if [ "$assemblies" -eq 0 ]; then
    echo "error: no test summary was printed; the test run crashed (see $log)" >&2
    failed=$((failed + 1))
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then exit 1; fi
}

cmd=${1:-}
case "$cmd" in
  test)
    install_missing
    build
    run_tests
    ;;
  demo)
    shift
    install_missing
    # The build also converts models/default into the nonlocal-action plugin folder when the package
    # is missing or older than the checkpoint (plugins/NonLocalAction/NonLocalAction.csproj).
    build
    say "running the demo (engine demo $*)"
    exec dotnet "$BIN/Engine.Cli/${CONFIG,,}/engine.dll" demo "$@"
    ;;
  weight-converter)
    shift
    build
    exec dotnet "$BIN/WeightConverter/${CONFIG,,}/weight-converter.dll" "$@"
    ;;
  "")
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
  *)
    build
    exec dotnet "$BIN/Engine.Cli/${CONFIG,,}/engine.dll" "$@"
    ;;
esac
