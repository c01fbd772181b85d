#!/usr/bin/env bash
# Self-test: the action deploys the seed's files (examples/seed/) to the local AWS emulator, then its outputs
# and a request through the emulated listener are checked.
#
#   scripts/self-test.sh            start the emulator, run `node dist/index.js` twice as a runner would
#                                   (INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), assert, stop.
#                                   What .ci/run does. ACTION_NODE picks the Node that runs the bundle.
#
# The same steps one at a time, as .github/workflows/ci.yml uses them around `uses: ./`:
#   scripts/self-test.sh start      start `npm run emulator` in the background (its own process group),
#                                   wait until it answers, export the AWS_* variables that point the SDK at
#                                   it (to GITHUB_ENV when set, else printed as `export` lines).
#   scripts/self-test.sh assert-first   the outputs of a first deploy (in OUT_* variables, see below),
#   scripts/self-test.sh assert-again   the outputs of a second run with the same inputs (changed: false),
#                                   each also GET /hostname through the emulated listener.
#   scripts/self-test.sh stop       stop the emulator (its whole process group).
#
# The inputs live here once (inputs_env) and in ci.yml's `with:`; both are the seed's files.
set -euo pipefail
cd "$(dirname "$0")/.."

state_dir="${SELF_TEST_DIR:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}/ecs-alb-deploy-self-test}"
mkdir -p "$state_dir"
pid_file="$state_dir/emulator.pid"
log_file="$state_dir/emulator.log"

fail() {
  echo "::error::self-test: $*" >&2
  exit 1
}

# The seed's walk: its four files, unchanged, into the emulator's seeded cluster.
inputs_env() {
  cat <<'EOF'
INPUT_CLUSTER=ecs-demo
INPUT_LOAD-BALANCER=examples/seed/alb.json
INPUT_TARGET-GROUP=examples/seed/target-group.json
INPUT_TASK-DEFINITION=examples/seed/task-definition.json
INPUT_SERVICE=examples/seed/ecs-simple-service-elb.json
INPUT_POLL-INTERVAL-SECONDS=1
INPUT_WAIT-FOR-MINUTES=3
EOF
}

start() {
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    fail "an emulator started by this script is already running (pid $(cat "$pid_file"))"
  fi
  : >"$log_file"
  # Port 0: any free port (the URL is read from the first line the emulator prints). At 1/50 of real time
  # the seed's 30 s health checks take 0.6 s; every number the API reports stays the seed's.
  EMULATOR_PORT="${EMULATOR_PORT:-0}" EMULATOR_TIME_SCALE="${EMULATOR_TIME_SCALE:-0.02}" \
    setsid npm run --silent emulator >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  local url=''
  for _ in $(seq 1 150); do
    url="$(sed -n 's/^AWS emulator listening on \(http[^ ]*\).*/\1/p' "$log_file" | head -n 1)"
    if [ -n "$url" ] && curl --silent --fail --max-time 2 "$url/_emulator/services" >/dev/null; then break; fi
    url=''
    kill -0 "$(cat "$pid_file")" 2>/dev/null || {
      cat "$log_file" >&2
      fail 'the emulator exited while starting'
    }
    sleep 0.2
  done
  [ -n "$url" ] || {
    cat "$log_file" >&2
    stop
    fail 'the emulator did not answer within 30 s'
  }
  echo "$url" >"$state_dir/url"
  echo "emulator: $url (pid $(cat "$pid_file"), log $log_file)" >&2
  # What the action's SDK clients read: the endpoint, a region and credentials (the emulator checks none).
  local vars
  vars="AWS_ENDPOINT_URL=$url
AWS_REGION=ap-northeast-1
AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
AWS_EC2_METADATA_DISABLED=true"
  if [ -n "${GITHUB_ENV:-}" ]; then
    echo "$vars" >>"$GITHUB_ENV"
  else
    echo "$vars" | sed 's/^/export /'
  fi
}

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file")"
  # setsid made the emulator's pid its process group: npm, tsx and node go together.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$pid_file"
  echo "emulator stopped" >&2
}

emulator_url() {
  if [ -n "${AWS_ENDPOINT_URL:-}" ]; then echo "$AWS_ENDPOINT_URL"; else cat "$state_dir/url"; fi
}

# Checks the outputs in OUT_DNS_NAME, OUT_URL, OUT_LOAD_BALANCER_ARN, OUT_TARGET_GROUP_ARN, OUT_LISTENER_ARN,
# OUT_SERVICE_ARN, OUT_TASK_DEFINITION_ARN, OUT_CHANGED, OUT_PLAN; $1 is the expected `changed`.
assert_outputs() {
  local expect_changed="$1"
  local arn='arn:aws:[a-z-]+:ap-northeast-1:[0-9]{12}:'
  [[ "${OUT_DNS_NAME:-}" =~ ^alb-demo-[A-Za-z0-9-]+\.ap-northeast-1\.elb\.amazonaws\.com$ ]] ||
    fail "dns-name is '${OUT_DNS_NAME:-}'"
  [ "${OUT_URL:-}" = "http://$OUT_DNS_NAME/" ] || [ "${OUT_URL:-}" = "http://$OUT_DNS_NAME" ] ||
    fail "url is '${OUT_URL:-}', expected http://$OUT_DNS_NAME/"
  [[ "${OUT_LOAD_BALANCER_ARN:-}" =~ ^${arn}loadbalancer/app/alb-demo/ ]] ||
    fail "load-balancer-arn is '${OUT_LOAD_BALANCER_ARN:-}'"
  [[ "${OUT_TARGET_GROUP_ARN:-}" =~ ^${arn}targetgroup/default/ ]] ||
    fail "target-group-arn is '${OUT_TARGET_GROUP_ARN:-}'"
  [[ "${OUT_LISTENER_ARN:-}" =~ ^${arn}listener/app/alb-demo/ ]] || fail "listener-arn is '${OUT_LISTENER_ARN:-}'"
  [[ "${OUT_SERVICE_ARN:-}" =~ ^${arn}service/ecs-demo/ecs-simple-service-elb$ ]] ||
    fail "service-arn is '${OUT_SERVICE_ARN:-}'"
  [[ "${OUT_TASK_DEFINITION_ARN:-}" =~ ^${arn}task-definition/ecscompose-ecs-app:[0-9]+$ ]] ||
    fail "task-definition-arn is '${OUT_TASK_DEFINITION_ARN:-}'"
  [ "${OUT_CHANGED:-}" = "$expect_changed" ] || fail "changed is '${OUT_CHANGED:-}', expected $expect_changed"
  OUT_PLAN="${OUT_PLAN:-}" node -e 'JSON.parse(process.env.OUT_PLAN)' 2>/dev/null || fail "plan is not JSON: '${OUT_PLAN:-}'"

  # A request through the emulated listener: the control API maps the ALB's DNS name and port to the local
  # port that routes like the ALB's listener would. The seed's app answers /hostname with a task id.
  local url listeners local_url body
  url="$(emulator_url)"
  listeners="$(curl --silent --show-error --fail "$url/_emulator/listeners")" || fail 'no answer from the control API'
  local_url="$(LISTENERS="$listeners" DNS="$OUT_DNS_NAME" node -e '
    const l = JSON.parse(process.env.LISTENERS).find(x => x.dnsName === process.env.DNS && x.port === 80)
    if (l) console.log(l.localUrl)')"
  [ -n "$local_url" ] || fail "no emulated listener for $OUT_DNS_NAME:80"
  body="$(curl --silent --show-error --fail --retry 3 --retry-all-errors --max-time 5 "$local_url/hostname")" ||
    fail "GET /hostname through $OUT_DNS_NAME:80 failed"
  [[ "$body" =~ ^[0-9a-f]{12}$ ]] || fail "GET /hostname through the listener answered '$body'"
  echo "ok: outputs as expected (changed: $expect_changed); GET http://$OUT_DNS_NAME/hostname → $body" >&2
}

# Runs `node dist/index.js` as a runner runs a node action; sets OUT_* from its GITHUB_OUTPUT.
run_bundle() {
  local run_dir="$state_dir/run-$1"
  rm -rf "$run_dir"
  mkdir -p "$run_dir"
  : >"$run_dir/output"
  : >"$run_dir/summary"
  local -a env_args=()
  while IFS= read -r line; do env_args+=("$line"); done < <(inputs_env)
  local status=0
  env "${env_args[@]}" \
    GITHUB_OUTPUT="$run_dir/output" GITHUB_STEP_SUMMARY="$run_dir/summary" GITHUB_WORKSPACE="$PWD" \
    RUNNER_TEMP="$run_dir" \
    "${ACTION_NODE:-node}" dist/index.js >"$run_dir/log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$run_dir/log" >&2
    fail "node dist/index.js exited with $status (run $1)"
  fi
  # GITHUB_OUTPUT holds `name<<DELIMITER … DELIMITER` blocks; each output becomes OUT_<NAME>.
  eval "$(node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8").split("\n")
    for (let i = 0; i < text.length; i++) {
      const m = /^([^=<]+)<<(.+)$/.exec(text[i]); let name, value
      if (m) { const v = []; for (i++; i < text.length && text[i] !== m[2]; i++) v.push(text[i]); name = m[1]; value = v.join("\n") }
      else if (text[i].includes("=")) { name = text[i].slice(0, text[i].indexOf("=")); value = text[i].slice(name.length + 1) }
      else continue
      const quoted = "\x27" + value.replace(/\x27/g, "\x27\\\x27\x27") + "\x27"
      console.log(`OUT_${name.toUpperCase().replace(/-/g, "_")}=${quoted}`)
    }' "$run_dir/output")"
  [ -s "$run_dir/summary" ] || fail "no job summary written (run $1)"
}

all() {
  [ -f dist/index.js ] || fail "dist/index.js is missing: run 'npm run package'"
  local started=$SECONDS
  trap stop EXIT
  local exports
  exports="$(GITHUB_ENV='' start)"
  eval "$exports"
  run_bundle first
  assert_outputs true
  run_bundle again
  assert_outputs false
  echo "self-test passed in $((SECONDS - started)) s" >&2
}

case "${1:-all}" in
  all) all ;;
  start) start ;;
  stop) stop ;;
  assert-first) assert_outputs true ;;
  assert-again) assert_outputs false ;;
  inputs) inputs_env ;;
  *) fail "unknown command '$1' (all, start, stop, assert-first, assert-again, inputs)" ;;
esac
