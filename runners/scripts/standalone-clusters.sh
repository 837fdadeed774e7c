#!/usr/bin/env bash
# Starts a real standalone Flink 1.19 session cluster and a Spark 3.5 standalone master+worker
# on loopback from the runners classpath (registry jars only: no Flink or Spark distribution),
# submits the generated-snapshot ShardedWrite job to each with --flinkMaster / --sparkMaster,
# reads the snapshot back, and stops everything it started.
#
#   mvn -B -DskipTests package -pl runners -am      # builds runners/target/classpath.txt
#   runners/scripts/standalone-clusters.sh [flink] [spark]   # default: both
#
# Environment: ROWS (default 1000000), NUM_DBS (8), WORK (a temp dir), FLINK_REST_PORT (8081),
# FLINK_RPC_PORT (6123), SPARK_PORT (7077), SPARK_UI_PORT (8080), KEEP_LOGS=1 keeps $WORK.
#
# How it works:
# - Flink: StandaloneSessionClusterEntrypoint (JobManager + REST endpoint) and TaskManagerRunner
#   from flink-runtime, configured by a generated flink-conf.yaml. The cluster's classpath is
#   the runners classpath, so the job stages only the runners jar (--filesToStage) and the
#   cluster resolves classes parent-first.
# - Spark: org.apache.spark.deploy.master.Master and ...worker.Worker. A Worker launches each
#   executor as `java -cp $SPARK_HOME/jars/*`, so SPARK_HOME is a generated directory whose
#   jars/ holds links to every jar of the runners classpath plus the runners jar.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cp_file="$root/runners/target/classpath.txt"
runners_jar="$(ls "$root"/runners/target/shardyfusion-runners-*.jar 2>/dev/null | head -1 || true)"
if [[ ! -f "$cp_file" || -z "$runners_jar" ]]; then
  echo "standalone-clusters: build first: mvn -B -DskipTests package -pl runners -am" >&2
  exit 2
fi
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(flink spark)

ROWS="${ROWS:-1000000}"
NUM_DBS="${NUM_DBS:-8}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
SPARK_PORT="${SPARK_PORT:-7077}"
SPARK_UI_PORT="${SPARK_UI_PORT:-8080}"
WORK="${WORK:-$(mktemp -d -t shardy-clusters.XXXXXX)}"
mkdir -p "$WORK"
cp="$runners_jar:$(cat "$cp_file")"
read -r -a jvm_opts <<< "$(cat "$root/runners/target/classes/jvm-options.txt")"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.12
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $rc -ne 0 ]]; then
    echo "standalone-clusters: failed (rc=$rc); logs in $WORK" >&2
  elif [[ "${KEEP_LOGS:-0}" != 1 ]]; then
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# Polls a command until it succeeds, with a deadline (an external process's port).
await() {
  local what="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "standalone-clusters: $what not ready after ${seconds}s" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "# $what ready"
}

verify_and_clean() {
  local out="$1"
  grep -E '^(RESULT|VERIFY)' "$WORK/$2-job.log"
  grep -q '^VERIFY checked .* 0 problems' "$WORK/$2-job.log"
  rm -rf "${out#file://}"
}

run_flink() {
  local conf="$WORK/flink-conf"
  mkdir -p "$conf"
  cat > "$conf/flink-conf.yaml" <<YAML
jobmanager.rpc.address: 127.0.0.1
jobmanager.rpc.port: $FLINK_RPC_PORT
jobmanager.bind-host: 127.0.0.1
rest.address: 127.0.0.1
rest.bind-address: 127.0.0.1
rest.port: $FLINK_REST_PORT
taskmanager.host: 127.0.0.1
taskmanager.bind-host: 127.0.0.1
taskmanager.numberOfTaskSlots: 2
parallelism.default: 2
jobmanager.memory.process.size: 1024m
# flink's bin/ scripts compute these (BashJavaUtils) and pass them as -D; started directly,
# TaskManagerRunner needs every one set, consistent with the -Xmx and direct memory below.
taskmanager.cpu.cores: 2
taskmanager.memory.framework.heap.size: 128m
taskmanager.memory.task.heap.size: 640m
taskmanager.memory.framework.off-heap.size: 128m
taskmanager.memory.task.off-heap.size: 0m
taskmanager.memory.network.min: 64m
taskmanager.memory.network.max: 64m
taskmanager.memory.managed.size: 256m
taskmanager.memory.jvm-metaspace.size: 256m
taskmanager.memory.jvm-overhead.min: 192m
taskmanager.memory.jvm-overhead.max: 192m
classloader.resolve-order: parent-first
YAML
  echo "# starting Flink session cluster (REST 127.0.0.1:$FLINK_REST_PORT)"
  "$java" -Xmx512m "${jvm_opts[@]}" -cp "$cp" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" \
    > "$WORK/flink-jobmanager.log" 2>&1 &
  pids+=($!)
  await "Flink REST endpoint" 60 curl -sf "http://127.0.0.1:$FLINK_REST_PORT/overview"
  "$java" -Xmx768m -XX:MaxDirectMemorySize=256m "${jvm_opts[@]}" -cp "$cp" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" \
    > "$WORK/flink-taskmanager.log" 2>&1 &
  pids+=($!)
  await "Flink TaskManager (2 slots)" 60 \
    bash -c "curl -sf http://127.0.0.1:$FLINK_REST_PORT/overview | grep -q '\"slots-total\":2'"
  local out="file://$WORK/snapshot-flink"
  echo "# submitting to --flinkMaster=127.0.0.1:$FLINK_REST_PORT"
  "$java" -Xmx1g "${jvm_opts[@]}" -cp "$cp" io.shardyfusion.runners.GenerateSnapshotJob \
    --runner=FlinkRunner --flinkMaster="127.0.0.1:$FLINK_REST_PORT" --parallelism=2 \
    --filesToStage="$runners_jar" --output="$out" --shardTempDir="$WORK/tmp-flink" \
    --rows="$ROWS" --numDbs="$NUM_DBS" > "$WORK/flink-job.log" 2>&1 \
    || { tail -50 "$WORK/flink-job.log" >&2; return 1; }
  curl -sf "http://127.0.0.1:$FLINK_REST_PORT/jobs/overview" \
    | grep -q '"state":"FINISHED"' && echo "# Flink cluster reports the job FINISHED"
  verify_and_clean "$out" flink
}

run_spark() {
  local home="$WORK/spark-home"
  mkdir -p "$home/jars" "$home/work"
  tr ':' '\n' <<< "$cp" | while read -r jar; do
    [[ "$jar" == *.jar ]] && ln -sf "$jar" "$home/jars/$(basename "$jar")"
  done
  echo "# starting Spark master spark://127.0.0.1:$SPARK_PORT and one worker"
  SPARK_HOME="$home" "$java" -Xmx512m "${jvm_opts[@]}" -cp "$home/jars/*" \
    org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$SPARK_PORT" \
    --webui-port "$SPARK_UI_PORT" > "$WORK/spark-master.log" 2>&1 &
  pids+=($!)
  await "Spark master" 60 curl -sf "http://127.0.0.1:$SPARK_UI_PORT/json/"
  SPARK_HOME="$home" SPARK_WORKER_DIR="$home/work" "$java" -Xmx512m "${jvm_opts[@]}" \
    -cp "$home/jars/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 2 \
    --memory 2g --webui-port 0 "spark://127.0.0.1:$SPARK_PORT" > "$WORK/spark-worker.log" 2>&1 &
  pids+=($!)
  await "Spark worker" 60 \
    bash -c "curl -sf http://127.0.0.1:$SPARK_UI_PORT/json/ | grep -q '\"aliveworkers\" : 1'"
  local out="file://$WORK/snapshot-spark"
  echo "# submitting to --sparkMaster=spark://127.0.0.1:$SPARK_PORT"
  SPARK_HOME="$home" "$java" -Xmx1g "${jvm_opts[@]}" \
    -Dspark.executor.memory=1g -Dspark.ui.enabled=false \
    -Dspark.executor.extraJavaOptions=-Djdk.reflect.useDirectMethodHandle=false \
    -cp "$cp" io.shardyfusion.runners.GenerateSnapshotJob \
    --runner=SparkRunner --sparkMaster="spark://127.0.0.1:$SPARK_PORT" \
    --preferGroupByKeyToHandleHugeValues=true --enableSparkMetricSinks=false \
    --filesToStage="$runners_jar" --output="$out" --shardTempDir="$WORK/tmp-spark" \
    --rows="$ROWS" --numDbs="$NUM_DBS" > "$WORK/spark-job.log" 2>&1 \
    || { tail -50 "$WORK/spark-job.log" >&2; return 1; }
  curl -sf "http://127.0.0.1:$SPARK_UI_PORT/json/" | grep -q '"completedapps" : \[ {' \
    && echo "# Spark master lists the application as completed"
  verify_and_clean "$out" spark
}

for t in "${targets[@]}"; do
  case "$t" in
    flink) run_flink ;;
    spark) run_spark ;;
    *) echo "standalone-clusters: unknown target $t (flink|spark)" >&2; exit 2 ;;
  esac
done
echo "# standalone clusters: all submitted jobs finished and read back"
