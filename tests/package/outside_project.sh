#!/usr/bin/env bash
# Plugin repositories built and tested as their authors would, against the
# KongPDK package installed into a temporary prefix (never the build tree).
#   outside_project.sh install BUILD_DIR PREFIX
#   outside_project.sh test SOURCE_DIR WORK_DIR PREFIX [FIXTURE...]
#       builds SOURCE_DIR, checks that ctest lists a test per case of each
#       FIXTURE (relative to SOURCE_DIR) and that they all pass
#   outside_project.sh scaffold WORK_DIR PREFIX NAME
#       `mock-kong new`, then `test` on what it wrote
#   outside_project.sh wrong-expectation SOURCE_DIR WORK_DIR PREFIX FIXTURE
#       a copy whose fixture expects a wrong status: ctest must fail and
#       show mock-kong's mismatch
#   outside_project.sh bench SOURCE_DIR WORK_DIR PREFIX FIXTURE PLUGIN
#       a copy with kong_add_bench_test and a baseline saved by mock-kong:
#       a plain ctest leaves the bench test out, ctest -L bench runs it (on
#       PDK calls per event, which do not depend on the machine's noise)
set -euo pipefail
mode=$1
shift

build_and_list() {  # SOURCE BUILD PREFIX
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$3" -DCMAKE_BUILD_TYPE= >/dev/null
  cmake --build "$2" >"$2/build.log" 2>&1 || { cat "$2/build.log"; exit 1; }
  ctest --test-dir "$2" -N
}

case "$mode" in
  install)
    rm -rf "$2"
    cmake --install "$1" --prefix "$2" >/dev/null
    echo "installed into $2"
    ;;
  test)
    source=$1 work=$2 prefix=$3
    shift 3
    rm -rf "$work"
    listed=$(build_and_list "$source" "$work" "$prefix")
    echo "$listed"
    for fixture in "$@"; do
      while IFS= read -r name; do
        # Each case once per protocol the project replays it in.
        count=$(grep -cF -- "/$name" <<<"$listed" || true)
        if [[ $count -lt 1 ]]; then
          echo "FAIL: no ctest test for case \"$name\" of $fixture" >&2
          exit 1
        fi
      done < <("$prefix/bin/mock-kong" --list --replay "$source/$fixture")
    done
    ctest --test-dir "$work" --output-on-failure -j 2
    ;;
  scaffold)
    work=$1 prefix=$2 name=$3
    rm -rf "$work"
    "$prefix/bin/mock-kong" new "$work/$name"
    exec "$0" test "$work/$name" "$work/build" "$prefix" "fixtures/$name.json"
    ;;
  wrong-expectation)
    source=$1 work=$2 prefix=$3 fixture=$4
    rm -rf "$work"
    mkdir -p "$work"
    cp -r "$source" "$work/src"
    # The first expected response status becomes one the plugin never answers.
    sed -i '0,/"response": *{"status": *[0-9]*/s//"response": {"status": 599/' "$work/src/$fixture"
    grep -q '"response": {"status": 599' "$work/src/$fixture"
    build_and_list "$work/src" "$work/build" "$prefix" >/dev/null
    if ctest --test-dir "$work/build" --output-on-failure -j 2 >"$work/ctest.log" 2>&1; then
      cat "$work/ctest.log"
      echo "FAIL: ctest passed with a wrong expectation" >&2
      exit 1
    fi
    cat "$work/ctest.log"
    grep -q "expect.response.status: expected 599, got " "$work/ctest.log"
    ;;
  bench)
    source=$1 work=$2 prefix=$3 fixture=$4 plugin=$5
    rm -rf "$work"
    mkdir -p "$work"
    cp -r "$source" "$work/src"
    trials=(--duration 0.2 --warmup 0.05 --repeat 4)
    cat >>"$work/src/CMakeLists.txt" <<CMAKE
kong_add_bench_test(NAME $plugin-bench FIXTURE $fixture PLUGIN $plugin
  BASELINE bench/baseline.json MAX_REGRESSION calls=0% MOCK_KONG_ARGS ${trials[*]})
CMAKE
    build_and_list "$work/src" "$work/build" "$prefix" >/dev/null
    mkdir -p "$work/src/bench"
    "$prefix/bin/mock-kong" --bench "$work/src/$fixture" "${trials[@]}" \
      --save-baseline "$work/src/bench/baseline.json" "$work/build/$plugin" >"$work/save.log"
    ctest --test-dir "$work/build" -j 2 >"$work/ctest.log" 2>&1 || { cat "$work/ctest.log"; exit 1; }
    cat "$work/ctest.log"
    grep -q "$plugin-bench .*Not Run (Disabled)" "$work/ctest.log"
    ctest --test-dir "$work/build" -L bench -V >"$work/bench.log" 2>&1 ||
      { cat "$work/bench.log"; exit 1; }
    cat "$work/bench.log"
    grep -q "$plugin-bench .*Passed" "$work/bench.log"
    grep -q "mock-kong: no regression" "$work/bench.log"
    ;;
  *)
    echo "outside_project.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
