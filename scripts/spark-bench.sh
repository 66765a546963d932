#!/usr/bin/env bash
# Spark scoring against `bnn predict` on the same PNG files (docs/PERFORMANCE.md, Spark): writes
# COPIES × 500 PNGs from the bundled sample's test images, trains a small model, then times
# `bnn predict` (one thread) and ScoreImages in local[1] and local[2] with 4 partitions, and
# prints the Spark tasks' times (the first task of each thread pays model loading and JIT warm-up).
# Usage: scripts/spark-bench.sh [COPIES=16] [WORK=/tmp/bnn4j-spark-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
copies="${1:-16}"; work="${2:-/tmp/bnn4j-spark-bench}"
jdk_who=spark-bench source scripts/jdk.sh
java="$JAVA_HOME/bin/java"
./mvnw -B -ntp -q -pl engine,cli,tools,spark -am package -DskipTests
./mvnw -B -ntp -q -pl spark dependency:build-classpath -Dmdep.outputFile="$work.cp" -Dmdep.includeScope=provided
rm -rf "$work"; mkdir -p "$work"
"$java" --add-modules=jdk.incubator.vector -cp engine/target/classes:tools/target/classes io.bnn4j.data.WritePngs \
  testdata/fashion-mnist/t10k-images-idx3-ubyte.gz "$work/images" "$copies" 2>/dev/null
n=$(ls "$work/images" | wc -l)
./bnn train --epochs 2 --out "$work/model.bnn" >/dev/null 2>&1
t0=$(date +%s.%N)
root="$PWD"
# one bnn process for all the files (file names relative to the folder keep the command line short)
(cd "$work/images" && ls | xargs -s 1000000 -x "$root/bnn" predict --model "$work/model.bnn" --json --threads 1 > "$work/predict.json" 2>/dev/null)
t1=$(date +%s.%N)
echo "bnn predict, 1 thread: $n images in $(echo "$t1 - $t0" | bc) s ($(wc -l < "$work/predict.json") rows)"
# the first quarter alone: the difference of the two runs is the warm rate, without start-up and warm-up
q=$((n / 4))
t2=$(date +%s.%N)
ls "$work/images" > "$work/files.txt"
(cd "$work/images" && head -n "$q" "$work/files.txt" | xargs -s 1000000 -x "$root/bnn" predict --model "$work/model.bnn" --json --threads 1 > /dev/null 2>&1)
t3=$(date +%s.%N)
echo "bnn predict, 1 thread: $q images in $(echo "$t3 - $t2" | bc) s; warm rate $(echo "($n - $q) / ($t1 - $t0 - ($t3 - $t2))" | bc) images/s"
flags="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED $(grep -o '<spark.jvmFlags>[^<]*' spark/pom.xml | sed 's/<spark.jvmFlags>//')"
for master in 'local[1]' 'local[2]'; do
  rm -rf "$work/out"
  t0=$(date +%s.%N)
  "$java" $flags -Dspark.master="$master" -Dspark.ui.enabled=false -cp "spark/target/bnn4j-spark.jar:$(cat "$work.cp")" \
    io.bnn4j.spark.ScoreImages "$work/model.bnn" "$work/images" "$work/out" 20 42 4 > "$work/spark.log" 2>&1
  t1=$(date +%s.%N)
  echo "ScoreImages $master, 4 partitions: $n images in $(echo "$t1 - $t0" | bc) s; scoring tasks:"
  grep -o "Finished task [0-9.]* in stage [0-9.]* (TID [0-9]*) in [0-9]* ms" "$work/spark.log" | tail -4 | sed 's/^/  /'
done
